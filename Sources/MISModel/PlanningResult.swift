/// The outcome of any planner: the plan (when one was found), its evaluation, and the
/// `solver` block (`Docs/formats.md` §4).
public struct PlanningResult: Sendable {
  /// The instance's derived data.
  public let index: ProblemIndex
  /// The plan in dense form, when one was found.
  public let matrix: PlacementMatrix?
  /// The evaluator's metrics of the plan (`Docs/model.md` §5).
  public let metrics: PlanMetrics?
  /// Method, status, objective, bound, gap, certified ratio, seconds, seed, details.
  public let report: SolverReport

  /// Creates a result.
  public init(index: ProblemIndex, matrix: PlacementMatrix?, metrics: PlanMetrics?, report: SolverReport) {
    self.index = index
    self.matrix = matrix
    self.metrics = metrics
    self.report = report
  }

  /// How the solve ended.
  public var status: SolveStatus { report.status }
  /// The plan's objective `T`, recomputed by the evaluator.
  public var objective: Double? { report.objective }
  /// The proven lower bound, where the method has one.
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
