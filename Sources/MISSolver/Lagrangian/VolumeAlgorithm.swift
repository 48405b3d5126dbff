import Dispatch
import MISModel

extension LagrangianRelaxation {
  /// Phase 2: the volume algorithm on the knapsack subproblem (``KnapsackSubproblem``:
  /// capacity kept, assignment and sharing rows dualized), from the best multipliers of the
  /// coordinate descent.
  ///
  /// The descent's dual keeps the capacity rows dualized too. At the same `(π, λ)` the
  /// knapsack subproblem's value is that dual's minimum over the capacity prices (a
  /// continuous knapsack's value is `min over μ ≥ 0 of μ·C + Σ (value − μ·size)⁺`), so the
  /// first evaluation is at least as good a bound as the descent's best, and the reported
  /// history never decreases across the phases.
  func solveVolume(
    _ model: RelaxationModel, start: consuming DualState, startValue: Double, history startHistory: [Double],
    sweeps: Int
  ) -> Result {
    let P = model.pairCount
    let S = model.siteCount
    let G = model.groupCount
    let R = model.registryCount
    let layerBlocks = Self.layerBlocks(model)
    let workers = max(1, options.parallelism)
    let chunks = Self.entryChunks(model)
    var history = startHistory
    var pi = start.pi
    var sub = KnapsackSubproblem(model: model)
    let entrySite = sub.groupEntrySite
    var lam = sub.groupMajor(start.lam, model: model)
    // The site-major copy is not needed again: free it before the iterations allocate.
    start.lam = []
    var piBest = pi
    var lamBest = lam
    var sharingStep: KnapsackSubproblem.SharingStep? = nil
    var accL = [Double](repeating: 0, count: S)
    var accF = [Double](repeating: 0, count: S)
    // The descent's best (a bound with its own capacity prices) until the volume beats it.
    var bestValue = startValue
    var bestPrice = start.mu

    // Averaged primal.
    var xBar = [Double](repeating: 0, count: S)
    var zBar = [Double](repeating: 0, count: S)
    var yBar = [Double](repeating: 0, count: G)
    var servedBar = [Double](repeating: 0, count: P)
    var savingBar = 0.0

    // The assignment multipliers' steps are scaled per pair (a diagonal metric): a pair's
    // price lives on the scale of its sources' savings, which differ by orders of
    // magnitude between pairs (demand × layer size), while its subgradient is always a
    // count in [−k, 1]. Unscaled, one step length oscillates the small pairs and barely
    // moves the large ones.
    let pairScale = Self.pairStepScale(model)

    // Step rule (Barahona & Anbil): f grows on green steps and shrinks after a run of
    // non-improving ones; α, the averaging weight, is capped by alphaMax.
    var f = 0.1
    var alphaMax = 0.1
    var redCount = 0
    let target = max(0, options.targetSaving ?? 0)
    var iteration = 0
    var stop = Stop.iterationLimit
    var primalViolation = Double.infinity
    var lastImprovementCheck = Double.infinity
    // After the iterations on the model with every copy, more iterations on the subproblem
    // without the copies larger than their registry (``Options/excludeOversizedCopies``):
    // a higher bound. The capacity prices, the averaged primal and the subproblem's plan
    // stay those of the first model, whose value is convex in the capacities.
    // (`kept` is set at the switch, so the reduced phase is pending while it is nil.)
    let leavesOutOversized = sub.hasOversized && options.excludeOversizedCopies
    var iterationLimit = options.maximumIterations
    var kept: Plans? = nil
    // The iteration after which the direction's averages start again (at the switch).
    var averagesFrom = 0

    /// Evaluates the subproblem at the best multipliers, which may lower the best value.
    func evaluateAtBest() {
      // `lam` would share `lamBest`'s storage after a serious step: let it go, or the
      // evaluation copies it.
      lam = []
      sub.evaluate(
        model, pi: piBest, lam: &lamBest, layerBlocks: layerBlocks, workers: workers, accL: &accL, accF: &accF)
      if sub.value <= bestValue {
        if sub.value < bestValue {
          bestValue = sub.value
          history.append(model.referenceLatency - bestValue)
        }
        if kept == nil { bestPrice = sub.price }
      }
    }

    /// The averaged primal, and the subproblem's 0/1 point at the best multipliers (after
    /// ``evaluateAtBest()``): it seeds the Lagrangian heuristic (the split item of each
    /// knapsack is left out, so the point fits every registry).
    func plans() -> Plans {
      evaluateAtBest()
      if iteration == 0 {
        xBar = sub.x
        zBar = sub.z
      }
      let L = model.index.layerCount
      return Plans(
        fractional: FractionalPlan(
          layerCount: L, registryCount: R, siteLayer: model.siteLayer, siteRegistry: model.siteRegistry,
          layerShares: xBar, fileShares: zBar, layerSiteStart: model.layerSiteStart),
        subproblem: FractionalPlan(
          layerCount: L, registryCount: R, siteLayer: model.siteLayer, siteRegistry: model.siteRegistry,
          layerShares: sub.x.map { $0 >= 1 ? 1 : 0 }, fileShares: sub.z.map { $0 >= 1 ? 1 : 0 },
          layerSiteStart: model.layerSiteStart),
        primalSaving: savingBar, primalViolation: primalViolation)
    }

    while iteration < iterationLimit {
      if let shouldStop = options.shouldStop, shouldStop() {
        stop = .stopped
        break
      }
      iteration += 1
      // The sharing multipliers' step from the last iteration is taken inside the
      // evaluation, fused with the pass that also sums the direction's sharing terms.
      let averaging = iteration > averagesFrom + 1
      sub.evaluate(
        model, pi: pi, lam: &lam, step: sharingStep, averages: averaging ? (yBar, zBar) : nil,
        layerBlocks: layerBlocks, workers: workers, accL: &accL, accF: &accF)
      // Taken: drop its hold on the multipliers it started from, so that at most two
      // copies of them (these and the best) are alive at once.
      sharingStep = nil
      let value = sub.value

      // Direction: α minimising ‖α g + (1 − α) v̄‖, g the subgradient now, v̄ the averaged
      // one (both row slacks b − A·x of the dualized rows).
      var gg = sub.sharingDirection.gg
      var gv = sub.sharingDirection.gv
      var vv = sub.sharingDirection.vv
      for p in 0..<P {
        let g = 1 - sub.served[p]
        let v = 1 - servedBar[p]
        gg += g * g
        gv += g * v
        vv += v * v
      }
      var alpha = 1.0
      if averaging {
        alpha = alphaMax
        let denominator = gg - 2 * gv + vv
        if denominator > 0 { alpha = min(alphaMax, max(alphaMax / 10, (vv - gv) / denominator)) }
      }
      let beta = 1 - alpha
      for s in 0..<S {
        xBar[s] = beta * xBar[s] + alpha * sub.x[s]
        zBar[s] = beta * zBar[s] + alpha * sub.z[s]
      }
      for g in 0..<G { yBar[g] = beta * yBar[g] + alpha * sub.y[g] }
      for p in 0..<P { servedBar[p] = beta * servedBar[p] + alpha * sub.served[p] }
      savingBar = beta * savingBar + alpha * sub.saving

      // Serious step?
      if value < bestValue {
        if gv >= 0 { f = min(2, f * 1.1) }
        redCount = 0
        bestValue = value
        piBest = pi
        lamBest = lam
        if kept == nil { bestPrice = sub.price }
      } else {
        redCount += 1
        if redCount >= 10 {
          f = max(0.0005, f * 0.66)
          redCount = 0
        }
      }
      history.append(model.referenceLatency - bestValue)
      options.progress?(history.count, model.referenceLatency - bestValue)
      if let plan = options.targetSaving, bestValue - plan <= 1e-7 * max(1, abs(model.referenceLatency - plan)) {
        // The bound meets a feasible plan: it is optimal, and no better bound exists.
        stop = .converged
        break
      }
      if iteration % 100 == 0 {
        // Slow progress: shorten the averaging window.
        if lastImprovementCheck - bestValue < 0.01 * abs(bestValue) * 0.01 { alphaMax = max(0.01, alphaMax / 2) }
        lastImprovementCheck = bestValue
      }

      // Convergence: the averaged primal nearly feasible (the knapsack keeps capacity) and
      // its saving near the bound.
      var violation = 0.0
      var norm = 0.0
      for p in 0..<P {
        let v = 1 - servedBar[p]
        violation = max(violation, -v)
        if !(piBest[p] <= 0 && v > 0) { norm += pairScale[p] * v * v }
      }
      let slack = yBar.withUnsafeBufferPointer { yBarB in
        zBar.withUnsafeBufferPointer { zBarB in
          lamBest.withUnsafeBufferPointer { lamB in
            let (yb, zb, lb) = (UnsafeSendable(yBarB), UnsafeSendable(zBarB), UnsafeSendable(lamB))
            return Self.mapChunks(chunks, workers: workers) { groups in
              var (violation, norm) = (0.0, 0.0)
              for g in groups {
                let entries = model.groupEntryStart[g]..<model.groupEntryStart[g + 1]
                guard entries.count > 1 else { continue }
                for e in entries {
                  let v = yb.pointer[g] - zb.pointer[Int(entrySite[e])]
                  violation = max(violation, -v)
                  if !(lb.pointer[e] <= 0 && v > 0) { norm += v * v }
                }
              }
              return (violation, norm)
            }
          }
        }
      }
      for part in slack {
        violation = max(violation, part.0)
        norm += part.1
      }
      primalViolation = violation
      let gap = (bestValue - savingBar) / max(1e-12, abs(bestValue))
      let converged = violation <= options.tolerance && gap >= -options.tolerance && gap <= options.tolerance
      if leavesOutOversized && kept == nil && (converged || iteration >= options.maximumIterations) {
        // Done with the model with every copy: keep what it gives, and go on without the
        // copies that cannot fit, from the best multipliers, with fresh averages.
        kept = plans()
        sub.excludeOversized = true
        iterationLimit = iteration + max(1, options.maximumIterations / 2)
        averagesFrom = iteration
        redCount = 0
        pi = piBest
        lam = lamBest
        sharingStep = nil
        continue
      }
      if converged {
        stop = .converged
        break
      }
      if bestValue <= 1e-12 * max(1, model.referenceLatency) || norm <= 0 {
        stop = .converged
        break
      }

      // Step from the best multipliers along v̄, projected on u ≥ 0.
      let aim = target < bestValue ? target : bestValue * (1 - 0.01)
      let step = f * (bestValue - aim) / norm
      for p in 0..<P { pi[p] = max(0, piBest[p] - step * pairScale[p] * (1 - servedBar[p])) }
      sharingStep = KnapsackSubproblem.SharingStep(from: lamBest, size: step)
    }

    // After the switch only the bound is evaluated again: the plans are the full model's.
    let result: Plans
    if let kept {
      evaluateAtBest()
      result = kept
    } else {
      result = plans()
    }
    let bound = bestValue.isFinite ? model.referenceLatency - bestValue : model.referenceLatency
    return Result(
      lowerBound: bound, boundHistory: history, capacityPrices: bestPrice.map { $0 * 1_073_741_824 },
      fractional: result.fractional, subproblemPlan: result.subproblem, primalSaving: result.primalSaving,
      primalViolation: result.primalViolation, iterations: iteration, sweeps: sweeps, stop: stop)
  }

  /// What the volume phase hands on besides its bound.
  struct Plans {
    var fractional: FractionalPlan
    var subproblem: FractionalPlan
    var primalSaving: Double
    var primalViolation: Double
  }

  /// The per-pair factor of the assignment multipliers' step: the square root of the
  /// pair's largest saving, normalised to mean 1 over the pairs (so the sharing
  /// multipliers, unscaled, keep their weight in the step).
  ///
  /// Measured (`Docs/relaxation-engine.md`): on tight mid-size paper instances the bound
  /// after the same iterations closes most of the gap to the LP that the unscaled step left
  /// (10 × 20 × 200 seed 1, 600 iterations towards the greedy plan's saving, one thread:
  /// from 19.6 % to 2.7 % below the LP).
  static func pairStepScale(_ model: RelaxationModel) -> [Double] {
    var scale = model.pairMaxSaving.map { $0.squareRoot() }
    var total = 0.0
    for value in scale { total += value }
    let mean = total / Double(max(1, scale.count))
    guard mean > 0 else { return [Double](repeating: 1, count: scale.count) }
    for p in scale.indices { scale[p] /= mean }
    return scale
  }

  /// Ranges of groups with about equal sharing entries, fixed by the model alone: the
  /// volume phase's pass over the entries runs on them in parallel, and its partial sums
  /// are added in chunk order, so results do not depend on the thread count.
  static func entryChunks(_ model: RelaxationModel) -> [Range<Int>] {
    let G = model.groupCount
    let total = model.siteGroups.count + G
    let count = max(1, min(64, total / 4096))
    var chunks: [Range<Int>] = []
    var start = 0
    for g in 0..<G {
      let done = model.groupEntryStart[g + 1] + g + 1
      if done * count >= total * (chunks.count + 1) || g + 1 == G {
        chunks.append(start..<(g + 1))
        start = g + 1
      }
    }
    return chunks
  }

  /// `body` on every chunk, on up to `workers` threads; the results in chunk order.
  static func mapChunks<T: Sendable>(
    _ chunks: [Range<Int>], workers: Int, _ body: @Sendable (Range<Int>) -> T
  ) -> [T] {
    let slots = ParallelSlots<T>(count: chunks.count)
    let threads = max(1, min(workers, chunks.count))
    DispatchQueue.concurrentPerform(iterations: threads) { w in
      var c = w
      while c < chunks.count {
        slots.set(c, body(chunks[c]))
        c += threads
      }
    }
    return slots.all.compactMap { $0 }
  }
}
