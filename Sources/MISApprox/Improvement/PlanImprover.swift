import Dispatch
import Foundation
import MISModel
import MISSolver
import Synchronization

/// The improvement step: MIP-based large-neighbourhood search with GLPK on small sub-MIPs,
/// plus cheap one-placement moves, that turns a feasible plan into a better one and never
/// into a worse one.
///
/// Each step frees the placement decisions of one *neighbourhood*, fixes every other
/// placement to the incumbent, and solves the restricted model exactly (or until its effort
/// limit) with the incumbent as the start vector; the result replaces the incumbent when
/// the evaluator finds it strictly better. Neighbourhoods (``NeighbourhoodKind``):
/// the whole problem when it fits the size cap; RINS chunks where the fractional guide and
/// the incumbent disagree (Danna, Rothberg, Le Pape, Mathematical Programming 102, 2005,
/// doi:10.1007/s10107-004-0518-7); each registry; families of layers that share files;
/// bands of layers of similar size (big copies trade places between full registries);
/// pairs of registries that share nodes. One *pass* visits each once; between passes the
/// cheap moves run (granularity swap, move to another registry; and `Repair`'s exchange
/// local search when a formulation is given). A pass with no improvement widens the
/// neighbourhoods (doubling their size cap and effort) while ``Options/escalations``
/// allows, and otherwise ends the search (a pass that solved the whole problem without
/// proving it optimal does not count); the search also ends after ``Options/maxPasses``,
/// when a total budget is used, at the deadline, or when the whole problem was solved to
/// optimality.
///
/// ```swift
/// let improver = PlanImprover(options: .init(seed: 7, maxSeconds: 20))
/// let (plan, statistics) = improver.improve(index, start: approxMatrix, guide: FractionalGuide(relaxation))
/// print(statistics.startObjective ?? .nan, "→", statistics.finalObjective ?? .nan)
/// ```
///
/// **Determinism.** Without a deadline, the same seed and options give the same plan
/// whatever ``Options/parallelism`` is: neighbourhoods are solved in batches of
/// ``Options/batchSize`` against the same incumbent (in parallel when allowed) and their
/// results are accepted in batch order; each sub-MIP is stopped by a budget of GLPK
/// callback events, which is deterministic, and only as a safety by
/// ``Options/subMIPSeconds`` (``ImprovementStatistics/subMIPsCutByTime`` counts those, each
/// a place where the machine's speed could change the result). With a deadline (or a stop
/// request) the run is deterministic up to where the deadline cuts it: the plan is the
/// same as an unlimited run's incumbent at some point of its sequence, but which point
/// depends on the machine's speed.
public struct PlanImprover: Sendable {
  /// Options with documented defaults.
  public struct Options: Sendable {
    /// Seed of the neighbourhood order (default 0).
    public var seed: UInt64
    /// Stop at this instant (default none).
    public var deadline: ContinuousClock.Instant?
    /// Stop after this many seconds from the start of ``PlanImprover/improve(_:start:guide:formulation:)``
    /// (default none); the earlier of this and ``deadline`` applies.
    public var maxSeconds: Double?
    /// Polled between and inside sub-MIPs; returning `true` stops the search (default none).
    public var shouldStop: (@Sendable () -> Bool)?
    /// Safety wall-clock limit of one sub-MIP, in seconds (default 2).
    public var subMIPSeconds: Double
    /// Deterministic effort limit of one sub-MIP: GLPK branch-and-cut callback events
    /// (roughly a few per node; default 4000).
    public var subMIPEvents: Int
    /// Size cap of a sub-MIP in estimated columns (default 1000: such sub-MIPs mostly
    /// solve to optimality in well under a second). When the whole problem fits in twice
    /// this, the first pass solves it as one sub-MIP.
    public var neighbourhoodSize: Int
    /// GLPK cut families in sub-MIPs (default mixed-integer rounding and clique cuts, as
    /// the exact solver: they close much of the capacity rows' relaxation gap).
    public var subMIPCuts: MIPOptions.Cuts = MIPOptions.Cuts(mir: true, clique: true)
    /// Maximum number of passes over the neighbourhoods (default 6).
    public var maxPasses: Int
    /// A slot is in a RINS neighbourhood when `|x* − x| > rinsThreshold` or
    /// `|z* − z| > rinsThreshold` (default 0.05).
    public var rinsThreshold: Double
    /// Neighbourhoods solved against the same incumbent before their results are accepted
    /// in order (default 2). Part of the result's definition: changing it changes the plan.
    public var batchSize: Int
    /// Threads solving one batch (default: the active processor count). Does not change
    /// the plan.
    public var parallelism: Int
    /// Forced-insertion chains per pass (default 4): the empty slots of most potential gain
    /// are forced in, room is made, and the registries that can serve the layer are
    /// re-optimised in turn; the chain's plan is accepted only if better.
    public var insertions: Int = 4
    /// Total effort of the search in GLPK callback events, summed over every sub-MIP
    /// (default `nil`: no total limit). Checked after each batch, so the plan stays
    /// deterministic; the search ends with ``ImprovementStatistics/Stop/effortBudget``.
    public var maxTotalEvents: Int? = nil
    /// Total work of the search: GLPK simplex iterations weighted by the size (rows +
    /// columns) of the sub-MIP they were spent on, summed over batches, each batch counting
    /// its longest neighbourhood (they run side by side; default `nil`: no limit). The time
    /// of an iteration grows with the model it pivots on, so this budget buys comparable
    /// time on small and large instances, where an event budget buys some instances far
    /// less search than others. Deterministic: checked after each batch, and each sub-MIP
    /// is stopped (``/MISSolver/MIPOptions/iterationLimit``) where it would exceed what is left.
    public var maxTotalWork: Int? = nil
    /// Sub-MIPs solved at most, over the whole search (default `nil`: no limit). Checked
    /// after each batch, like ``maxTotalEvents``.
    public var maxSubMIPs: Int? = nil
    /// Times the search may widen its neighbourhoods after a pass without improvement
    /// (default 0: such a pass ends the search). Each widening doubles
    /// ``neighbourhoodSize`` and ``subMIPEvents`` for the passes that follow, so the search
    /// leaves a local optimum of small neighbourhoods for larger ones (ultimately the whole
    /// problem as one sub-MIP) instead of stopping there.
    public var escalations: Int = 0
    /// Run the cheap moves between passes (default true).
    public var cheapMoves: Bool
    /// Granularities the plan may use (default both).
    public var granularities: Set<Granularity>
    /// Called with the new objective each time the plan improves (default `nil`), from
    /// the thread that runs ``PlanImprover/improve(_:start:guide:formulation:)``.
    public var onImprovement: (@Sendable (Double) -> Void)? = nil
    /// The search stops once the plan's objective is at most this (default `nil`: never),
    /// e.g. when it is within a target gap of a proven lower bound.
    public var goodEnough: Double? = nil

    /// Creates options with the documented defaults.
    public init(
      seed: UInt64 = 0, deadline: ContinuousClock.Instant? = nil, maxSeconds: Double? = nil,
      shouldStop: (@Sendable () -> Bool)? = nil, subMIPSeconds: Double = 2, subMIPEvents: Int = 4000,
      neighbourhoodSize: Int = 1000, maxPasses: Int = 6, rinsThreshold: Double = 0.05, batchSize: Int = 2,
      parallelism: Int = ProcessInfo.processInfo.activeProcessorCount, cheapMoves: Bool = true,
      granularities: Set<Granularity> = [.layer, .file]
    ) {
      self.seed = seed
      self.deadline = deadline
      self.maxSeconds = maxSeconds
      self.shouldStop = shouldStop
      self.subMIPSeconds = subMIPSeconds
      self.subMIPEvents = subMIPEvents
      self.neighbourhoodSize = neighbourhoodSize
      self.maxPasses = maxPasses
      self.rinsThreshold = rinsThreshold
      self.batchSize = batchSize
      self.parallelism = parallelism
      self.cheapMoves = cheapMoves
      self.granularities = granularities
    }
  }

  /// The options.
  public var options: Options

  /// Creates an improver.
  public init(options: Options = Options()) { self.options = options }

  /// Improves `start`, never returning a worse plan.
  ///
  /// - Parameters:
  ///   - index: the instance.
  ///   - start: a feasible plan. A plan of the wrong shape, or one the evaluator finds
  ///     infeasible, is returned unchanged (``ImprovementStatistics/stop`` says so).
  ///   - guide: the relaxation's fractional placement, for RINS neighbourhoods; `nil` to
  ///     skip them. A guide of the wrong shape is ignored.
  ///   - formulation: when the caller has the reduced model at hand, `Repair`'s exchange
  ///     local search runs between passes too; `nil` (the default) skips it.
  /// - Returns: the best plan found (pruned of placements that serve nobody) and what the
  ///   search did. Its objective, by ``/MISModel/ProblemIndex/evaluate(_:)-(PlacementMatrix)``, is at most the
  ///   start's.
  public func improve(
    _ index: ProblemIndex, start: PlacementMatrix, guide: FractionalGuide?, formulation: Formulation? = nil
  ) -> (PlacementMatrix, ImprovementStatistics) {
    let watch = Stopwatch()
    let clock = ContinuousClock()
    var until = options.deadline
    if let seconds = options.maxSeconds {
      let limit = clock.now.advanced(by: .nanoseconds(Int64(min(max(seconds, 0), 1e9) * 1e9)))
      until = until.map { min($0, limit) } ?? limit
    }
    let deadline = until
    var statistics = ImprovementStatistics()
    guard start.layerCount == index.layerCount, start.registryCount == index.registryCount else {
      statistics.stop = .invalidStart
      statistics.seconds = watch.seconds
      return (start, statistics)
    }
    let startMetrics = index.evaluate(start)
    guard startMetrics.feasible, let startObjective = startMetrics.totalLatencySeconds else {
      statistics.stop = .invalidStart
      statistics.seconds = watch.seconds
      return (start, statistics)
    }
    statistics.startObjective = startObjective
    let guide = guide.flatMap {
      $0.layerCount == index.layerCount && $0.registryCount == index.registryCount ? $0 : nil
    }

    let external = options.shouldStop
    let stopNow: @Sendable () -> Bool = {
      if external?() == true { return true }
      if let deadline, clock.now >= deadline { return true }
      return false
    }
    func remainingSeconds() -> Double {
      guard let deadline else { return .infinity }
      let d = deadline - clock.now
      return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    var best = index.pruned(start)
    var bestObjective = startObjective
    func accept(_ candidate: PlacementMatrix) -> Bool {
      let pruned = index.pruned(candidate)
      let metrics = index.evaluate(pruned)
      guard metrics.feasible, let t = metrics.totalLatencySeconds,
        t < bestObjective - 1e-9 * max(1, abs(bestObjective))
      else { return false }
      best = pruned
      bestObjective = t
      options.onImprovement?(t)
      return true
    }

    let context = ImprovementContext(index)
    var columnCap = max(1, options.neighbourhoodSize)
    var subMIPEvents = options.subMIPEvents
    let escalationCap = max(1, options.neighbourhoodSize) << min(max(0, options.escalations), 20)
    var escalatedBefore = false
    let batchSize = max(1, options.batchSize)
    let workers = max(1, options.parallelism)
    var rng = SplitMix64(seed: options.seed)
    var stop: ImprovementStatistics.Stop = .effort
    let ledger = EffortLedger()
    func budgetUsed() -> Bool {
      if let limit = options.maxSubMIPs, statistics.subMIPs >= limit { return true }
      if let limit = options.maxTotalEvents, ledger.events >= limit { return true }
      if let limit = options.maxTotalWork, ledger.work >= limit { return true }
      return false
    }

    func runCheapMoves() {
      guard options.cheapMoves else { return }
      var state = PlanState(index: index, matrix: best)
      let moved = CheapMoves.run(
        &state, context: context, granularities: options.granularities, shouldStop: stopNow)
      if let formulation, !stopNow() { Repair.improve(&state, formulation: formulation) }
      if (moved > 0 || formulation != nil) && accept(state.matrix) { statistics.cheapMoveImprovements += 1 }
    }

    runCheapMoves()
    passes: for pass in 0..<max(0, options.maxPasses) {
      if let target = options.goodEnough, bestObjective <= target {
        stop = .goodEnough
        break
      }
      if stopNow() {
        stop = external?() == true ? .stopRequested : .deadline
        break
      }
      statistics.passes += 1
      let maxColumns = columnCap
      let neighbourhoods = context.pass(
        pass, incumbent: best, guide: guide, maxColumns: maxColumns, rinsThreshold: options.rinsThreshold,
        insertions: options.insertions, wholeAllowed: pass == 0 || escalatedBefore, rng: &rng)
      escalatedBefore = false
      var improvedInPass = false
      var first = 0
      while first < neighbourhoods.count {
        if stopNow() {
          stop = external?() == true ? .stopRequested : .deadline
          break passes
        }
        let batch = Array(neighbourhoods[first..<min(first + batchSize, neighbourhoods.count)])
        first += batch.count
        let costs = context.pairCosts(best)
        let incumbent = best
        let materialised = batch.map {
          context.slots(
            of: $0, incumbent: incumbent, costs: costs, guide: guide, maxColumns: maxColumns,
            rinsThreshold: options.rinsThreshold)
        }
        // One ledger per neighbourhood: the batch's work is its longest job's (what the wall
        // clock sees when the jobs run side by side), whatever the thread count.
        let jobLedgers = batch.map { _ in EffortLedger() }
        let workLeft = options.maxTotalWork.map { max(1, $0 - ledger.work) }
        let jobLimits = jobLedgers.map {
          SubMIP.Limits(
            seconds: min(options.subMIPSeconds, remainingSeconds()), events: subMIPEvents, shouldStop: stopNow,
            cuts: options.subMIPCuts, ledger: $0, work: workLeft)
        }
        let granularities = options.granularities
        let rinsThreshold = options.rinsThreshold
        let results = Mutex([(SubMIP.Outcome, [Slot]?)?](repeating: nil, count: batch.count))
        DispatchQueue.concurrentPerform(iterations: min(workers, batch.count)) { worker in
          var j = worker
          while j < batch.count {
            if batch[j].kind == .insertion {
              let chain = InsertionChain.run(
                context, incumbent: incumbent, layer: batch[j].layers[0], registry: batch[j].registries[0],
                granularities: granularities, guide: guide, maxColumns: maxColumns, rinsThreshold: rinsThreshold,
                limits: jobLimits[j])
              results.withLock { $0[j] = (chain.outcome, chain.slots) }
            } else {
              let outcome = SubMIP.solve(
                index, incumbent: incumbent, slots: materialised[j], granularities: granularities, limits: jobLimits[j])
              results.withLock { $0[j] = (outcome, nil) }
            }
            j += min(workers, batch.count)
          }
        }
        let outcomes = results.withLock { $0 }
        ledger.add(events: jobLedgers.reduce(0) { $0 + $1.events }, work: jobLedgers.map(\.work).max() ?? 0)
        var slotLists = materialised
        for j in batch.indices {
          guard let (outcome, chainSlots) = outcomes[j] else { continue }
          if let chainSlots { slotLists[j] = chainSlots }
          statistics.record(batch[j].kind, outcome)
          guard let assignment = outcome.assignment else { continue }
          var candidate = best
          for (i, slot) in slotLists[j].enumerated() {
            candidate[Int(slot.layer), Int(slot.registry)] = assignment[i]
          }
          if accept(candidate) {
            statistics.acceptedByKind[batch[j].kind.rawValue, default: 0] += 1
            statistics.subMIPImprovements += 1
            improvedInPass = true
          }
        }
        if batch.count == 1, batch[0].kind == .whole, outcomes[0]?.0.provenOptimal == true,
          outcomes[0]?.0.cutByTime == false
        {
          stop = .provenOptimal
          break passes
        }
        if budgetUsed() {
          stop = .effortBudget
          break passes
        }
        if let target = options.goodEnough, bestObjective <= target {
          stop = .goodEnough
          break passes
        }
      }
      if stopNow() {
        stop = external?() == true ? .stopRequested : .deadline
        break
      }
      let before = bestObjective
      runCheapMoves()
      let wholePass = neighbourhoods.count == 1 && neighbourhoods[0].kind == .whole
      if !improvedInPass && bestObjective >= before && !wholePass {
        // A local optimum for these neighbourhoods: widen them (and their effort) and go
        // on, until the widest allowed has failed too.
        guard columnCap < escalationCap else {
          stop = .effort
          break
        }
        columnCap = min(2 * columnCap, escalationCap)
        subMIPEvents = 2 * subMIPEvents
        statistics.escalations += 1
        escalatedBefore = true
      }
      if pass == options.maxPasses - 1 { stop = .passLimit }
    }
    if options.maxPasses <= 0 { stop = .passLimit }
    statistics.stop = stop
    statistics.subMIPEvents = ledger.events
    statistics.subMIPWork = ledger.work
    statistics.finalObjective = bestObjective
    statistics.seconds = watch.seconds
    return (best, statistics)
  }
}

/// What an improvement run did.
public struct ImprovementStatistics: Sendable, Hashable {
  /// Why the search ended.
  public enum Stop: String, Sendable, Hashable {
    /// A pass found no improvement, and the neighbourhoods could not be widened any more.
    case effort
    /// ``PlanImprover/Options/maxPasses`` passes ran.
    case passLimit
    /// The total effort (``PlanImprover/Options/maxTotalEvents``,
    /// ``PlanImprover/Options/maxTotalWork`` or ``PlanImprover/Options/maxSubMIPs``) was used.
    case effortBudget
    /// The deadline (or ``PlanImprover/Options/maxSeconds``) was reached.
    case deadline
    /// ``PlanImprover/Options/shouldStop`` asked to stop.
    case stopRequested
    /// The whole problem fitted one sub-MIP and GLPK proved it optimal.
    case provenOptimal
    /// The plan reached ``PlanImprover/Options/goodEnough``.
    case goodEnough
    /// The start plan was infeasible or of the wrong shape; it was returned unchanged.
    case invalidStart
  }

  /// The evaluator's objective of the start plan (`nil` if infeasible).
  public var startObjective: Double?
  /// The evaluator's objective of the returned plan.
  public var finalObjective: Double?
  /// Wall-clock seconds.
  public var seconds: Double = 0
  /// Passes started.
  public var passes: Int = 0
  /// Sub-MIPs solved.
  public var subMIPs: Int = 0
  /// GLPK callback events over every sub-MIP: the search's deterministic effort.
  public var subMIPEvents: Int = 0
  /// The work spent, as ``PlanImprover/Options/maxTotalWork`` counts it: simplex iterations
  /// weighted by their sub-MIP's rows + columns, each batch counting its longest
  /// neighbourhood.
  public var subMIPWork: Int = 0
  /// Times the neighbourhoods were widened after a pass without improvement
  /// (``PlanImprover/Options/escalations``).
  public var escalations: Int = 0
  /// Sub-MIPs whose result was accepted.
  public var subMIPImprovements: Int = 0
  /// Sub-MIPs proved optimal within their neighbourhood.
  public var subMIPsProvenOptimal: Int = 0
  /// Sub-MIPs ended by their wall-clock safety limit (where the machine's speed can change
  /// the result).
  public var subMIPsCutByTime: Int = 0
  /// Sub-MIPs where GLPK failed (skipped; never fatal).
  public var subMIPFailures: Int = 0
  /// Seconds spent building and solving sub-MIPs, summed over threads.
  public var subMIPSeconds: Double = 0
  /// Columns of the largest sub-MIP.
  public var largestSubMIPColumns: Int = 0
  /// Sub-MIPs solved per ``NeighbourhoodKind`` (by raw value).
  public var solvedByKind: [String: Int] = [:]
  /// Accepted sub-MIP results per ``NeighbourhoodKind`` (by raw value).
  public var acceptedByKind: [String: Int] = [:]
  /// Rounds of cheap moves that improved the plan.
  public var cheapMoveImprovements: Int = 0
  /// Why the search ended.
  public var stop: Stop = .effort

  /// Creates empty statistics.
  public init() {}

  mutating func record(_ kind: NeighbourhoodKind, _ outcome: SubMIP.Outcome) {
    subMIPs += 1
    solvedByKind[kind.rawValue, default: 0] += 1
    if outcome.provenOptimal { subMIPsProvenOptimal += 1 }
    if outcome.cutByTime { subMIPsCutByTime += 1 }
    if outcome.failed { subMIPFailures += 1 }
    subMIPSeconds += outcome.seconds
    largestSubMIPColumns = max(largestSubMIPColumns, outcome.columns)
  }
}
