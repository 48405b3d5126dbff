import Foundation
import MISModel

/// The exact planner: the reduced MIP of MODEL.md §6 solved by GLPK's branch-and-cut.
///
/// Every solve runs synchronously on the calling thread, from building the GLPK problem to
/// deleting it, so that GLPK's per-thread state is never shared; many solves may run at
/// once from different tasks or threads. Cancelling the calling task stops GLPK at its next
/// callback and returns the best plan found so far.
///
/// ```swift
/// let index = try ProblemIndex(instance)
/// var options = ExactSolver.Options()
/// options.timeLimitSeconds = 30
/// let result = try ExactSolver(options: options).solve(index)
/// print(result.status, result.objective ?? .nan)
/// ```
///
/// The solver is meant for small and medium fleets; see `Docs/exact-solver.md` for the
/// size at which ``MISApprox`` is the better tool.
public struct ExactSolver: Sendable {
  /// Solve options, with documented defaults.
  public struct Options: Sendable {
    /// Wall-clock limit in seconds (`nil`: none). At the limit the best plan found is
    /// returned with status `feasible`, or `timeLimitNoSolution` when there is none.
    public var timeLimitSeconds: Double?
    /// Relative MIP gap at which to stop (`nil`: GLPK's default, prove optimality).
    public var relativeGap: Double?
    /// GLPK's MIP presolver (default on).
    public var presolve: Bool
    /// GLPK cut families (default: mixed-integer rounding and clique cuts). GLPK 5.0's cover
    /// cuts can hit an internal error when presolve empties the problem; the solver then
    /// retries once without cuts (see `Docs/exact-solver.md`).
    public var cuts: MIPOptions.Cuts
    /// GLPK primal heuristics (default: none beyond GLPK's rounding).
    public var heuristics: MIPOptions.Heuristics
    /// The exact reductions to apply (default: all).
    public var reductions: Reductions
    /// The granularities plans may use (default both; one of them for the layer-only and
    /// file-only baselines solved exactly).
    public var granularities: Set<Granularity> = [.layer, .file]
    /// The method name written in the report (default `exact`).
    public var methodName: String = "exact"
    /// The model GLPK solves: the compact one or the branch-and-Benders-cut master
    /// (default `.automatic`, see ``ExactFormulation`` and `Docs/exact-solver.md`).
    public var formulation: ExactFormulation = .automatic
    /// A plan to start from, handed to GLPK as its first incumbent when it is feasible
    /// (e.g. an approximate plan). Ignored with a note in the statistics when infeasible.
    public var startPlan: PlacementMatrix?
    /// Called from inside the solve with incumbent, bound, nodes and elapsed time.
    public var progress: (@Sendable (MIPProgress) -> Void)?
    /// Polled from inside the solve; returning `true` stops it like a cancellation.
    public var shouldStop: (@Sendable () -> Bool)?
    /// Refuse models with more non-zeros than this (default 5 000 000), with
    /// ``SolverError/tooLarge(reason:)``, before GLPK allocates anything.
    public var maximumNonzeros: Int

    /// Default options.
    public init(
      timeLimitSeconds: Double? = nil, relativeGap: Double? = nil, presolve: Bool = true,
      cuts: MIPOptions.Cuts = MIPOptions.Cuts(gomory: false, mir: true, cover: false, clique: true),
      heuristics: MIPOptions.Heuristics = MIPOptions.Heuristics(), reductions: Reductions = .all,
      startPlan: PlacementMatrix? = nil, maximumNonzeros: Int = 5_000_000
    ) {
      self.timeLimitSeconds = timeLimitSeconds
      self.relativeGap = relativeGap
      self.presolve = presolve
      self.cuts = cuts
      self.heuristics = heuristics
      self.reductions = reductions
      self.startPlan = startPlan
      self.maximumNonzeros = maximumNonzeros
    }
  }

  /// Figures of one solve.
  public struct Statistics: Sendable, Hashable {
    /// Size of MODEL.md §6 as written.
    public var unreducedSize: ModelSize
    /// Size after the reductions (what GLPK receives).
    public var reducedSize: ModelSize
    /// Branch-and-bound nodes.
    public var nodes: Int
    /// Seconds building the model.
    public var buildSeconds: Double
    /// Seconds inside GLPK.
    public var solveSeconds: Double
    /// What became of the start plan.
    public var startPlan: MIPOutcome.IncumbentUse
  }

  /// The options of this solver.
  public var options: Options

  /// Creates a solver.
  public init(options: Options = Options()) { self.options = options }

  /// Solves `index` exactly (or to the limits in ``options``).
  ///
  /// - Returns: the result; infeasible instances and limits are results, not errors.
  /// - Throws: ``SolverError`` when the solve could not run (model too large, GLPK failure)
  ///   or when the evaluator disagrees with GLPK beyond ``Tolerance/objectiveRelative``.
  public func solve(_ index: ProblemIndex) throws(SolverError) -> PlanningResult {
    try solveWithStatistics(index).result
  }

  /// Solves `index` like ``solve(_:)-(ProblemIndex)`` and also returns the solve's figures
  /// (model sizes before and after the reductions, nodes, time split, start-plan use).
  public func solveWithStatistics(_ index: ProblemIndex) throws(SolverError) -> (
    result: PlanningResult, statistics: Statistics
  ) {
    if options.formulation.resolved(for: index) == .benders {
      return try BendersSolver(options: options).solveWithStatistics(index)
    }
    let clock = Stopwatch()
    let formulation = Formulation(index, reductions: options.reductions, granularities: options.granularities)
    let buildSeconds = clock.seconds
    let size = formulation.size
    if size.nonzeros > options.maximumNonzeros {
      throw .tooLarge(
        reason: "the reduced model has \(size.nonzeros) non-zeros, over the exact solver's limit of "
          + "\(options.maximumNonzeros); use the approximate planner (method approx) or raise maximumNonzeros")
    }
    var statistics = Statistics(
      unreducedSize: formulation.unreducedSize, reducedSize: size, nodes: 0, buildSeconds: buildSeconds,
      solveSeconds: 0, startPlan: .none)

    func finish(_ status: SolveStatus, _ matrix: PlacementMatrix?, bound: Double?, glpkObjective: Double?)
      throws(SolverError) -> (result: PlanningResult, statistics: Statistics)
    {
      let seconds = clock.seconds
      var details: [(key: String, value: JSONValue)] = [
        ("nodes", .number(Double(statistics.nodes))),
        ("rows", .number(Double(size.rows))), ("columns", .number(Double(size.columns))),
        ("nonzeros", .number(Double(size.nonzeros))),
        ("unreducedRows", .number(Double(statistics.unreducedSize.rows))),
        ("unreducedColumns", .number(Double(statistics.unreducedSize.columns))),
        ("unreducedNonzeros", .number(Double(statistics.unreducedSize.nonzeros))),
      ]
      if options.startPlan != nil { details.append(("startPlan", .string("\(statistics.startPlan)"))) }
      guard let matrix else {
        let result = PlanningResult(
          index: index, matrix: nil, metrics: nil,
          report: SolverReport(
            method: options.methodName, status: status, objective: nil, bound: bound, seconds: seconds, details: details
          ))
        return (result, statistics)
      }
      let metrics = index.evaluate(matrix)
      guard metrics.feasible, let objective = metrics.totalLatencySeconds else {
        throw .glpkFailure(
          code: 0, context: "GLPK's solution evaluates as infeasible: \(metrics.violations.first.map { "\($0)" } ?? "")"
        )
      }
      if let glpkObjective, !Tolerance.atMost(objective, glpkObjective) {
        throw .numericalDisagreement(solverObjective: glpkObjective, evaluatorObjective: objective)
      }
      if status == .optimal, let glpkObjective, !Tolerance.objectivesAgree(objective, glpkObjective) {
        throw .numericalDisagreement(solverObjective: glpkObjective, evaluatorObjective: objective)
      }
      // At optimality GLPK's bound is its objective; keep the bound never above the plan.
      let reportedBound = bound.map { min($0, objective) }
      let result = PlanningResult(
        index: index, matrix: matrix, metrics: metrics,
        report: SolverReport(
          method: options.methodName, status: status, objective: objective, bound: reportedBound, seconds: seconds,
          details: details))
      return (result, statistics)
    }

    if !formulation.impossiblePairs.isEmpty {
      return try finish(.infeasible, nil, bound: nil, glpkObjective: nil)
    }
    if formulation.model.columns.isEmpty {
      let empty = PlacementMatrix(for: index)
      return try finish(.optimal, empty, bound: formulation.originConstant, glpkObjective: formulation.originConstant)
    }

    var mip = MIPOptions(
      timeLimitSeconds: options.timeLimitSeconds.map { max(0, $0 - buildSeconds) },
      relativeGap: options.relativeGap, presolve: options.presolve, cuts: options.cuts,
      heuristics: options.heuristics)
    if let start = options.startPlan {
      guard start.layerCount == index.layerCount, start.registryCount == index.registryCount else {
        throw .invalidOptions(reason: "the start plan's shape does not match the instance")
      }
      if let values = formulation.columnValues(for: start) {
        mip.incumbent = values
      } else {
        statistics.startPlan = .rejectedInfeasible("the start plan violates the model (e.g. over capacity)")
      }
    }
    mip.progress = options.progress
    mip.shouldStop = options.shouldStop
    let outcome: MIPOutcome
    do {
      outcome = try GLPKSolver.solveMIP(formulation.model, options: mip)
    } catch .glpkInternalError(let message) {
      // A GLPK-internal fault in an optional component (cut generators on a presolved
      // problem): retry once with the plainest configuration before giving up.
      var plain = mip
      plain.cuts = .none
      plain.presolve = false
      plain.timeLimitSeconds = options.timeLimitSeconds.map { max(0, $0 - clock.seconds) }
      do {
        outcome = try GLPKSolver.solveMIP(formulation.model, options: plain)
      } catch {
        throw .glpkInternalError(message: message + " (and on retry without cuts and presolve: \(error))")
      }
    }
    statistics.nodes = outcome.nodes
    statistics.solveSeconds = outcome.seconds
    if mip.incumbent != nil { statistics.startPlan = outcome.incumbentUse }

    switch outcome.status {
    case .infeasible:
      return try finish(.infeasible, nil, bound: nil, glpkObjective: nil)
    case .noSolution:
      return try finish(.timeLimitNoSolution, nil, bound: outcome.bestBound, glpkObjective: nil)
    case .unbounded:
      throw .glpkFailure(code: 0, context: "GLPK reported an unbounded MIP, impossible for this bounded model")
    case .optimal, .feasible:
      guard let values = outcome.values else {
        throw .glpkFailure(code: 0, context: "GLPK reported a solution without values")
      }
      // Placements that serve nobody (free in the MIP when capacity allows) are dropped.
      var matrix = index.pruned(formulation.placements(from: values))
      var status: SolveStatus = outcome.status == .optimal ? .optimal : .feasible
      var bound = outcome.status == .optimal ? outcome.objective : outcome.bestBound
      if status == .feasible, let b = bound, let o = outcome.objective,
        o - b <= Tolerance.optimalityGap * max(1, abs(o))
      {
        status = .optimal
      }
      if status == .optimal, bound == nil { bound = outcome.objective }
      var glpkObjective = outcome.objective
      // GLPK accepts a row within its feasibility tolerance (relative, ~1e-7 of the
      // capacity), so a plan can come back a few bytes over a capacity of many gigabytes.
      // Re-solve with those capacity rows lowered by at least that tolerance (doubling on
      // each try); the first solve's bound stays a valid bound, but the plan is then only
      // known to be feasible.
      var model = formulation.model
      for attempt in 0..<3 {
        let excess = capacityExcess(index, matrix)
        if excess.isEmpty { break }
        for (r, bytes) in excess {
          guard let row = model.rows.firstIndex(where: { $0.name == "capacity_\(r)" }) else { continue }
          // Row tolerance (1e-7 relative) plus integrality tolerance (1e-5) times the
          // largest coefficient: an "integral" x = 1 − 1e-5 frees that many bytes.
          let largest = model.rows[row].coefficients.reduce(0.0) { max($0, abs($1)) }
          let tolerance = 1e-7 * (1 + Double(index.capacity[r])) + 1e-5 * largest
          let margin = max(Double(bytes), tolerance) * Double(1 << attempt)
          model.rows[row].upperBound = max(0, model.rows[row].upperBound - margin)
        }
        var retry = mip
        retry.incumbent = nil
        retry.timeLimitSeconds = options.timeLimitSeconds.map { max(0.001, $0 - clock.seconds) }
        let again = try GLPKSolver.solveMIP(model, options: retry)
        guard again.status == .optimal || again.status == .feasible, let v = again.values else { break }
        matrix = index.pruned(formulation.placements(from: v))
        glpkObjective = again.objective
        status = .feasible
        statistics.nodes += again.nodes
      }
      return try finish(status, matrix, bound: bound, glpkObjective: glpkObjective)
    }
  }

  /// The bytes by which each over-capacity registry of `matrix` exceeds its capacity.
  private func capacityExcess(_ index: ProblemIndex, _ matrix: PlacementMatrix) -> [(Int, Int64)] {
    let metrics = index.evaluate(matrix)
    var out: [(Int, Int64)] = []
    for (r, m) in metrics.registries.enumerated() where m.usedBytes > m.capacityBytes {
      out.append((r, m.usedBytes - m.capacityBytes))
    }
    return out
  }

  /// Solves an instance (validating it first).
  ///
  /// - Throws: ``SolverError/invalidInstance(_:)`` for a bad instance, else as ``solve(_:)-(ProblemIndex)``.
  public func solve(_ instance: Instance) throws(SolverError) -> PlanningResult {
    let index: ProblemIndex
    do {
      index = try ProblemIndex(instance)
    } catch {
      throw .invalidInstance(error)
    }
    return try solve(index)
  }
}
