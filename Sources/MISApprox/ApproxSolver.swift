import Dispatch
import Foundation
import MISModel
import MISSolver
import Synchronization

/// The MIS approximate planner: a relaxation, randomized rounding, repair and greedy fill
/// (best of several seeded trials), then an improvement step — with its ratio checks.
///
/// This implements the collaborative multi-granularity planning strategy of the MIS
/// research (a relaxation plus randomized rounding with a proven approximation ratio);
/// `Docs/approximation.md` states and proves the guarantee of the rounding.
///
/// The relaxation never materialises the linearised model: a lean model (flat arrays of
/// sites, sources and file groups) feeds the Lagrangian engine (block coordinate descent
/// and the volume algorithm), whose every value is a proven lower bound and whose
/// multipliers give the capacity prices; where the model is small enough, the exact LP
/// relaxation is then solved by cut separation on a thinned master (GLPK), and its solution
/// is what gets rounded. Rounded plans are repaired, filled and improved (exchange local
/// search, then a large-neighbourhood search with GLPK sub-MIPs: ``PlanImprover``). With
/// ``Options/dominance`` the layer-only, file-only and popularity plans are candidates too,
/// so the result is never worse than those baselines on the same instance and seed.
///
/// ```swift
/// let index = try ProblemIndex(instance)
/// let result = try ApproxSolver(options: .init(seed: 7, trials: 32)).solve(index)
/// print(result.objective ?? .nan, result.certifiedRatio ?? .nan)
/// ```
///
/// Same seed, same plan: each trial draws from its own generator derived from the seed and
/// the trial number, the relaxation adds partial sums in a fixed block order, and the best
/// candidate is chosen by (objective, order), so the result does not depend on how many
/// threads run. A run stopped by a time limit or a cancellation returns the best plan found
/// so far: which one depends on how far it got, so only unlimited runs are reproducible.
public struct ApproxSolver: Sendable {
  /// How the relaxation is solved.
  public enum RelaxationMethod: String, Sendable, Hashable, CaseIterable {
    /// The Lagrangian engine, then the exact LP where the model is at most
    /// ``Options/exactLPRowLimit`` rows (default).
    case automatic
    /// The Lagrangian engine only (any size; its bound may be below the LP's).
    case lagrangian
    /// The Lagrangian engine, then the exact LP whatever the size.
    case exactLP
  }

  /// Options with documented defaults.
  public struct Options: Sendable, Hashable {
    /// Seed of the rounding (default 0).
    public var seed: UInt64
    /// Number of rounding trials (default 32, at least 1).
    public var trials: Int
    /// Threads (default: the active processor count, at least 1). Does not change the result.
    public var parallelism: Int
    /// Run the greedy fill after repair (default true).
    public var fill: Bool
    /// Run the exchange local search on the best four candidate plans (default true, on
    /// instances with at most 100 000 (layer, registry) slots: each of its tries refills the
    /// whole plan, which beyond that costs minutes; the neighbourhood search takes over).
    public var improve: Bool = true
    /// Run the large-neighbourhood search (``PlanImprover``) on the best plan (default true).
    public var neighbourhoodSearch: Bool = true
    /// Passes of the neighbourhood search at most (default 20). A time limit may stop it
    /// earlier; the work budget usually ends it first.
    public var neighbourhoodPasses: Int = 20
    /// Total effort of the neighbourhood search, in GLPK branch-and-cut callback events
    /// summed over its sub-MIPs (default `nil`: no event limit; ``neighbourhoodWork`` is the
    /// default budget). Deterministic, unlike a time limit, so the plan does not depend on
    /// the machine's speed or load.
    public var neighbourhoodEvents: Int? = nil
    /// Total work of the neighbourhood search: GLPK simplex iterations times the size
    /// (rows + columns) of the sub-MIP they pivot on, summed over its batches with each
    /// batch counting its longest sub-MIP (default 400 000 000, about 20–30 s of search on
    /// the 2-core reference machine; `nil`: no total limit). Deterministic, and unlike an
    /// event budget it buys about the same time whatever the size of the sub-MIPs. Small
    /// instances get ``smallInstanceNeighbourhoodWork`` instead.
    public var neighbourhoodWork: Int? = 400_000_000
    /// The work budget of instances with at most ``smallInstanceSlots`` (layer, registry)
    /// slots (default 550 000 000; `nil`: no limit), where the stages before the search
    /// take seconds at most and the widened neighbourhoods reach the whole model, which
    /// needs long sub-MIPs. Ignored when ``neighbourhoodWork`` is `nil`.
    public var smallInstanceNeighbourhoodWork: Int? = 550_000_000
    /// The largest instance, in (layer, registry) slots, that gets
    /// ``smallInstanceNeighbourhoodWork`` (default 600).
    public var smallInstanceSlots: Int = 600
    /// Sub-MIPs of the neighbourhood search at most (default 400; `nil`: no limit). On large
    /// fleets each sub-MIP is cheap in events but not in building, so this bounds the
    /// default effort there.
    public var neighbourhoodSubMIPs: Int? = 400
    /// Effort limit of one sub-MIP of the neighbourhood search, in GLPK callback events
    /// (default 1000). Lower than ``PlanImprover/Options/subMIPEvents``'s 4000: within the
    /// same total budget more, shorter sub-MIPs improved the plan more (measured on paper
    /// catalogues: 4 × 6 × 25, 36 415 → 25 790 in 94 → 17 s; 5 × 10 × 50, 30 500 → 30 337).
    public var neighbourhoodSubMIPEvents: Int = 1000
    /// On large instances (more than ``neighbourhoodGapSlots`` (layer, registry) slots) the
    /// neighbourhood search stops once the plan is within this relative gap of the
    /// relaxation's bound, `(plan − bound) / plan` (default 0.005, a certified ratio of at
    /// most 1.005; 0: never early). There the last tenths of a percent cost more search
    /// time than the whole relaxation (20 × 50 × 2 000: 13 s of search, half the run, for
    /// 0.13 %); on smaller instances the search runs its full budget.
    /// ``removeEffortBudget()`` sets it to 0.
    public var neighbourhoodGap: Double = 0.005
    /// The smallest instance, in (layer, registry) slots, where ``neighbourhoodGap`` applies
    /// (default 100 000, where the exchange local search stops too).
    public var neighbourhoodGapSlots: Int = 100_000
    /// Times the neighbourhood search may double its neighbourhoods' size and effort after a
    /// pass without improvement, instead of stopping there (default 4: from 1 000 to 16 000
    /// estimated columns, which covers the whole problem of small fleets as one sub-MIP).
    public var neighbourhoodEscalations: Int = 4
    /// Run the exact branch-and-Benders-cut (``/MISSolver/BendersSolver``), started from the
    /// best candidate plan, before the neighbourhood search on small models: those with at
    /// most ``branchAndCutColumns`` estimated routing columns (default true). There it finds
    /// better plans sooner than the search, often proves them optimal (the search is then
    /// skipped), and its bound is a bound of the full model.
    public var branchAndCut: Bool = true
    /// The largest model, in estimated routing columns (two per link of each demanded
    /// (node, layer) pair's node, plus one), that gets the branch-and-cut step (default
    /// 6 000: the paper catalogues up to 4 registries × 6 nodes × 25 images, about 4 600; at
    /// 5 × 8 × 40, about 9 800, the step's nodes cost 20 times more and it found nothing
    /// the search did not, while halving the search's budget).
    public var branchAndCutColumns: Int = 6_000
    /// Effort of the branch-and-cut step (default 2·10¹⁰; `nil`: until optimal, stopped, or,
    /// with a deadline, out of its ``branchAndCutTimeShare`` of the time left):
    /// it stops after this many units divided by the square of the model's estimated routing
    /// columns of branch-and-bound nodes (at least 200), since a node's cost grows about
    /// that fast with the model (measured: 0.65 ms at 1 260 columns, 16 ms at 4 600). About
    /// 10–15 s on the reference machine. Deterministic: the step stops at the same point on
    /// every run. When the step does not prove its plan optimal, the neighbourhood search
    /// that follows gets half of its work budget.
    public var branchAndCutWork: Int? = 20_000_000_000
    /// A second effort limit of the branch-and-cut step (default 1.2·10⁸; `nil`: none):
    /// GLPK's simplex iterations times the size (rows + columns) of the master it starts
    /// from (``/MISSolver/ExactSolver/Options/workLimit``); whichever limit comes first ends
    /// the step. The node limit above assumes node LPs grow with the routing columns; on
    /// models with few demanded pairs but many file classes they do not (a real-image
    /// instance of 400 estimated columns got a limit of 125 000 nodes, and its step ran for
    /// minutes). Set above the node limit's effort on the paper catalogues it was measured
    /// on, which it leaves unchanged (4 × 6 × 25 seed 3: about 9·10⁷ units at its 911 nodes;
    /// 3 × 4 × 15 seed 1 proves its optimum with 8.4·10⁷). Deterministic.
    public var branchAndCutSimplexWork: Int? = 120_000_000
    /// Without an effort limit on the branch-and-cut step (``branchAndCutWork`` `nil`, as
    /// under a time limit) and with a deadline, the share of the time left that the step
    /// may use (default 0.5); the neighbourhood search gets the rest when the step does not
    /// prove its plan optimal. With all of it, the search never ran under a time limit: on
    /// 3 × 4 × 15 seed 6 a 60 s limit ended at 2 410.67 while the default effort, without a
    /// limit, finds 2 402.69 in 11 s (`Docs/approximation.md`).
    public var branchAndCutTimeShare: Double = 0.5
    /// Lifts the neighbourhood search's default effort (passes, events, work, sub-MIP count)
    /// and lets it widen its neighbourhoods up to 8 times: with a deadline it then improves
    /// the plan until the deadline, or until the widest neighbourhoods find nothing. Also
    /// lifts the branch-and-cut step's effort limits (``branchAndCutWork``,
    /// ``branchAndCutSimplexWork``), which then stops at its ``branchAndCutTimeShare`` of the
    /// time left. What the `approx` method does under a time limit.
    public mutating func removeEffortBudget() {
      neighbourhoodPasses = Int.max
      neighbourhoodEvents = nil
      neighbourhoodWork = nil
      smallInstanceNeighbourhoodWork = nil
      neighbourhoodSubMIPs = nil
      neighbourhoodEscalations = max(neighbourhoodEscalations, 8)
      neighbourhoodGap = 0
      branchAndCutWork = nil
      branchAndCutSimplexWork = nil
    }

    /// Also try the deterministic greedy fill from the empty plan as one more candidate
    /// (default true). It never changes the guarantee: the best plan only gets better.
    public var includeGreedy: Bool
    /// Also plan with the layer-only, file-only and popularity baselines and keep the best
    /// (default true; only when both granularities are allowed). This makes the result
    /// never worse than theirs (same seed and options, no time limit).
    public var dominance: Bool = true
    /// How the relaxation is solved (default ``RelaxationMethod/automatic``).
    public var relaxation: RelaxationMethod = .automatic
    /// Volume iterations of the Lagrangian engine at most (default 1 500): its default
    /// effort, lowered on large models to a fixed budget of work (about 1.5·10^10 visits of
    /// model entries, a few seconds) whatever the machine; never below 40.
    public var relaxationIterations: Int = 1_500
    /// The automatic relaxation also solves the exact LP (GLPK's dual simplex on the
    /// compact model) when that model has at most this many rows (default 50 000: the
    /// paper-scale 5 × 10 × 50 catalogue, 42 000 rows, solves in about 15 s).
    public var exactLPRowLimit: Int = 50_000
    /// The granularities plans may use (default both; one for the layer-only and file-only
    /// baselines).
    public var granularities: Set<Granularity> = [.layer, .file]
    /// The method name written in the report (default `approx`).
    public var methodName: String = "approx"
    /// When no trial yields a feasible plan — possible only when some node has no origin
    /// link, where feasibility alone is a bin-packing problem — search for any feasible plan
    /// with the MIP for at most this many seconds (default 10; `nil`: never), then fill it.
    public var feasibilityFallbackSeconds: Double? = 10

    /// The options of the layer-only or file-only baseline planned with these options: the
    /// same pipeline restricted to one granularity, without the neighbourhood search and
    /// the dominance candidates, and with at most 200 volume iterations of the relaxation
    /// (a baseline's relaxation only guides its rounding). ``ApproxSolver`` plans them with
    /// exactly these options for dominance, and the `layer-only` and `file-only` methods
    /// use them too, so the approximate plan is never worse than theirs.
    public func restricted(to granularity: Granularity, methodName: String) -> Options {
      var options = self
      options.relaxationIterations = min(options.relaxationIterations, 200)
      options.granularities = [granularity]
      options.dominance = false
      options.neighbourhoodSearch = false
      options.branchAndCut = false
      options.methodName = methodName
      return options
    }

    /// Creates options.
    public init(
      seed: UInt64 = 0, trials: Int = 32, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
      fill: Bool = true, includeGreedy: Bool = true
    ) {
      self.seed = seed
      self.trials = trials
      self.parallelism = parallelism
      self.fill = fill
      self.includeGreedy = includeGreedy
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
    /// Building the lean model.
    public var build: Double
    /// Solving the relaxation (Lagrangian engine and, where run, the exact LP).
    public var lp: Double
    /// Rounding, summed over trials (CPU time across threads).
    public var rounding: Double
    /// Repair and fill, summed over trials, and the exchange local search.
    public var repair: Double
    /// The baselines planned for dominance.
    public var baselines: Double = 0
    /// The large-neighbourhood search.
    public var improve: Double = 0
    /// Wall-clock total.
    public var total: Double
  }

  /// The options.
  public var options: Options

  /// The share of the time left that each dominance baseline may use under a deadline.
  static let baselineTimeShare = 0.2

  /// Creates a solver.
  public init(options: Options = Options()) { self.options = options }

  /// Plans `index` under `control` (time limit, cancellation, progress).
  ///
  /// - Returns: the plan with its metrics, report (bound, certified ratio, capacity prices,
  ///   termination) and typed statistics. Infeasible instances and limits are results.
  /// - Throws: ``/MISSolver/SolverError/invalidOptions(reason:)`` for invalid options, or a GLPK failure.
  public func solve(_ index: ProblemIndex, control: SolveControl = .unlimited) throws(SolverError) -> PlanningResult {
    try solveWithDetails(index, control: control).result
  }

  /// Plans `index` like ``solve(_:control:)`` and also returns the per-trial figures, the
  /// ratio checks and the time split.
  public func solveWithDetails(_ index: ProblemIndex, control: SolveControl = .unlimited) throws(SolverError)
    -> ApproxResult
  {
    guard options.trials >= 1 else { throw .invalidOptions(reason: "trials must be at least 1, got \(options.trials)") }
    guard options.parallelism >= 1 else {
      throw .invalidOptions(reason: "parallelism must be at least 1, got \(options.parallelism)")
    }
    guard options.relaxationIterations >= 0 else {
      throw .invalidOptions(reason: "relaxationIterations must be at least 0, got \(options.relaxationIterations)")
    }
    guard options.neighbourhoodGap >= 0 && options.neighbourhoodGap < 1 else {
      throw .invalidOptions(reason: "neighbourhoodGap must be in [0, 1), got \(options.neighbourhoodGap)")
    }
    guard options.branchAndCutTimeShare > 0 && options.branchAndCutTimeShare <= 1 else {
      throw .invalidOptions(
        reason: "branchAndCutTimeShare must be in (0, 1], got \(options.branchAndCutTimeShare)")
    }
    let clock = Stopwatch()
    var stopReason: Termination? = nil
    func stopRequested() -> Bool {
      if stopReason == nil { stopReason = control.stopReason() }
      return stopReason != nil
    }
    let method = options.methodName
    // A bound of a model restricted to one granularity is no bound of the full model.
    let boundIsFull = options.granularities == [.layer, .file]
    /// Reports a phase with the best plan and bound so far (none for a restricted model).
    let report: @Sendable (_ best: Double?, _ bound: Double?, _ phase: String) -> Void = { best, bound, phase in
      control.report(
        SolveProgress(
          elapsed: clock.seconds, bestObjective: best, bestBound: boundIsFull ? bound : nil,
          phase: "\(method): \(phase)"))
    }
    report(nil, nil, "building the relaxation model")
    let model = RelaxationModel(index, granularities: options.granularities, parallelism: options.parallelism)
    let build = clock.seconds
    let originOnly = index.originOnlyLatency
    var timing = Timing(build: build, lp: 0, rounding: 0, repair: 0, total: 0)

    func finish(
      status: SolveStatus, matrix: PlacementMatrix?, metrics: PlanMetrics?, bound: Double?, prices: [Double]?,
      trials: [Trial], statistics: ApproxStatistics, details: [(key: String, value: JSONValue)]
    ) -> ApproxResult {
      timing.total = clock.seconds
      var termination: Termination
      switch status {
      case .infeasible: termination = .infeasible
      case .optimal: termination = .optimal
      case .feasible, .timeLimitNoSolution: termination = stopReason ?? .completed
      }
      if status == .timeLimitNoSolution && stopReason == nil { termination = .completed }
      let capacityPrices = prices.map { prices in
        (0..<index.registryCount).map {
          CapacityPrice(registry: index.instance.registries[$0].id, secondsPerGiB: prices[$0])
        }
      }
      let report = SolverReport(
        method: options.methodName, status: status, termination: termination, objective: metrics?.totalLatencySeconds,
        bound: bound, seconds: timing.total, seed: options.seed, capacityPrices: capacityPrices, details: details)
      var statistics = statistics
      statistics.relaxationSeconds = timing.lp
      statistics.roundingSeconds = timing.rounding
      statistics.repairSeconds = timing.repair
      statistics.improveSeconds = timing.improve
      let result = PlanningResult(
        index: index, matrix: matrix, metrics: metrics, report: report,
        statistics: SolveStatistics(approx: statistics))
      let ratios = RatioCheck(
        lowerBound: bound, objective: metrics?.totalLatencySeconds, originOnly: originOnly, trials: trials)
      return ApproxResult(result: result, ratios: ratios, trials: trials, timing: timing)
    }

    if !model.impossiblePairs.isEmpty {
      return finish(
        status: .infeasible, matrix: nil, metrics: nil, bound: nil, prices: nil, trials: [],
        statistics: ApproxStatistics(trials: 0), details: [])
    }
    let candidates = Candidates(model)
    var pool: [Outcome] = []

    // 1. The greedy plan: the anytime fallback, and the step target of the relaxation.
    if options.includeGreedy || options.relaxation != .exactLP {
      report(nil, nil, "greedy plan")
      let watch = Stopwatch()
      var state = PlanState(index: index)
      if Repair.complete(&state, candidates: candidates, fill: true) {
        pool.append(Outcome(label: "greedy", order: -1, matrix: state.matrix))
      }
      timing.repair += watch.seconds
    }
    let greedyObjective = pool.first.map { PlanState(index: index, matrix: $0.matrix).objective }
    report(greedyObjective, nil, "greedy plan done, relaxation")

    // 2. The relaxation.
    let lpWatch = Stopwatch()
    var lagrangian = LagrangianRelaxation.Options()
    // The default effort scales down on large models so that the relaxation stays a few
    // seconds of work (a deterministic budget: about 1.5·10^10 entry visits, some 300
    // iterations at 20 × 50 × 2 000).
    let work = model.sourceCount + model.siteCount + 2 * model.siteGroups.count + model.pairCount
    lagrangian.maximumIterations = min(options.relaxationIterations, max(40, 15_000_000_000 / max(1, 6 * work)))
    lagrangian.maximumSweeps = min(lagrangian.maximumSweeps, max(5, 400_000_000 / max(1, 40 * work)))
    lagrangian.parallelism = options.parallelism
    lagrangian.targetSaving = greedyObjective.map { max(0, model.referenceLatency - $0) }
    // Under a deadline the Lagrangian phase gets at most half of the time left, so that
    // rounding, the Lagrangian heuristic and the search still run before it.
    if let remaining = control.remainingSeconds {
      let relaxationDeadline = ContinuousClock.now + .milliseconds(Int64(min(remaining, 1e9) * 500))
      lagrangian.shouldStop = { control.isStopRequested || ContinuousClock.now >= relaxationDeadline }
    } else {
      lagrangian.shouldStop = { control.isStopRequested }
    }
    if control.progress != nil {
      lagrangian.progress = { iteration, bound in
        if iteration % 20 == 0 { report(greedyObjective, bound, "relaxation iteration \(iteration)") }
      }
    }
    let lag = LagrangianRelaxation(options: lagrangian).solve(model)
    var bound = lag.lowerBound
    var fractional = lag.fractional
    var prices = lag.capacityPrices
    var boundSource = "lagrangian"
    var lpCutRounds: Int? = nil
    let relaxationIterations = lag.iterations + lag.sweeps
    // The compact model's rows, estimated from the lean one: one per source (a ≤ x), per
    // pair, per sharing entry (z ≤ y), per site (x + z ≤ 1), per registry.
    let compactRows =
      model.sourceCount + model.pairCount + model.siteGroups.count + model.siteCount + model.registryCount
    if options.relaxation == .exactLP || (options.relaxation == .automatic && compactRows <= options.exactLPRowLimit),
      !stopRequested()
    {
      var reductions = Reductions.all
      reductions.oversizedCopies = false
      let formulation = Formulation(index, reductions: reductions, granularities: options.granularities)
      // Under a deadline the exact LP, like the Lagrangian phase, gets at most half of the
      // time left: cut short, the Lagrangian bound and averaged primal stand.
      let limit = control.remainingSeconds.map { max(0.001, $0 * 0.5) }
      // The LP on the thinned Benders master: the routing columns never reach GLPK, and
      // the optimality cuts are generated as the LP asks for them.
      var exact = try CutRelaxation.solve(
        formulation, timeLimitSeconds: limit, shouldStop: { control.isStopRequested })
      lpCutRounds = exact.rounds
      if let lower = exact.lowerBound, let upper = greedyObjective,
        lower > upper + Tolerance.optimalityGap * max(1, abs(upper))
      {
        // A bound above a feasible plan's latency is a numerical failure of GLPK on the
        // master (seen with 2^53-byte layers); the compact LP, through GLPK's presolver,
        // is the fallback.
        let compact = try Relaxation.solve(
          formulation, timeLimitSeconds: control.remainingSeconds.map { max(0.001, $0) })
        exact = CutRelaxation(
          status: compact.status, lowerBound: compact.lowerBound, fractionalPlan: compact.fractionalPlan,
          capacityPrices: compact.capacityPrices, converged: true, rounds: 0, cuts: 0)
        lpCutRounds = nil
      }
      switch exact.status {
      case .infeasible:
        // The LP relaxation is infeasible, hence so is the instance.
        timing.lp = lpWatch.seconds
        return finish(
          status: .infeasible, matrix: nil, metrics: nil, bound: nil, prices: nil, trials: [],
          statistics: ApproxStatistics(trials: 0, relaxationIterations: relaxationIterations, boundSource: "lp"),
          details: [])
      case .optimal:
        if let lower = exact.lowerBound, let solution = exact.fractionalPlan {
          if lower >= bound {
            bound = lower
            prices = exact.capacityPrices ?? prices
            // Short of convergence the master LP still relaxes the model: a valid bound,
            // below the LP's.
            boundSource = exact.converged ? "lp" : "lp-partial"
          }
          fractional = solution
        }
      case .limit:
        _ = stopRequested()
      }
      // The LP above keeps copies larger than their registry (so that its prices are honest),
      // but no plan can hold one: where its optimum stores a share of such a copy, that
      // registry's room goes to a copy every rounded plan loses in repair, together with
      // what the LP fitted around it (layer-only at 4 × 8 × 20 seed 2, capacity 0.3:
      // 54 844 instead of 45 513). On a restricted model (the layer-only and file-only
      // baselines, which run without the improvement steps) the rounding then follows the
      // LP without them, an exact reduction; the bound and the prices stay the first LP's.
      // The full model's search repairs that loss itself, and there the second LP measured
      // worse (4 × 6 × 25 seed 3 at default effort: 24 375 instead of 24 293).
      if !boundIsFull, exact.status == .optimal, Self.storesOversizedCopy(fractional, index), !stopRequested() {
        let fitting = Formulation(index, reductions: .all, granularities: options.granularities)
        let guide = try CutRelaxation.solve(
          fitting, timeLimitSeconds: control.remainingSeconds.map { max(0.001, $0 * 0.5) },
          shouldStop: { control.isStopRequested })
        if guide.status == .optimal, let solution = guide.fractionalPlan { fractional = solution }
      }
    }
    timing.lp = lpWatch.seconds
    report(greedyObjective, bound, "relaxation done")

    // A greedy plan that meets the Lagrangian bound (computed in Swift, so trusted even
    // where GLPK's LP might not be) is optimal: nothing after this could improve it, so
    // rounding, baselines and the search are skipped (`provenOptimalBy` in the details).
    let greedyIsOptimal =
      greedyObjective.map { $0 <= lag.lowerBound + Tolerance.optimalityGap * max(1, abs($0)) } ?? false

    // 3. Rounding trials, in parallel; each writes its own slot.
    var base = SplitMix64(seed: options.seed)
    let seeds = (0..<options.trials).map { _ in base.next() }
    let fill = options.fill
    let slots = ParallelSlots<TrialOutcome>(count: options.trials)
    let workers = max(1, min(options.parallelism, options.trials))
    let relaxed = fractional
    if !greedyIsOptimal && !stopRequested() {
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var t = worker
        while t < seeds.count {
          if control.isStopRequested { break }
          slots.set(
            t, Self.runTrial(t, seed: seeds[t], fractional: relaxed, index: index, candidates: candidates, fill: fill))
          t += workers
        }
      }
      _ = stopRequested()
    }
    // The Lagrangian heuristic: the subproblem's integral solution at the best multipliers,
    // repaired and filled like a rounded plan (one more candidate; often the best at scale,
    // where the averaged primal is still far from converged).
    if !greedyIsOptimal && !stopRequested() {
      let watch = Stopwatch()
      var state = PlanState(index: index, matrix: RandomizedRounding.integral(lag.subproblemPlan))
      if Repair.complete(&state, candidates: candidates, fill: fill) {
        pool.append(Outcome(label: "lagrangian", order: -3, matrix: state.matrix))
      }
      timing.repair += watch.seconds
    }
    var trials: [Trial] = []
    for (t, outcome) in slots.all.enumerated() {
      guard let outcome else { continue }
      trials.append(outcome.trial)
      timing.rounding += outcome.roundingSeconds
      timing.repair += outcome.repairSeconds
      if let matrix = outcome.matrix { pool.append(Outcome(label: "trial", order: t, matrix: matrix)) }
    }

    // Evaluated objective of each pool entry (nil: infeasible), computed once.
    var poolObjectives: [Double?] = []
    func scorePool() {
      while poolObjectives.count < pool.count {
        let metrics = index.evaluate(pool[poolObjectives.count].matrix)
        poolObjectives.append(metrics.feasible ? metrics.totalLatencySeconds : nil)
      }
    }

    // 4. Dominance: the baselines' plans are feasible MIS plans. A baseline whose every plan
    // costs at least the best plan so far (its uncapacitated latency, a lower bound on all
    // plans of its granularity) cannot win and is not run.
    var baselineObjectives: [(key: String, value: JSONValue)] = []
    var baselineFloors: [(key: String, value: JSONValue)] = []
    if options.dominance && options.granularities == [.layer, .file] && !greedyIsOptimal && !stopRequested() {
      let watch = Stopwatch()
      for (name, granularity) in [("layer-only", Granularity.layer), ("file-only", .file)] {
        if stopRequested() { break }
        scorePool()
        let best = poolObjectives.compactMap { $0 }.min()
        if let best, let floor = index.uncapacitatedLatency(storingEverywhere: granularity), floor >= best {
          baselineObjectives.append((name, .null))
          baselineFloors.append((name, .number(floor)))
          continue
        }
        let restricted = options.restricted(to: granularity, methodName: name)
        // Under a deadline a baseline gets at most a fifth of the time left: it is one
        // candidate, and the search after it is what more time buys (at 10 × 20 × 200 the
        // layer-only exact LP alone took every second of a 10 s limit).
        var baselineControl =
          control.remainingSeconds.map { control.limited(toSeconds: $0 * Self.baselineTimeShare) } ?? control
        if let outer = control.progress {
          let outerBound = bound
          baselineControl.progress = { p in
            outer(SolveProgress(elapsed: clock.seconds, bestObjective: best, bestBound: outerBound, phase: p.phase))
          }
        }
        let sub = try ApproxSolver(options: restricted).solveWithDetails(index, control: baselineControl)
        if let matrix = sub.result.matrix {
          pool.append(Outcome(label: name, order: 1_000_000 + pool.count, matrix: matrix))
        }
        baselineObjectives.append((name, sub.result.objective.map(JSONValue.number) ?? .null))
      }
      if !stopRequested() {
        let popularity = Baselines.popularity(index)
        if let matrix = popularity.matrix, popularity.metrics?.feasible == true {
          pool.append(Outcome(label: "popularity", order: 1_000_000 + pool.count, matrix: matrix))
        }
        baselineObjectives.append(("popularity", popularity.objective.map(JSONValue.number) ?? .null))
      }
      timing.baselines = watch.seconds
    }

    // Feasibility fallback (only without origin links can every candidate fail).
    var fallbackStatus: SolveStatus? = nil
    if pool.isEmpty, !stopRequested(), let seconds = options.feasibilityFallbackSeconds {
      let watch = Stopwatch()
      var exact = ExactSolver.Options(
        timeLimitSeconds: min(seconds, control.remainingSeconds ?? seconds), relativeGap: 1.0)
      exact.granularities = options.granularities
      exact.shouldStop = control.shouldStop
      let found = try ExactSolver(options: exact).solve(index)
      if let matrix = found.matrix {
        var state = PlanState(index: index, matrix: matrix)
        if options.fill { Repair.fill(&state, candidates: candidates) }
        pool.append(Outcome(label: "mip", order: -2, matrix: state.matrix))
      }
      fallbackStatus = found.report.status
      timing.repair += watch.seconds
    }

    // Rank by evaluated objective, then order.
    func ranked() -> [(outcome: Outcome, objective: Double)] {
      scorePool()
      var scored: [(Outcome, Double)] = []
      for (outcome, objective) in zip(pool, poolObjectives) {
        guard let t = objective else { continue }
        scored.append((outcome, t))
      }
      return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.order < $1.0.order }
    }

    // 5. Exchange local search on the best few candidates (never makes a plan worse).
    let slots2 = index.layerCount * index.registryCount
    if options.improve && slots2 <= 100_000 && !greedyIsOptimal && !stopRequested() {
      let watch = Stopwatch()
      var improved: [Outcome] = []
      for (outcome, _) in ranked().prefix(4) {
        if stopRequested() { break }
        var state = PlanState(index: index, matrix: outcome.matrix)
        Repair.improve(&state, candidates: candidates)
        improved.append(Outcome(label: outcome.label + "+exchange", order: outcome.order, matrix: state.matrix))
      }
      pool.append(contentsOf: improved)
      timing.repair += watch.seconds
    }

    // 6. Branch and cut from the best plan, on small models.
    var branchAndCutDetails: [(key: String, value: JSONValue)] = []
    var branchAndCutProved = false
    if options.branchAndCut, options.granularities == [.layer, .file], !greedyIsOptimal,
      case let columns = Planner.estimatedColumns(index), columns <= options.branchAndCutColumns,
      let best = ranked().first,
      !stopRequested()
    {
      report(best.objective, bound, "branch and cut")
      let watch = Stopwatch()
      var exact = ExactSolver.Options(startPlan: best.outcome.matrix)
      exact.nodeLimit = options.branchAndCutWork.map { max(200, $0 / max(1, columns * columns)) }
      exact.workLimit = options.branchAndCutSimplexWork
      exact.control = control.timingProgress(on: clock)
      if options.branchAndCutWork == nil, let left = control.remainingSeconds {
        exact.control = exact.control.limited(toSeconds: options.branchAndCutTimeShare * left)
      }
      exact.formulation = .benders
      do {
        let found = try ExactSolver(options: exact).solve(index)
        if let matrix = found.matrix, found.metrics?.feasible == true {
          pool.append(Outcome(label: best.outcome.label + "+bc", order: best.outcome.order, matrix: matrix))
        }
        if let b = found.report.bound, b > bound {
          bound = b
          boundSource = "branchAndCut"
        }
        branchAndCutProved = found.report.status == .optimal
        branchAndCutDetails = [
          ("branchAndCutStatus", .string(found.report.status.rawValue)),
          ("branchAndCutNodes", found.report.detail("nodes") ?? .null),
          ("branchAndCutSeconds", .number(watch.seconds)),
        ]
      } catch {
        // An optional step: the candidates so far stand, and the report says why it failed.
        branchAndCutDetails = [("branchAndCutStatus", .string("failed: \(error)"))]
      }
      timing.improve += watch.seconds
      _ = stopRequested()
    }

    // 7. Large-neighbourhood search from the best plan.
    var improvement: ImprovementStatistics? = nil
    if options.neighbourhoodSearch, !greedyIsOptimal, !branchAndCutProved, let best = ranked().first,
      !stopRequested()
    {
      report(best.objective, bound, "neighbourhood search")
      let watch = Stopwatch()
      var improverOptions = PlanImprover.Options(
        seed: options.seed, deadline: control.deadline, shouldStop: control.shouldStop,
        parallelism: options.parallelism, granularities: options.granularities)
      improverOptions.cheapMoves = true
      if options.neighbourhoodGap > 0, slots2 > options.neighbourhoodGapSlots, bound.isFinite, bound > 0 {
        improverOptions.goodEnough = bound / (1 - options.neighbourhoodGap)
      }
      if control.progress != nil {
        let searchBound = bound
        improverOptions.onImprovement = { objective in report(objective, searchBound, "neighbourhood search") }
      }
      improverOptions.maxPasses = options.neighbourhoodPasses
      improverOptions.maxTotalEvents = options.neighbourhoodEvents
      improverOptions.maxTotalWork =
        index.layerCount * index.registryCount <= options.smallInstanceSlots && options.neighbourhoodWork != nil
        ? options.smallInstanceNeighbourhoodWork : options.neighbourhoodWork
      if !branchAndCutDetails.isEmpty { improverOptions.maxTotalWork = improverOptions.maxTotalWork.map { $0 / 2 } }
      improverOptions.maxSubMIPs = options.neighbourhoodSubMIPs
      improverOptions.subMIPEvents = options.neighbourhoodSubMIPEvents
      improverOptions.escalations = options.neighbourhoodEscalations
      // Sub-MIPs end on their deterministic effort budget (callback events); the wall-clock
      // limit is only a safety net, far enough that load on the machine never decides the
      // plan (a plan must not depend on the thread count or on other work).
      improverOptions.subMIPSeconds = 60
      let guide: FractionalGuide? =
        slots2 <= 4_000_000
        ? Self.guide(relaxed, layerCount: index.layerCount, registryCount: index.registryCount) : nil
      let (matrix, statistics) = PlanImprover(options: improverOptions).improve(
        index, start: best.outcome.matrix, guide: guide)
      improvement = statistics
      pool.append(Outcome(label: best.outcome.label + "+lns", order: best.outcome.order, matrix: matrix))
      timing.improve += watch.seconds
      _ = stopRequested()
    }

    let order = ranked()
    var bestMatrix: PlacementMatrix? = nil
    var bestMetrics: PlanMetrics? = nil
    var bestLabel = "none"
    var bestTrial: Int? = nil
    if let winner = order.first {
      let matrix = index.pruned(winner.outcome.matrix)
      bestMatrix = matrix
      bestMetrics = index.evaluate(matrix)
      bestLabel = winner.outcome.label
      if winner.outcome.label.hasPrefix("trial") { bestTrial = winner.outcome.order }
    }
    let objective = bestMetrics?.totalLatencySeconds
    var lpRejected = false
    if let objective, boundSource != "lagrangian", bound > objective + Tolerance.optimalityGap * max(1, abs(objective))
    {
      // An LP value above a plan's evaluated latency is a numerical failure of GLPK (seen
      // with 2^53-byte layers): it is no bound. The Lagrangian one, computed in Swift, is.
      bound = min(lag.lowerBound, objective)
      prices = lag.capacityPrices
      boundSource = "lagrangian"
      lpRejected = true
    }
    var status: SolveStatus = objective == nil ? .timeLimitNoSolution : .feasible
    if let objective, objective <= bound + Tolerance.optimalityGap * max(1, abs(objective)) { status = .optimal }
    if objective == nil && stopReason == nil {
      // Every candidate failed without a limit: only instances without origin links get
      // here. The MIP fallback either proved that no plan exists (with these
      // granularities) or found none within its own time limit.
      if fallbackStatus == .infeasible {
        return finish(
          status: .infeasible, matrix: nil, metrics: nil, bound: nil, prices: nil, trials: trials,
          statistics: ApproxStatistics(trials: trials.count, relaxationIterations: relaxationIterations),
          details: [("bestCandidate", .string("none")), ("feasibility", .string("proven infeasible by the MIP"))])
      }
      status = .timeLimitNoSolution
      stopReason = fallbackStatus == nil ? nil : .timeLimit
    }
    let ratios = RatioCheck(lowerBound: bound, objective: objective, originOnly: originOnly, trials: trials)
    var details: [(key: String, value: JSONValue)] = [
      ("boundSource", .string(boundSource)),
      ("lpCutRounds", lpCutRounds.map { .number(Double($0)) } ?? .null),
      ("lpRejected", .bool(lpRejected)),
      ("relaxationIterations", .number(Double(relaxationIterations))),
      ("trials", .number(Double(options.trials))),
      ("bestCandidate", .string(bestLabel)),
      ("relaxationSeconds", .number(timing.lp)),
      ("roundingSeconds", .number(timing.rounding)),
      ("repairSeconds", .number(timing.repair)),
      ("baselinesSeconds", .number(timing.baselines)),
      ("improveSeconds", .number(timing.improve)),
      ("savingsRatio", ratios.savingsRatio.map(JSONValue.number) ?? .null),
      ("theoremBound", .number(RatioCheck.theoremBound)),
      ("meanPreRepairSavingsRatio", ratios.meanPreRepairSavingsRatio.map(JSONValue.number) ?? .null),
    ]
    if let bestTrial { details.insert(("bestTrial", .number(Double(bestTrial))), at: 4) }
    if let improvement {
      details.append(("neighbourhoodsSolved", .number(Double(improvement.subMIPs))))
      details.append(("neighbourhoodImprovements", .number(Double(improvement.subMIPImprovements))))
      details.append(("neighbourhoodEvents", .number(Double(improvement.subMIPEvents))))
      details.append(("neighbourhoodWork", .number(Double(improvement.subMIPWork))))
      details.append(("neighbourhoodEscalations", .number(Double(improvement.escalations))))
      details.append(("neighbourhoodStop", .string(improvement.stop.rawValue)))
    }
    if !baselineObjectives.isEmpty { details.append(("baselines", .object(baselineObjectives))) }
    if !baselineFloors.isEmpty { details.append(("baselinesSkipped", .object(baselineFloors))) }
    if greedyIsOptimal { details.append(("provenOptimalBy", .string("greedy"))) }
    details.append(contentsOf: branchAndCutDetails)
    let statistics = ApproxStatistics(
      trials: trials.count, bestTrial: bestTrial, relaxationIterations: relaxationIterations,
      savingsRatio: ratios.savingsRatio, theoremBound: RatioCheck.theoremBound,
      meanPreRepairSavingsRatio: ratios.meanPreRepairSavingsRatio, boundSource: boundSource)
    return finish(
      status: status, matrix: bestMatrix, metrics: bestMetrics, bound: bound, prices: prices, trials: trials,
      statistics: statistics, details: details)
  }

  /// A candidate plan and where it came from.
  struct Outcome: Sendable {
    var label: String
    var order: Int
    var matrix: PlacementMatrix
  }

  struct TrialOutcome: Sendable {
    var trial: Trial
    var matrix: PlacementMatrix?
    var roundingSeconds: Double
    var repairSeconds: Double
  }

  static func runTrial(
    _ t: Int, seed: UInt64, fractional: FractionalPlan, index: ProblemIndex, candidates: Candidates, fill: Bool
  ) -> TrialOutcome {
    var watch = Stopwatch()
    var rng = SplitMix64(seed: seed)
    let rounded = RandomizedRounding.round(fractional, using: &rng)
    var state = PlanState(index: index, matrix: rounded)
    let pre = state.hasUnservedPair ? nil : state.objective
    let storage = state.used
    let roundingSeconds = watch.seconds
    watch = Stopwatch()
    let feasible = Repair.complete(&state, candidates: candidates, fill: fill)
    return TrialOutcome(
      trial: Trial(
        number: t, preRepairObjective: pre, preRepairStorage: storage, finalObjective: feasible ? state.objective : nil),
      matrix: feasible ? state.matrix : nil, roundingSeconds: roundingSeconds, repairSeconds: watch.seconds)
  }

  /// Whether `fractional` stores a positive share of a copy larger than its registry's
  /// capacity (layer level: the layer's bytes; file level: its files' bytes), which no
  /// plan can hold.
  static func storesOversizedCopy(_ fractional: FractionalPlan, _ index: ProblemIndex) -> Bool {
    for l in 0..<fractional.layerCount {
      var found = false
      var fileBytes: Int64? = nil
      fractional.forEachCandidate(layer: l) { r, x, z in
        if found { return }
        if x > 1e-9, index.layerSize[l] > index.capacity[r] { found = true }
        if z > 1e-9 {
          let bytes = fileBytes ?? index.fileBytes(ofLayer: l)
          fileBytes = bytes
          if bytes > index.capacity[r] { found = true }
        }
      }
      if found { return true }
    }
    return false
  }

  /// The dense guide of the improvement step.
  static func guide(_ fractional: FractionalPlan, layerCount: Int, registryCount: Int) -> FractionalGuide? {
    var x = [Double](repeating: 0, count: layerCount * registryCount)
    var z = x
    for l in 0..<layerCount {
      fractional.forEachCandidate(layer: l) { r, xs, zs in
        x[l * registryCount + r] = xs
        z[l * registryCount + r] = zs
      }
    }
    return try? FractionalGuide(layerCount: layerCount, registryCount: registryCount, layerLevel: x, fileLevel: z)
  }
}

/// An approximate plan with its ratio checks and per-trial figures
/// (``ApproxSolver/solveWithDetails(_:control:)``).
public struct ApproxResult: Sendable {
  /// The plan, its metrics, the `solver` report (bound = the relaxation's lower bound) and
  /// typed statistics.
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
