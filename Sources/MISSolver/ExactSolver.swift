import Foundation
import MISModel

/// The exact planner: the reduced MIP of `Docs/model.md` §6 solved by GLPK's branch-and-cut.
///
/// Every solve runs synchronously on the calling thread, from building the GLPK problem to
/// deleting it, so that GLPK's per-thread state is never shared; many solves may run at
/// once from different tasks or threads. Cancelling the calling task, or a stop requested
/// through ``Options/control``, stops GLPK at its next callback and returns the best plan
/// found so far (at least the start plan, when one was given and is feasible) with
/// termination ``/MISModel/Termination/interrupted``; a time limit that elapses does the same with
/// ``/MISModel/Termination/timeLimit``. Neither is an error, however short the limit.
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
/// size at which `MISApprox` is the better tool.
public struct ExactSolver: Sendable {
  /// Solve options, with documented defaults.
  public struct Options: Sendable {
    /// Wall-clock limit in seconds (`nil`: none), counted from the start of ``solve(_:)-(ProblemIndex)``;
    /// must be ≥ 0 (a negative or NaN limit is ``SolverError/invalidOptions(reason:)``). At the
    /// limit the best plan found (or the start plan) is returned with status `feasible`
    /// and termination `timeLimit`, or status `timeLimitNoSolution` when there is none.
    /// Combined with the deadline of ``control``: whichever comes first.
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
    /// Deadline, cancellation and progress of the caller (default: none). A stop is
    /// checked after the model is built, before GLPK starts, and at every GLPK
    /// branch-and-cut callback. With a feasible ``startPlan`` the root LP is solved in slices
    /// of 2 000 simplex iterations that see a stop too; without one, GLPK's presolved root LP honours
    /// the deadline (its own time limit) but sees a cancellation only when the LP ends.
    public var control: SolveControl = SolveControl()
    /// Stop the branch and cut at the first GLPK callback once it has created this many nodes
    /// (`nil`, the default: no limit), returning the best plan and bound found so far
    /// with status `feasible` unless optimality is already proven. A deterministic effort
    /// limit, unlike a time limit: the same instance and options stop at the same point on
    /// every run. Must be ≥ 0.
    public var nodeLimit: Int?
    /// Stop the branch and cut at the first GLPK callback once its *work* exceeds this
    /// (`nil`, the default: no limit), like ``nodeLimit``: the best plan and bound so far,
    /// status `feasible` unless optimality is proven (`nodeLimitReached` in the details
    /// covers both limits). Work is GLPK's simplex iterations (root and nodes) times the
    /// size (rows + columns) of the model GLPK starts from: an iteration costs about that
    /// much, so the limit buys comparable time on models whose node LPs are short or long,
    /// which a node limit does not. Deterministic. Must be ≥ 0.
    public var workLimit: Int?
    /// Refuse models with more non-zeros than this (default 5 000 000), with
    /// ``SolverError/tooLarge(reason:)``, before GLPK allocates anything: the reduced
    /// model (the Benders master with that formulation) once built, and before building,
    /// the floor of ``Formulation/nonzeroLowerBound(_:granularities:)``, since both
    /// formulations build the compact model first.
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
    /// Size of `Docs/model.md` §6 as written.
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

  /// Throws ``SolverError/tooLarge(reason:)`` when the model of `index` is certainly over
  /// ``Options/maximumNonzeros``, counted in one pass without building it
  /// (``Formulation/nonzeroLowerBound(_:granularities:)``). Both formulations build the
  /// compact model first, which at 200 registries × 60 000 images takes minutes and tens of
  /// GiB: callers that do work before solving (a warm start) check this first.
  /// ``solve(_:)-(ProblemIndex)`` checks it too.
  public func checkSize(_ index: ProblemIndex) throws(SolverError) {
    let floor = Formulation.nonzeroLowerBound(index, granularities: options.granularities)
    if floor > options.maximumNonzeros {
      throw .tooLarge(
        reason: "the model would have at least \(floor) non-zeros, over the exact solver's limit of "
          + "\(options.maximumNonzeros); use the approximate planner (method approx) or raise maximumNonzeros")
    }
  }

  /// Solves `index` exactly (or to the limits in ``options``).
  ///
  /// - Returns: the result; infeasible instances and limits are results, not errors.
  /// - Throws: ``SolverError`` when the solve could not run (model too large, GLPK failure)
  ///   or when the evaluator disagrees with GLPK beyond ``/MISModel/Tolerance/objectiveRelative``.
  public func solve(_ index: ProblemIndex) throws(SolverError) -> PlanningResult {
    try solveWithStatistics(index).result
  }

  /// Solves `index` like ``solve(_:)-(ProblemIndex)`` and also returns the solve's figures
  /// (model sizes before and after the reductions, nodes, time split, start-plan use).
  /// The same figures are in the result's ``/MISModel/PlanningResult/statistics``.
  public func solveWithStatistics(_ index: ProblemIndex) throws(SolverError) -> (
    result: PlanningResult, statistics: Statistics
  ) {
    let clock = Stopwatch()
    if let limit = options.timeLimitSeconds, !(limit >= 0) {
      throw .invalidOptions(reason: "the time limit must be a number of seconds ≥ 0, got \(limit)")
    }
    if let gap = options.relativeGap, !(gap >= 0 && gap.isFinite) {
      throw .invalidOptions(reason: "the relative gap must be a finite number ≥ 0, got \(gap)")
    }
    if let limit = options.nodeLimit, limit < 0 {
      throw .invalidOptions(reason: "the node limit must be ≥ 0, got \(limit)")
    }
    if let limit = options.workLimit, limit < 0 {
      throw .invalidOptions(reason: "the work limit must be ≥ 0, got \(limit)")
    }
    if let start = options.startPlan,
      start.layerCount != index.layerCount || start.registryCount != index.registryCount
    {
      throw .invalidOptions(reason: "the start plan's shape does not match the instance")
    }
    try checkSize(index)
    var control = options.control
    if let limit = options.timeLimitSeconds { control = control.limited(toSeconds: limit) }
    let userStop = options.shouldStop
    if let userStop {
      let outer = control.shouldStop
      control.shouldStop = { userStop() || (outer?() ?? false) }
    }
    // The start plan, when feasible, is the fallback answer of a solve stopped early.
    let startMatrix = options.startPlan.map(index.pruned)
    let startMetrics = startMatrix.map { index.evaluate($0) }
    let startIsFeasible = startMetrics.map { $0.feasible && $0.totalLatencySeconds != nil } ?? false
    if options.formulation.resolved(for: index) == .benders {
      return try solveBenders(
        index, control: control, start: startIsFeasible ? startMatrix : nil, clock: clock)
    }
    let formulation = Formulation(index, reductions: options.reductions, granularities: options.granularities)
    let buildSeconds = clock.seconds
    let size = formulation.size
    let restricted = options.granularities != [.layer, .file]
    if size.nonzeros > options.maximumNonzeros {
      throw .tooLarge(
        reason: "the reduced model has \(size.nonzeros) non-zeros, over the exact solver's limit of "
          + "\(options.maximumNonzeros); use the approximate planner (method approx) or raise maximumNonzeros")
    }
    var statistics = Statistics(
      unreducedSize: formulation.unreducedSize, reducedSize: size, nodes: 0, buildSeconds: buildSeconds,
      solveSeconds: 0, startPlan: .none)

    func finish(
      _ status: SolveStatus, _ termination: Termination, _ matrix: PlacementMatrix?, bound: Double?,
      glpkObjective: Double?, fromStart: Bool = false
    )
      throws(SolverError) -> (result: PlanningResult, statistics: Statistics)
    {
      let seconds = clock.seconds
      var status = status
      var termination = termination
      var bound = bound
      var restrictedBound: Double? = nil
      if restricted {
        // A bound of the model restricted to some granularities is no bound on the full
        // model: it goes to the details, and "optimal" only means optimal for the restriction.
        restrictedBound = bound
        bound = nil
        if status == .optimal { status = .feasible }
        if termination == .optimal || termination == .infeasible { termination = .completed }
      }
      var typed = ExactStatistics(
        rows: size.rows, columns: size.columns, nonzeros: size.nonzeros,
        unreducedRows: statistics.unreducedSize.rows, unreducedColumns: statistics.unreducedSize.columns,
        unreducedNonzeros: statistics.unreducedSize.nonzeros, nodes: statistics.nodes,
        buildSeconds: statistics.buildSeconds, solveSeconds: statistics.solveSeconds,
        startPlan: options.startPlan == nil ? nil : Self.describe(statistics.startPlan))
      if fromStart, typed.startPlan != nil { typed.startPlan = "returned" }
      var details: [(key: String, value: JSONValue)] = [
        ("nodes", .number(Double(statistics.nodes))),
        ("rows", .number(Double(size.rows))), ("columns", .number(Double(size.columns))),
        ("nonzeros", .number(Double(size.nonzeros))),
        ("unreducedRows", .number(Double(statistics.unreducedSize.rows))),
        ("unreducedColumns", .number(Double(statistics.unreducedSize.columns))),
        ("unreducedNonzeros", .number(Double(statistics.unreducedSize.nonzeros))),
      ]
      if let use = typed.startPlan { details.append(("startPlan", .string(use))) }
      if restricted { details.append(("restrictedBound", restrictedBound.map(JSONValue.number) ?? .null)) }
      guard let matrix else {
        let result = PlanningResult(
          index: index, matrix: nil, metrics: nil,
          report: SolverReport(
            method: options.methodName, status: status, termination: termination, objective: nil, bound: bound,
            seconds: seconds, details: details),
          statistics: SolveStatistics(exact: typed))
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
          method: options.methodName, status: status, termination: termination, objective: objective,
          bound: reportedBound, seconds: seconds, details: details),
        statistics: SolveStatistics(exact: typed))
      return (result, statistics)
    }

    /// The answer of a solve stopped (`why`) before GLPK found a plan: the start plan when
    /// it is feasible, else no plan.
    func stopped(_ why: Termination, bound: Double?) throws(SolverError) -> (
      result: PlanningResult, statistics: Statistics
    ) {
      if startIsFeasible, let startMatrix {
        return try finish(.feasible, why, startMatrix, bound: bound, glpkObjective: nil, fromStart: true)
      }
      return try finish(.timeLimitNoSolution, why, nil, bound: bound, glpkObjective: nil)
    }

    if !formulation.impossiblePairs.isEmpty {
      return try finish(.infeasible, .infeasible, nil, bound: nil, glpkObjective: nil)
    }
    if formulation.model.columns.isEmpty {
      let empty = PlacementMatrix(for: index)
      return try finish(
        .optimal, .optimal, empty, bound: formulation.originConstant, glpkObjective: formulation.originConstant)
    }
    if let why = control.stopReason() { return try stopped(why, bound: nil) }

    /// GLPK's time limit for what is left of the budget (at least 1 ms: GLPK needs a
    /// positive limit; the callback stops a solve past the deadline anyway).
    func remaining() -> Double? { control.remainingSeconds.map { max(0.001, $0) } }

    var mip = MIPOptions(
      timeLimitSeconds: remaining(), relativeGap: options.relativeGap, presolve: options.presolve,
      cuts: options.cuts, heuristics: options.heuristics)
    mip.nodeLimit = options.nodeLimit
    mip.iterationLimit = options.iterationLimit(for: formulation.model)
    if let start = startMatrix {
      if let values = formulation.columnValues(for: start) {
        mip.incumbent = values
      } else {
        statistics.startPlan = .rejectedInfeasible("the start plan violates the model (e.g. over capacity)")
      }
    }
    let userProgress = options.progress
    let watch = clock
    mip.progress = { [control] p in
      userProgress?(p)
      control.report(
        SolveProgress(
          elapsed: watch.seconds, bestObjective: p.incumbentObjective, bestBound: p.bestBound,
          phase: "branch-and-cut"))
    }
    mip.shouldStop = { [control] in control.isStopRequested }
    let outcome: MIPOutcome
    do {
      outcome = try GLPKSolver.solveMIP(formulation.model, options: mip)
    } catch .glpkInternalError(let message) {
      // A GLPK-internal fault in an optional component (cut generators on a presolved
      // problem): retry once with the plainest configuration before giving up.
      var plain = mip
      plain.cuts = .none
      plain.presolve = false
      plain.timeLimitSeconds = remaining()
      do {
        outcome = try GLPKSolver.solveMIP(formulation.model, options: plain)
      } catch {
        throw .glpkInternalError(message: message + " (and on retry without cuts and presolve: \(error))")
      }
    }
    statistics.nodes = outcome.nodes
    statistics.solveSeconds = outcome.seconds
    if mip.incumbent != nil { statistics.startPlan = outcome.incumbentUse }
    // Why GLPK stopped, in the report's terms: a cancellation is the caller's stop (or the
    // deadline, which the callback enforces too).
    let stopTermination: Termination
    switch outcome.termination {
    case .optimal: stopTermination = .optimal
    case .gapLimit: stopTermination = .gapLimit
    case .timeLimit: stopTermination = .timeLimit
    case .cancelled: stopTermination = control.stopReason() ?? .interrupted
    case .iterationLimit: stopTermination = .completed
    case .infeasible, .unbounded: stopTermination = .infeasible
    }

    switch outcome.status {
    case .infeasible:
      return try finish(.infeasible, .infeasible, nil, bound: nil, glpkObjective: nil)
    case .noSolution:
      return try stopped(stopTermination == .optimal ? .timeLimit : stopTermination, bound: outcome.bestBound)
    case .unbounded:
      throw .glpkFailure(code: 0, context: "GLPK reported an unbounded MIP, impossible for this bounded model")
    case .optimal, .feasible:
      guard let values = outcome.values else {
        throw .glpkFailure(code: 0, context: "GLPK reported a solution without values")
      }
      // Placements that serve nobody (free in the MIP when capacity allows) are dropped.
      var matrix = index.pruned(formulation.placements(from: values))
      var status: SolveStatus = outcome.status == .optimal ? .optimal : .feasible
      var termination: Termination = outcome.status == .optimal ? .optimal : stopTermination
      var bound = outcome.status == .optimal ? outcome.objective : outcome.bestBound
      if status == .feasible, let b = bound, let o = outcome.objective,
        o - b <= Tolerance.optimalityGap * max(1, abs(o))
      {
        status = .optimal
        termination = .optimal
      }
      if status == .optimal, bound == nil { bound = outcome.objective }
      var glpkObjective = outcome.objective
      // GLPK accepts a row within its feasibility tolerance (relative, ~1e-7 of the
      // capacity), so a plan can come back a few bytes over a capacity of many gigabytes.
      // Re-solve with those capacity rows lowered by at least that tolerance (doubling on
      // each try); the first solve's bound stays a valid bound, but the plan is then only
      // known to be feasible.
      var model = formulation.model
      var overCapacity = false
      for attempt in 0..<3 {
        let excess = capacityExcess(index, matrix)
        overCapacity = !excess.isEmpty
        if excess.isEmpty { break }
        if control.isStopRequested { break }
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
        retry.timeLimitSeconds = remaining()
        let again = try GLPKSolver.solveMIP(model, options: retry)
        guard again.status == .optimal || again.status == .feasible, let v = again.values else { break }
        matrix = index.pruned(formulation.placements(from: v))
        glpkObjective = again.objective
        status = .feasible
        if termination == .optimal { termination = .completed }
        statistics.nodes += again.nodes
        overCapacity = !capacityExcess(index, matrix).isEmpty
      }
      if overCapacity {
        // Stopped before the capacity re-solve succeeded: the plan is not usable.
        return try stopped(control.stopReason() ?? .timeLimit, bound: bound)
      }
      // Never worse than the start plan (GLPK keeps it as its incumbent; this only matters
      // when the capacity re-solve above replaced the plan).
      if startIsFeasible, let startMatrix, let startObjective = startMetrics?.totalLatencySeconds,
        let planObjective = index.evaluate(matrix).totalLatencySeconds,
        startObjective < planObjective - Tolerance.optimalityGap * max(1, abs(startObjective))
      {
        return try finish(.feasible, termination, startMatrix, bound: bound, glpkObjective: nil, fromStart: true)
      }
      return try finish(status, termination, matrix, bound: bound, glpkObjective: glpkObjective)
    }
  }

  /// The start plan's fate in words, for the report.
  static func describe(_ use: MIPOutcome.IncumbentUse) -> String {
    switch use {
    case .none: return "none"
    case .rejectedInfeasible(let why): return "rejected: \(why)"
    case .notRequested: return "notRequested"
    case .accepted: return "accepted"
    case .rejectedNotBetter: return "rejectedNotBetter"
    }
  }

  /// The Benders path under the same contract as the compact one: `control` (deadline,
  /// cancellation, progress) is handed down as a time limit and a stop callback; the
  /// result gets its termination, falls back to (and is never worse than) a feasible start
  /// plan, reports a restricted bound as `restrictedBound`, and carries typed statistics.
  private func solveBenders(
    _ index: ProblemIndex, control: SolveControl, start: PlacementMatrix?, clock: Stopwatch
  ) throws(SolverError) -> (result: PlanningResult, statistics: Statistics) {
    var inner = options
    inner.timeLimitSeconds = control.remainingSeconds.map { max(0.001, $0) }
    inner.shouldStop = { control.isStopRequested }
    let userProgress = options.progress
    inner.progress = { p in
      userProgress?(p)
      control.report(
        SolveProgress(
          elapsed: clock.seconds, bestObjective: p.incumbentObjective, bestBound: p.bestBound,
          phase: "branch-and-cut"))
    }
    inner.control = SolveControl()
    var (result, statistics): (PlanningResult, Statistics)
    if control.isStopRequested {
      let empty = ModelSize(rows: 0, columns: 0, integerColumns: 0, nonzeros: 0)
      statistics = Statistics(
        unreducedSize: empty, reducedSize: empty, nodes: 0, buildSeconds: 0, solveSeconds: 0, startPlan: .none)
      result = PlanningResult(
        index: index, matrix: nil, metrics: nil,
        report: SolverReport(
          method: options.methodName, status: .timeLimitNoSolution, objective: nil, bound: nil, seconds: 0))
    } else {
      (result, statistics) = try BendersSolver(options: inner).solveWithStatistics(index)
    }
    var report = result.report
    var matrix = result.matrix
    var metrics = result.metrics
    var fromStart = false
    if let start, let startObjective = index.evaluate(start).totalLatencySeconds,
      report.status != .infeasible,
      startObjective < (report.objective ?? .infinity) - Tolerance.optimalityGap * max(1, abs(startObjective))
    {
      matrix = start
      metrics = index.evaluate(start)
      report.status = .feasible
      report.objective = startObjective
      report.bound = report.bound.map { min($0, startObjective) }
      fromStart = true
    }
    switch report.status {
    case .optimal: report.termination = .optimal
    case .infeasible: report.termination = .infeasible
    case .feasible, .timeLimitNoSolution:
      let effortSpent = report.detail("nodeLimitReached") != nil
      report.termination =
        control.stopReason() ?? (effortSpent ? .completed : options.relativeGap != nil ? .gapLimit : .timeLimit)
    }
    if options.granularities != [.layer, .file] {
      report.details.append(("restrictedBound", report.bound.map(JSONValue.number) ?? .null))
      report.bound = nil
      if report.status == .optimal { report.status = .feasible }
      if report.termination == .optimal || report.termination == .infeasible { report.termination = .completed }
    }
    var startUse: String? = options.startPlan == nil ? nil : Self.describe(statistics.startPlan)
    if fromStart { startUse = "returned" }
    if let startUse {
      report.details.removeAll { $0.key == "startPlan" }
      report.details.append(("startPlan", .string(startUse)))
    }
    report.seconds = clock.seconds
    report.updateDerived()
    let typed = ExactStatistics(
      rows: statistics.reducedSize.rows, columns: statistics.reducedSize.columns,
      nonzeros: statistics.reducedSize.nonzeros, unreducedRows: statistics.unreducedSize.rows,
      unreducedColumns: statistics.unreducedSize.columns, unreducedNonzeros: statistics.unreducedSize.nonzeros,
      nodes: statistics.nodes, buildSeconds: statistics.buildSeconds, solveSeconds: statistics.solveSeconds,
      startPlan: startUse)
    return (
      PlanningResult(
        index: index, matrix: matrix, metrics: metrics, report: report, statistics: SolveStatistics(exact: typed)),
      statistics
    )
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

extension ExactSolver.Options {
  /// GLPK's simplex iteration limit that ``workLimit`` gives on `model` (`nil` without one).
  func iterationLimit(for model: LinearModel) -> Int? {
    workLimit.map { max(1, $0 / max(1, model.rows.count + model.columns.count)) }
  }
}
