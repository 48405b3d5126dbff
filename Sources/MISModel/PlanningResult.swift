/// The outcome of any planner: the plan (when one was found), its evaluation, and the
/// `solver` block (`Docs/formats.md` §4).
public struct PlanningResult: Sendable {
  /// The instance's derived data.
  public let index: ProblemIndex
  /// The plan in dense form, when one was found.
  public let matrix: PlacementMatrix?
  /// The evaluator's metrics of the plan (`Docs/model.md` §5).
  public let metrics: PlanMetrics?
  /// Method, status, termination, objective, bound, gap, certified ratio, seconds, seed,
  /// capacity prices, details: the `solver` block of the plan document.
  public var report: SolverReport
  /// Typed figures of the solve (the same figures as ``SolverReport/details``).
  public var statistics: SolveStatistics

  /// Creates a result.
  public init(
    index: ProblemIndex, matrix: PlacementMatrix?, metrics: PlanMetrics?, report: SolverReport,
    statistics: SolveStatistics = SolveStatistics()
  ) {
    self.index = index
    self.matrix = matrix
    self.metrics = metrics
    self.report = report
    self.statistics = statistics
  }

  /// What the solve found.
  public var status: SolveStatus { report.status }
  /// Why the solve stopped.
  public var termination: Termination { report.termination }
  /// `objective / bound` where both exist (see ``SolverReport/certifiedRatio``).
  public var certifiedRatio: Double? { report.certifiedRatio }
  /// The plan's objective `T`, recomputed by the evaluator.
  public var objective: Double? { report.objective }
  /// The proven lower bound on the optimum of the full model, where the method has one.
  public var bound: Double? { report.bound }
  /// The plan with ids, when one was found.
  public var plan: Plan? { matrix.map { index.plan(from: $0) } }

  /// The `mis-plan/1` document of this result (an empty placement list without a plan).
  public func document(pretty: Bool = true) -> [UInt8] {
    PlanCodec.encode(plan ?? Plan(instance: index.instance.name), metrics: metrics, solver: report, pretty: pretty)
  }
}

/// Measures elapsed wall-clock time.
public struct Stopwatch: Sendable {
  private let start = ContinuousClock.now
  /// Starts a stopwatch.
  public init() {}
  /// Seconds since the stopwatch started.
  public var seconds: Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }
}
