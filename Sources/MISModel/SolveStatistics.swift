/// Typed figures of a solve, by method family. The `details` of ``SolverReport`` carry the
/// same figures as JSON for the `solver` block.
public struct SolveStatistics: Sendable, Hashable {
  /// Figures of an exact (MIP) solve, when one ran.
  public var exact: ExactStatistics?
  /// Figures of an approximate solve, when one ran.
  public var approx: ApproxStatistics?

  /// Creates statistics; every part is optional.
  public init(exact: ExactStatistics? = nil, approx: ApproxStatistics? = nil) {
    self.exact = exact
    self.approx = approx
  }
}

/// Figures of an exact solve (`Docs/exact-solver.md`).
public struct ExactStatistics: Sendable, Hashable {
  /// Rows of the model handed to the MIP solver (after the reductions).
  public var rows: Int
  /// Columns of the model handed to the MIP solver.
  public var columns: Int
  /// Non-zeros of the model handed to the MIP solver.
  public var nonzeros: Int
  /// Rows of the model as written in `Docs/model.md`, before the reductions.
  public var unreducedRows: Int
  /// Columns before the reductions.
  public var unreducedColumns: Int
  /// Non-zeros before the reductions.
  public var unreducedNonzeros: Int
  /// Branch-and-bound nodes.
  public var nodes: Int
  /// Seconds building the model.
  public var buildSeconds: Double
  /// Seconds inside the MIP solver.
  public var solveSeconds: Double
  /// What became of the start plan: `nil` without one, else `"accepted"` (GLPK's first
  /// incumbent), `"rejectedNotBetter"`, `"notRequested"` (GLPK never asked), `"returned"`
  /// (the solve stopped before finding a better plan and returned it), or
  /// `"rejected: …"` with the reason it is infeasible.
  public var startPlan: String?

  /// Creates exact statistics.
  public init(
    rows: Int = 0, columns: Int = 0, nonzeros: Int = 0, unreducedRows: Int = 0, unreducedColumns: Int = 0,
    unreducedNonzeros: Int = 0, nodes: Int = 0, buildSeconds: Double = 0, solveSeconds: Double = 0,
    startPlan: String? = nil
  ) {
    self.rows = rows
    self.columns = columns
    self.nonzeros = nonzeros
    self.unreducedRows = unreducedRows
    self.unreducedColumns = unreducedColumns
    self.unreducedNonzeros = unreducedNonzeros
    self.nodes = nodes
    self.buildSeconds = buildSeconds
    self.solveSeconds = solveSeconds
    self.startPlan = startPlan
  }
}

/// Figures of an approximate solve (`Docs/approximation.md`).
public struct ApproxStatistics: Sendable, Hashable {
  /// Rounding trials run.
  public var trials: Int
  /// The trial whose plan was kept (`nil`: none, or the plan came from another candidate).
  public var bestTrial: Int?
  /// Iterations of the relaxation (simplex or subgradient steps).
  public var relaxationIterations: Int?
  /// Seconds solving the relaxation.
  public var relaxationSeconds: Double
  /// Seconds rounding.
  public var roundingSeconds: Double
  /// Seconds repairing rounded plans.
  public var repairSeconds: Double
  /// Seconds in the improvement step.
  public var improveSeconds: Double
  /// Savings of the plan relative to the relaxation's savings, where defined.
  public var savingsRatio: Double?
  /// The a-priori approximation factor of the rounding theorem, where defined.
  public var theoremBound: Double?
  /// Mean over trials of the savings ratio before repair, where defined.
  public var meanPreRepairSavingsRatio: Double?
  /// Where the lower bound came from, e.g. `"lp"` or `"lagrangian"`.
  public var boundSource: String?

  /// Creates approximate statistics.
  public init(
    trials: Int = 0, bestTrial: Int? = nil, relaxationIterations: Int? = nil, relaxationSeconds: Double = 0,
    roundingSeconds: Double = 0, repairSeconds: Double = 0, improveSeconds: Double = 0, savingsRatio: Double? = nil,
    theoremBound: Double? = nil, meanPreRepairSavingsRatio: Double? = nil, boundSource: String? = nil
  ) {
    self.trials = trials
    self.bestTrial = bestTrial
    self.relaxationIterations = relaxationIterations
    self.relaxationSeconds = relaxationSeconds
    self.roundingSeconds = roundingSeconds
    self.repairSeconds = repairSeconds
    self.improveSeconds = improveSeconds
    self.savingsRatio = savingsRatio
    self.theoremBound = theoremBound
    self.meanPreRepairSavingsRatio = meanPreRepairSavingsRatio
    self.boundSource = boundSource
  }
}
