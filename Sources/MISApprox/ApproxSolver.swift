import Dispatch
import Foundation
import MISModel
import MISSolver
import Synchronization

/// The MIS approximate planner: LP relaxation, randomized rounding, repair and greedy
/// fill, best of several seeded trials — with its ratio checks.
///
/// This implements the collaborative multi-granularity planning strategy of the MIS
/// research (LP relaxation plus randomized rounding with a proven approximation ratio);
/// `Docs/approximation.md` states and proves the guarantee of exactly this rounding.
///
/// ```swift
/// let index = try ProblemIndex(instance)
/// let approx = try ApproxSolver(options: .init(seed: 7, trials: 32)).solve(index)
/// print(approx.result.objective ?? .nan, approx.ratios.certifiedRatio ?? .nan)
/// try approx.ratios.check()
/// ```
///
/// Same seed, same plan: each trial draws from its own generator derived from the seed and
/// the trial number, and the best trial is chosen by (objective, trial number), so the
/// result does not depend on how many threads run the trials.
public struct ApproxSolver: Sendable {
  /// Options with documented defaults.
  public struct Options: Sendable, Hashable {
    /// Seed of the rounding (default 0).
    public var seed: UInt64
    /// Number of rounding trials (default 32, at least 1).
    public var trials: Int
    /// LP method (default simplex; interior point for very large models).
    public var lpMethod: LPMethod
    /// Threads running trials (default: the active processor count). Does not change the result.
    public var parallelism: Int
    /// Run the greedy fill after repair (default true).
    public var fill: Bool
    /// Run the exchange local search on the best four candidate plans (default true).
    public var improve: Bool = true
    /// Also try the deterministic greedy fill from the empty plan as one more candidate
    /// (default true). It never changes the guarantee: the best plan only gets better.
    public var includeGreedy: Bool
    /// Exact reductions used in the relaxed model (default: all).
    public var reductions: Reductions
    /// The granularities plans may use (default both; one for the layer-only and file-only
    /// baselines).
    public var granularities: Set<Granularity> = [.layer, .file]
    /// The method name written in the report (default `approx`).
    public var methodName: String = "approx"
    /// When no trial yields a feasible plan — possible only when some node has no origin
    /// link, where feasibility alone is a bin-packing problem — search for any feasible plan
    /// with the MIP for at most this many seconds (default 10; `nil`: never), then fill it.
    public var feasibilityFallbackSeconds: Double? = 10

    /// Creates options.
    public init(
      seed: UInt64 = 0, trials: Int = 32, lpMethod: LPMethod = .simplex,
      parallelism: Int = ProcessInfo.processInfo.activeProcessorCount, fill: Bool = true,
      includeGreedy: Bool = true, reductions: Reductions = .all
    ) {
      self.seed = seed
      self.trials = trials
      self.lpMethod = lpMethod
      self.parallelism = parallelism
      self.fill = fill
      self.includeGreedy = includeGreedy
      self.reductions = reductions
    }
  }

  /// What one rounding trial did.
  public struct Trial: Sendable, Hashable {
    /// Trial number (0-based).
    public var number: Int
    /// Objective of the rounded plan before repair, ignoring capacities (`nil` if some
    /// pair had no source).
    public var preRepairObjective: Double?
    /// Bytes stored per registry before repair.
    public var preRepairStorage: [Int64]
    /// Objective of the final plan of this trial (`nil` if it could not be made feasible).
    public var finalObjective: Double?
  }

  /// Where the time went, in seconds.
  public struct Timing: Sendable, Hashable {
    /// Building the reduced model.
    public var build: Double
    /// Solving the LP relaxation.
    public var lp: Double
    /// Rounding, summed over trials (CPU time across threads).
    public var rounding: Double
    /// Repair and fill, summed over trials.
    public var repair: Double
    /// Wall-clock total.
    public var total: Double
  }

  /// The options.
  public var options: Options

  /// Creates a solver.
  public init(options: Options = Options()) { self.options = options }

  /// Plans `index`.
  ///
  /// - Throws: ``/MISSolver/SolverError`` when the LP cannot be solved (GLPK failure, model too large)
  ///   or the options are invalid.
  public func solve(_ index: ProblemIndex) throws(SolverError) -> ApproxResult {
    guard options.trials >= 1 else { throw .invalidOptions(reason: "trials must be at least 1, got \(options.trials)") }
    let clock = Stopwatch()
    let formulation = Formulation(index, reductions: options.reductions, granularities: options.granularities)
    let build = clock.seconds
    let relaxation = try Relaxation.solve(formulation, method: options.lpMethod)
    let lpSeconds = relaxation.seconds
    let originOnly = index.originOnlyLatency

    func report(
      _ status: SolveStatus, objective: Double?, bound: Double?, details: [(key: String, value: JSONValue)] = []
    )
      -> SolverReport
    {
      SolverReport(
        method: options.methodName, status: status, objective: objective, bound: bound, seconds: clock.seconds,
        seed: options.seed, details: details)
    }

    guard relaxation.status == .optimal, let lowerBound = relaxation.lowerBound else {
      let status: SolveStatus = relaxation.status == .infeasible ? .infeasible : .timeLimitNoSolution
      let result = PlanningResult(
        index: index, matrix: nil, metrics: nil, report: report(status, objective: nil, bound: nil))
      return ApproxResult(
        result: result, ratios: RatioCheck(lowerBound: nil, objective: nil, originOnly: originOnly, trials: []),
        trials: [], timing: Timing(build: build, lp: lpSeconds, rounding: 0, repair: 0, total: clock.seconds))
    }

    var improveSeconds = 0.0
    // Trials, in parallel; each writes its own slot.
    var base = SplitMix64(seed: options.seed)
    let seeds = (0..<options.trials).map { _ in base.next() }
    let fill = options.fill
    let outcomes = Mutex([TrialOutcome?](repeating: nil, count: options.trials))
    let workers = max(1, min(options.parallelism, options.trials))
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      var t = worker
      while t < seeds.count {
        let outcome = Self.runTrial(t, seed: seeds[t], relaxation: relaxation, fill: fill)
        outcomes.withLock { $0[t] = outcome }
        t += workers
      }
    }
    var all = outcomes.withLock { $0 }.compactMap { $0 }
    if options.includeGreedy {
      let watch = Stopwatch()
      var state = PlanState(index: index)
      let feasible = Repair.complete(&state, formulation: formulation, fill: true)
      all.append(
        TrialOutcome(
          trial: Trial(
            number: -1, preRepairObjective: nil, preRepairStorage: [], finalObjective: feasible ? state.objective : nil),
          matrix: feasible ? state.matrix : nil, roundingSeconds: 0, repairSeconds: watch.seconds))
    }

    if !all.contains(where: { $0.matrix != nil }), let seconds = options.feasibilityFallbackSeconds {
      // Feasibility is NP-hard without origin links: ask the MIP for its first incumbent.
      let watch = Stopwatch()
      var exact = ExactSolver.Options(timeLimitSeconds: seconds, relativeGap: 1.0, reductions: options.reductions)
      exact.granularities = options.granularities
      if let found = try? ExactSolver(options: exact).solve(index).matrix {
        var state = PlanState(index: index, matrix: found)
        if options.fill { Repair.fill(&state, formulation: formulation) }
        all.append(
          TrialOutcome(
            trial: Trial(number: -2, preRepairObjective: nil, preRepairStorage: [], finalObjective: state.objective),
            matrix: state.matrix, roundingSeconds: 0, repairSeconds: watch.seconds))
      }
    }

    // Local search on the best few candidates (the exchange step fixes what ratio greedy
    // gets wrong on knapsack-like capacities); never makes a plan worse.
    if options.improve {
      let watch = Stopwatch()
      let ranked = all.indices.filter { all[$0].matrix != nil }
        .sorted { (all[$0].trial.finalObjective ?? .infinity, $0) < (all[$1].trial.finalObjective ?? .infinity, $1) }
      for i in ranked.prefix(4) {
        guard let matrix = all[i].matrix else { continue }
        var state = PlanState(index: index, matrix: matrix)
        Repair.improve(&state, formulation: formulation)
        all[i].matrix = state.matrix
        all[i].trial.finalObjective = state.objective
      }
      improveSeconds = watch.seconds
    }

    // Best by (evaluated objective, trial order).
    var bestMatrix: PlacementMatrix? = nil
    var bestMetrics: PlanMetrics? = nil
    var bestTrial = 0
    for outcome in all {
      guard let matrix = outcome.matrix.map(index.pruned) else { continue }
      let metrics = index.evaluate(matrix)
      guard metrics.feasible, let t = metrics.totalLatencySeconds else { continue }
      if let current = bestMetrics?.totalLatencySeconds, current <= t { continue }
      bestMatrix = matrix
      bestMetrics = metrics
      bestTrial = outcome.trial.number
    }
    let trials = all.map(\.trial).filter { $0.number >= 0 }
    let timing = Timing(
      build: build, lp: lpSeconds, rounding: all.reduce(0) { $0 + $1.roundingSeconds },
      repair: all.reduce(0) { $0 + $1.repairSeconds } + improveSeconds, total: clock.seconds)
    let objective = bestMetrics?.totalLatencySeconds
    let ratios = RatioCheck(lowerBound: lowerBound, objective: objective, originOnly: originOnly, trials: trials)
    var status: SolveStatus = objective == nil ? .timeLimitNoSolution : .feasible
    if let objective, objective <= lowerBound + Tolerance.optimalityGap * max(1, abs(objective)) { status = .optimal }
    let details: [(key: String, value: JSONValue)] = [
      ("trials", .number(Double(options.trials))),
      ("bestTrial", .number(Double(bestTrial))),
      ("lpSeconds", .number(lpSeconds)),
      ("roundingSeconds", .number(timing.rounding)),
      ("repairSeconds", .number(timing.repair)),
      ("savingsRatio", ratios.savingsRatio.map(JSONValue.number) ?? .null),
      ("theoremBound", .number(RatioCheck.theoremBound)),
      ("meanPreRepairSavingsRatio", ratios.meanPreRepairSavingsRatio.map(JSONValue.number) ?? .null),
    ]
    let result = PlanningResult(
      index: index, matrix: bestMatrix, metrics: bestMetrics,
      report: report(status, objective: objective, bound: lowerBound, details: details))
    return ApproxResult(result: result, ratios: ratios, trials: trials, timing: timing)
  }

  struct TrialOutcome: Sendable {
    var trial: Trial
    var matrix: PlacementMatrix?
    var roundingSeconds: Double
    var repairSeconds: Double
  }

  static func runTrial(_ t: Int, seed: UInt64, relaxation: Relaxation, fill: Bool) -> TrialOutcome {
    let index = relaxation.formulation.index
    var watch = Stopwatch()
    var rng = SplitMix64(seed: seed)
    let rounded = RandomizedRounding.round(relaxation, using: &rng)
    var state = PlanState(index: index, matrix: rounded)
    let pre = state.hasUnservedPair ? nil : state.objective
    let storage = state.used
    let roundingSeconds = watch.seconds
    watch = Stopwatch()
    let feasible = Repair.complete(&state, formulation: relaxation.formulation, fill: fill)
    return TrialOutcome(
      trial: Trial(
        number: t, preRepairObjective: pre, preRepairStorage: storage, finalObjective: feasible ? state.objective : nil),
      matrix: feasible ? state.matrix : nil, roundingSeconds: roundingSeconds, repairSeconds: watch.seconds)
  }
}

/// An approximate plan with its ratio checks and per-trial figures.
public struct ApproxResult: Sendable {
  /// The plan, its metrics and the `solver` report (bound = the LP lower bound).
  public let result: PlanningResult
  /// The a-posteriori and a-priori ratio figures.
  public let ratios: RatioCheck
  /// Every rounding trial.
  public let trials: [ApproxSolver.Trial]
  /// Where the time went.
  public let timing: ApproxSolver.Timing
}

/// The ratio checks of an approximate plan (`Docs/model.md` §7, `Docs/approximation.md`).
///
/// * `certifiedRatio = objective / lowerBound` bounds how far the plan is from optimal:
///   `OPT ≤ objective ≤ certifiedRatio · OPT`.
/// * `savingsRatio = (originOnly − objective) / (originOnly − lowerBound)`: the share of
///   the LP's (hence at least of the optimal) saving that the plan achieves.
/// * The theorem: before repair, the expected saving is at least `theoremBound = 1 − 1/e`
///   of the LP's; ``meanPreRepairSavingsRatio`` is the empirical mean over the trials.
public struct RatioCheck: Sendable, Hashable {
  /// The a-priori bound of the rounding theorem, 1 − 1/e ≈ 0.632.
  public static let theoremBound = 1 - exp(-1.0)

  /// The LP lower bound on the optimum.
  public let lowerBound: Double?
  /// The plan's objective.
  public let objective: Double?
  /// Σ D·cO, when every demanded pair has an origin link.
  public let originOnly: Double?
  /// `objective / lowerBound`.
  public let certifiedRatio: Double?
  /// The plan's saving over the LP's saving (1 when the LP saves nothing).
  public let savingsRatio: Double?
  /// Mean over trials of the pre-repair saving over the LP saving.
  public let meanPreRepairSavingsRatio: Double?

  /// Computes the ratios.
  public init(lowerBound: Double?, objective: Double?, originOnly: Double?, trials: [ApproxSolver.Trial]) {
    self.lowerBound = lowerBound
    self.objective = objective
    self.originOnly = originOnly
    if let objective, let lowerBound {
      certifiedRatio = lowerBound > 0 ? objective / lowerBound : (objective == 0 ? 1 : nil)
    } else {
      certifiedRatio = nil
    }
    if let originOnly, let lowerBound {
      let lpSaving = originOnly - lowerBound
      savingsRatio = objective.map { lpSaving > 0 ? (originOnly - $0) / lpSaving : 1 }
      let pre = trials.compactMap(\.preRepairObjective)
      meanPreRepairSavingsRatio =
        pre.isEmpty || pre.count < trials.count
        ? nil
        : (lpSaving > 0 ? pre.reduce(0) { $0 + (originOnly - $1) } / Double(pre.count) / lpSaving : 1)
    } else {
      savingsRatio = nil
      meanPreRepairSavingsRatio = nil
    }
  }

  /// A ratio check that failed.
  public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed.
    public var description: String
  }

  /// Verifies what must hold for every result: the plan is no better than the lower bound
  /// (`objective ≥ LB`, so `certifiedRatio ≥ 1`), no worse than pulling everything from the
  /// origin, and the ratios are consistent with the objective and bound.
  ///
  /// - Throws: ``Failure`` naming the first check that fails.
  public func check() throws(Failure) {
    guard let objective, let lowerBound else { return }
    if !Tolerance.atMost(lowerBound, objective) {
      throw Failure(description: "objective \(objective) is below the lower bound \(lowerBound)")
    }
    if let originOnly, !Tolerance.atMost(objective, originOnly) {
      throw Failure(description: "objective \(objective) is worse than origin-only \(originOnly)")
    }
    if let ratio = certifiedRatio, lowerBound > 0, !Tolerance.objectivesAgree(ratio * lowerBound, objective) {
      throw Failure(description: "certified ratio \(ratio) is inconsistent with \(objective) / \(lowerBound)")
    }
    if let ratio = certifiedRatio, ratio < 1 - Tolerance.objectiveRelative {
      throw Failure(description: "certified ratio \(ratio) is below 1")
    }
  }
}
