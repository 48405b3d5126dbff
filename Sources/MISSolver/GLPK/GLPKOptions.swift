/// Settings for ``GLPKSolver/solveMIP(_:options:)``. Every default is GLPK's
/// own default unless said otherwise.
///
/// ```swift
/// var options = MIPOptions()
/// options.timeLimitSeconds = 30
/// options.relativeGap = 0.01
/// options.progress = { print($0.incumbentObjective ?? .nan, $0.bestBound ?? .nan) }
/// ```
public struct MIPOptions: Sendable {
  /// Cutting planes to generate (GLPK's defaults: all off).
  public struct Cuts: Sendable, Hashable {
    /// Gomory mixed-integer cuts (`gmi_cuts`).
    public var gomory: Bool
    /// Mixed-integer rounding cuts (`mir_cuts`).
    public var mir: Bool
    /// Mixed cover cuts (`cov_cuts`).
    public var cover: Bool
    /// Clique cuts (`clq_cuts`).
    public var clique: Bool

    /// Creates a cut selection; all off by default.
    public init(gomory: Bool = false, mir: Bool = false, cover: Bool = false, clique: Bool = false) {
      self.gomory = gomory
      self.mir = mir
      self.cover = cover
      self.clique = clique
    }

    /// No cuts.
    public static let none = Cuts()
    /// All four families.
    public static let all = Cuts(gomory: true, mir: true, cover: true, clique: true)
  }

  /// Primal heuristics (simple rounding is always on, as in GLPK).
  public struct Heuristics: Sendable, Hashable {
    /// The feasibility pump (`fp_heur`); default off.
    public var feasibilityPump: Bool
    /// Proximity search (`ps_heur`); default off. Each call is limited to the
    /// remaining time, at most 60 s (GLPK's `ps_tm_lim`).
    public var proximitySearch: Bool

    /// Creates a heuristic selection; all off by default.
    public init(feasibilityPump: Bool = false, proximitySearch: Bool = false) {
      self.feasibilityPump = feasibilityPump
      self.proximitySearch = proximitySearch
    }
  }

  /// Wall-clock limit for the whole solve in seconds, or `nil` for none.
  /// Must be positive. GLPK checks its clock between nodes, so a solve can
  /// overrun by the time of one LP.
  public var timeLimitSeconds: Double?
  /// Stop when `|incumbent − bound| / (|incumbent| + ε)` falls below this
  /// (`mip_gap`), or `nil` for GLPK's 0 (prove optimality). Must be ≥ 0.
  public var relativeGap: Double?
  /// Use GLPK's MIP presolver (default `true`). Ignored (treated as `false`)
  /// when ``incumbent`` is given, because GLPK expects a heuristic solution in
  /// the columns of the presolved problem, which are not ours.
  public var presolve: Bool = true
  /// Cutting planes; default none.
  public var cuts: Cuts = .none
  /// Primal heuristics; default none beyond simple rounding.
  public var heuristics: Heuristics = Heuristics()
  /// A start solution, one value per column, or `nil`.
  ///
  /// It is checked in Swift (bounds, rows, integrality within
  /// `SolverTolerance`) because GLPK checks none of these; an infeasible vector
  /// is not used (``MIPOutcome/incumbentUse`` says so). Integer columns are
  /// rounded to exact integers. It is offered once, at GLPK's first
  /// `GLP_IHEUR` request, via `glp_ios_heur_sol`.
  public var incumbent: [Double]?
  /// Called on the solving thread when a better solution is known and at
  /// most every ``progressIntervalSeconds`` otherwise (only between nodes). Keep it cheap and do
  /// not start another solve from it (that throws
  /// ``SolverError/reentrantCall``).
  public var progress: (@Sendable (MIPProgress) -> Void)?
  /// Minimum seconds between periodic ``progress`` reports; default 0.5.
  public var progressIntervalSeconds: Double = 0.5
  /// Polled at every node; returning `true` stops the search (termination
  /// ``MIPOutcome/Termination/cancelled``). Task cancellation is polled too.
  public var shouldStop: (@Sendable () -> Bool)?
  /// Stop the branch and cut at the first callback event after this many simplex
  /// iterations in all (root and nodes; termination ``MIPOutcome/Termination/iterationLimit``),
  /// or `nil` for no limit. A deterministic effort limit: the same model and options stop
  /// at the same point on every run, whatever the machine's speed. The root LP solved
  /// before the branch and cut counts too but is not interrupted.
  public var iterationLimit: Int? = nil
  /// Stop the branch and cut at the first callback event once GLPK has created this many
  /// nodes (termination ``MIPOutcome/Termination/iterationLimit``, the effort limit), or `nil`
  /// for no limit. Deterministic like ``iterationLimit``.
  public var nodeLimit: Int? = nil

  /// Creates options with the documented defaults.
  public init(
    timeLimitSeconds: Double? = nil, relativeGap: Double? = nil, presolve: Bool = true,
    cuts: Cuts = .none, heuristics: Heuristics = Heuristics(), incumbent: [Double]? = nil
  ) {
    self.timeLimitSeconds = timeLimitSeconds
    self.relativeGap = relativeGap
    self.presolve = presolve
    self.cuts = cuts
    self.heuristics = heuristics
    self.incumbent = incumbent
  }
}

/// A snapshot of a running branch-and-cut search.
public struct MIPProgress: Sendable, Hashable {
  /// What triggered the report.
  public enum Event: Sendable, Hashable {
    /// A better integer solution is known (found by a node LP, reported by
    /// `GLP_IBINGO`, or by GLPK's rounding heuristic, noticed at the next
    /// callback).
    case newIncumbent
    /// The caller's start vector was accepted (`GLP_IHEUR`).
    case startAccepted
    /// A periodic report before a node is selected (`GLP_ISELECT`).
    case periodic
  }

  /// What triggered the report.
  public var event: Event
  /// Objective of the best known solution, if any.
  public var incumbentObjective: Double?
  /// Lower bound on the optimum: the best active node's bound, if any.
  public var bestBound: Double?
  /// Nodes created so far (`t_cnt` of `glp_ios_tree_size`).
  public var nodes: Int
  /// Nodes still open (`a_cnt`).
  public var activeNodes: Int
  /// Seconds since the solve started.
  public var elapsedSeconds: Double

  /// Creates a snapshot.
  public init(
    event: Event, incumbentObjective: Double?, bestBound: Double?, nodes: Int,
    activeNodes: Int, elapsedSeconds: Double
  ) {
    self.event = event
    self.incumbentObjective = incumbentObjective
    self.bestBound = bestBound
    self.nodes = nodes
    self.activeNodes = activeNodes
    self.elapsedSeconds = elapsedSeconds
  }
}

/// The result of ``GLPKSolver/solveMIP(_:options:)``.
public struct MIPOutcome: Sendable, Hashable {
  /// What is known about the solution.
  public enum Status: Sendable, Hashable, CaseIterable {
    /// `values` is proven optimal (within GLPK's tolerances and `relativeGap` 0).
    case optimal
    /// `values` is feasible; the search stopped early (limit, gap, cancel).
    case feasible
    /// The model has no integer feasible solution (proven).
    case infeasible
    /// The search stopped before any feasible solution was found.
    case noSolution
    /// The LP relaxation is unbounded, so the MIP is unbounded or infeasible.
    case unbounded
  }

  /// Why the search ended.
  public enum Termination: Sendable, Hashable, CaseIterable {
    /// The search completed and proved optimality.
    case optimal
    /// ``MIPOptions/timeLimitSeconds`` was reached.
    case timeLimit
    /// ``MIPOptions/relativeGap`` was reached.
    case gapLimit
    /// ``MIPOptions/iterationLimit`` or ``MIPOptions/nodeLimit`` was reached.
    case iterationLimit
    /// The task was cancelled or ``MIPOptions/shouldStop`` returned `true`.
    case cancelled
    /// Infeasibility was proven.
    case infeasible
    /// The relaxation was found unbounded.
    case unbounded
  }

  /// What happened to ``MIPOptions/incumbent``.
  public enum IncumbentUse: Sendable, Hashable {
    /// No start vector was given.
    case none
    /// It violated the model; the reason names the first violation.
    case rejectedInfeasible(String)
    /// GLPK never asked for a heuristic solution (for example the root LP was
    /// already integral).
    case notRequested
    /// GLPK took it as its incumbent.
    case accepted
    /// GLPK already had a solution at least as good.
    case rejectedNotBetter
  }

  /// What is known about the solution.
  public var status: Status
  /// Why the search ended.
  public var termination: Termination
  /// One value per column when `status` is `.optimal` or `.feasible`.
  public var values: [Double]?
  /// The objective (including the constant) of `values`.
  public var objective: Double?
  /// A proven lower bound: the best open node's bound at the last callback
  /// (so possibly a little weaker than the bound GLPK used for its gap
  /// test), never above `objective`; equal to it at optimality.
  public var bestBound: Double?
  /// Nodes created by branch and bound (0 if solved at the root).
  public var nodes: Int
  /// Wall-clock seconds spent, including loading.
  public var seconds: Double
  /// What happened to the start vector.
  public var incumbentUse: IncumbentUse
  /// Simplex iterations GLPK spent on the root and every node (0 when it never ran). The
  /// same model and options give the same count on every run: a deterministic measure of
  /// the work done, unlike ``seconds``.
  public var simplexIterations: Int = 0

  /// Creates an outcome.
  public init(
    status: Status, termination: Termination, values: [Double]?, objective: Double?,
    bestBound: Double?, nodes: Int, seconds: Double, incumbentUse: IncumbentUse
  ) {
    self.status = status
    self.termination = termination
    self.values = values
    self.objective = objective
    self.bestBound = bestBound
    self.nodes = nodes
    self.seconds = seconds
    self.incumbentUse = incumbentUse
  }
}

/// How ``GLPKSolver/solveLP(_:method:timeLimitSeconds:)`` solves.
public enum LPMethod: Sendable, Hashable, CaseIterable {
  /// `glp_simplex` (dual simplex) with the LP presolver, falling back to the dual simplex
  /// without presolve and then to exact arithmetic (`glp_exact`) on
  /// numerical failure. Returns row duals.
  case simplex
  /// `glp_interior` (primal-dual interior point). Does not support a time
  /// limit: passing one throws ``SolverError/invalidOptions(reason:)``.
  case interiorPoint
}

/// The result of ``GLPKSolver/solveLP(_:method:timeLimitSeconds:)``.
public struct LPOutcome: Sendable, Hashable {
  /// What is known about the solution.
  public enum Status: Sendable, Hashable, CaseIterable {
    /// `values` is optimal.
    case optimal
    /// No feasible point exists.
    case infeasible
    /// The objective is unbounded below.
    case unbounded
    /// A time or iteration limit stopped the solve; no values.
    case limit
  }

  /// What is known about the solution.
  public var status: Status
  /// One primal value per column when optimal.
  public var values: [Double]?
  /// The objective (including the constant) when optimal.
  public var objective: Double?
  /// One dual value (shadow price) per row when optimal.
  public var rowDuals: [Double]?
  /// Wall-clock seconds spent, including loading.
  public var seconds: Double

  /// Creates an outcome.
  public init(
    status: Status, values: [Double]?, objective: Double?, rowDuals: [Double]?, seconds: Double
  ) {
    self.status = status
    self.values = values
    self.objective = objective
    self.rowDuals = rowDuals
    self.seconds = seconds
  }
}

/// File formats that ``GLPKSolver/write(_:format:to:)`` produces.
public enum LinearModelFileFormat: Sendable, Hashable, CaseIterable {
  /// Free (modern) MPS, as read by `glpsol --freemps`.
  case mps
  /// CPLEX LP format, as read by `glpsol --lp`.
  case lp
}
