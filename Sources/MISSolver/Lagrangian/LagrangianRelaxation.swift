import Dispatch
import Foundation
import MISModel

/// A fractional plan: for every candidate (layer, registry), the share stored at layer
/// level and at file level — the input of randomized rounding.
///
/// It comes from a relaxation: the averaged primal of the Lagrangian volume algorithm
/// (`Docs/relaxation-engine.md`) or the optimal LP solution (``Relaxation``). In both,
/// `layerShare + fileShare ≤ 1` at every (layer, registry). A file group's share is taken
/// as the largest file-level share of the layers that need it, the least value consistent
/// with `z ≤ y` (`Docs/approximation.md`).
public struct FractionalPlan: Sendable {
  /// Number of layers.
  public let layerCount: Int
  /// Number of registries.
  public let registryCount: Int
  /// The (layer, registry) pairs that have a value, sorted by layer then registry.
  let siteLayer: [Int32]
  let siteRegistry: [Int32]
  /// Layer-level share per site.
  let layerShares: [Double]
  /// File-level share per site (0 where file level is not a candidate).
  let fileShares: [Double]
  /// Sites of layer `l`: `layerSiteStart[l]..<layerSiteStart[l + 1]`.
  let layerSiteStart: [Int]

  init(
    layerCount: Int, registryCount: Int, siteLayer: [Int32], siteRegistry: [Int32], layerShares: [Double],
    fileShares: [Double], layerSiteStart: [Int]
  ) {
    self.layerCount = layerCount
    self.registryCount = registryCount
    self.siteLayer = siteLayer
    self.siteRegistry = siteRegistry
    self.layerShares = layerShares
    self.fileShares = fileShares
    self.layerSiteStart = layerSiteStart
  }

  /// The share of layer `l` stored at layer level on registry `r` (0 when not a candidate).
  public func layerLevelShare(layer l: Int, registry r: Int) -> Double {
    position(layer: l, registry: r).map { layerShares[$0] } ?? 0
  }

  /// The share of layer `l` stored at file level on registry `r` (0 when not a candidate).
  public func fileLevelShare(layer l: Int, registry r: Int) -> Double {
    position(layer: l, registry: r).map { fileShares[$0] } ?? 0
  }

  /// Calls `body(registry, layerShare, fileShare)` for every candidate registry of layer
  /// `l`, by ascending registry.
  public func forEachCandidate(layer l: Int, _ body: (Int, Double, Double) -> Void) {
    for s in layerSiteStart[l]..<layerSiteStart[l + 1] {
      body(Int(siteRegistry[s]), layerShares[s], fileShares[s])
    }
  }

  private func position(layer l: Int, registry r: Int) -> Int? {
    var lo = layerSiteStart[l]
    var hi = layerSiteStart[l + 1]
    let target = Int32(r)
    while lo < hi {
      let mid = (lo + hi) / 2
      if siteRegistry[mid] == target { return mid }
      if siteRegistry[mid] < target { lo = mid + 1 } else { hi = mid }
    }
    return nil
  }
}

/// The Lagrangian relaxation of the model, solved by the volume algorithm — the engine
/// behind the approximate planner at every scale.
///
/// The capacity rows, the file-sharing rows `z ≤ y` and the assignment rows
/// `Σ a + Σ b ≤ 1` are moved into the objective with multipliers `μ ≥ 0`, `λ ≥ 0`,
/// `π ≥ 0`. What remains separates completely: each (layer, registry) chooses nothing, its
/// layer-level copy or its file-level copy by comparing two sums; each file group is stored
/// iff the multipliers of the layers that need it outweigh its capacity price. Every
/// evaluation is therefore a few linear passes over the model, run in parallel over
/// blocks of layers, and its value is a **proven lower bound** on the optimum (weak
/// duality), whatever the multipliers. The subproblem has integral vertices, so the best
/// bound attainable is the value of the LP relaxation of the model.
///
/// The multipliers follow the volume algorithm (Barahona & Anbil, *The volume algorithm:
/// producing primal solutions with a subgradient method*, Math. Programming 87, 2000,
/// doi:10.1007/s101070050002): a subgradient step along an exponentially averaged
/// direction, whose averaged subproblem solutions converge towards an optimal fractional
/// solution of the relaxation. That averaged solution is what randomized rounding rounds.
///
/// Deterministic: blocks are fixed independently of the thread count and their partial
/// sums are added in block order, so the same model and options give the same bound,
/// multipliers and fractional plan on any number of threads.
package struct LagrangianRelaxation: Sendable {
  /// Options with documented defaults.
  package struct Options: Sendable {
    /// Volume iterations at most (default 600): the default effort.
    package var maximumIterations = 600
    /// Coordinate-descent sweeps at most before the volume iterations (default 60).
    package var maximumSweeps = 60
    /// Stop when the relative gap between the bound and the averaged primal's value, and
    /// the averaged primal's largest row violation, both fall below this (default 2e-4).
    package var tolerance = 2e-4
    /// Threads (never changes the result).
    package var parallelism = ProcessInfo.processInfo.activeProcessorCount
    /// A feasible plan's saving, when known: the target of the step size.
    package var targetSaving: Double? = nil
    /// Polled between iterations: stop (with the best bound so far) when true.
    package var shouldStop: (@Sendable () -> Bool)? = nil
    /// Called after every iteration with (iteration, best lower bound on T).
    package var progress: (@Sendable (Int, Double) -> Void)? = nil
    /// Creates default options.
    package init() {}
  }

  /// Why the iterations stopped.
  package enum Stop: String, Sendable {
    /// The bound and the averaged primal agree within the tolerance.
    case converged
    /// The iteration budget was used.
    case iterationLimit
    /// ``Options/shouldStop`` asked to stop.
    case stopped
  }

  /// The outcome.
  package struct Result: Sendable {
    /// The best proven lower bound on the total latency `T`.
    package var lowerBound: Double
    /// The best lower bound after each iteration (non-decreasing).
    package var boundHistory: [Double]
    /// Capacity price per registry: seconds of total latency one more GiB saves at the
    /// margin, from the multipliers of the best bound.
    package var capacityPrices: [Double]
    /// The averaged primal, to round.
    package var fractional: FractionalPlan
    /// The subproblem's integral solution at the best multipliers (a 0/1 fractional plan):
    /// the start of the Lagrangian heuristic, repaired and filled like a rounded plan.
    package var subproblemPlan: FractionalPlan
    /// The averaged primal's saving and largest violation at the end.
    package var primalSaving: Double
    /// The averaged primal's largest row violation.
    package var primalViolation: Double
    /// Volume iterations run.
    package var iterations: Int
    /// Coordinate-descent sweeps run.
    package var sweeps: Int
    /// Why it stopped.
    package var stop: Stop
  }

  package var options: Options

  package init(options: Options = Options()) { self.options = options }

  // swiftlint:disable function_body_length
  /// Runs the volume algorithm on `model`.
  package func solve(_ model: RelaxationModel) -> Result {
    let index = model.index
    let R = model.registryCount
    let L = index.layerCount
    let P = model.pairCount
    let S = model.siteCount
    let G = model.groupCount
    let E = model.siteGroups.count

    // Capacity rows are scaled by a typical layer size so that every family of rows has
    // coefficients near 1 (a subgradient method is sensitive to row scaling).
    var sizeSum = 0.0
    var sizeCount = 0
    for s in 0..<S where model.siteHasLayer[s] || model.siteHasFile[s] {
      sizeSum += Double(index.layerSize[Int(model.siteLayer[s])])
      sizeCount += 1
    }
    let scale = max(1.0, sizeCount > 0 ? sizeSum / Double(sizeCount) : 1)
    let capacity = (0..<R).map { Double(index.capacity[$0]) }
    let layerSize = (0..<L).map { Double(index.layerSize[$0]) }

    // Blocks of layers with about equal numbers of sources, fixed by the model only.
    let layerBlocks = Self.layerBlocks(model)
    let workers = max(1, options.parallelism)
    var history: [Double] = []

    // Phase 1: block coordinate descent from the uncapacitated prices.
    var dual = DualState(
      model: model, pi: model.pairMaxSaving, lam: [Double](repeating: 0, count: E),
      mu: [Double](repeating: 0, count: R))
    var bestValue = dual.value(model)
    var bestDual = dual
    var sweeps = 0
    var stalled = 0
    while sweeps < options.maximumSweeps {
      if let shouldStop = options.shouldStop, shouldStop() { break }
      sweeps += 1
      dual.sweepCapacity(model, workers: workers)
      dual.sweepSharing(model, workers: workers)
      dual.sweepPairs(model, blocks: layerBlocks, workers: workers)
      if sweeps % 8 == 0 { dual.refresh(model) }
      let value = dual.value(model)
      let before = bestValue
      if value < bestValue {
        bestValue = value
        bestDual = dual
      }
      history.append(model.referenceLatency - bestValue)
      options.progress?(history.count, model.referenceLatency - bestValue)
      if before - value <= options.tolerance * 0.01 * max(1, abs(value)) {
        stalled += 1
        if stalled >= 3 { break }
      } else {
        stalled = 0
      }
    }

    // Row scaling: assignment and sharing rows have coefficients 1; capacity rows are
    // divided by a typical layer size so that theirs are near 1 too (a subgradient method
    // is sensitive to row scaling). Equivalently, μ moves by step · slack / scale².
    let muWeight = 1 / (scale * scale)

    // Phase 2: the volume algorithm from the best multipliers: primal averages and
    // further bound improvement. μ is kept unscaled (seconds per byte).
    var pi = bestDual.pi
    var lam = bestDual.lam
    var mu = bestDual.mu
    var piBest = pi
    var lamBest = lam
    var muBest = mu

    // Averaged primal.
    var xBar = [Double](repeating: 0, count: S)
    var zBar = [Double](repeating: 0, count: S)
    var yBar = [Double](repeating: 0, count: G)
    var servedBar = [Double](repeating: 0, count: P)
    var usedBar = [Double](repeating: 0, count: R)
    var savingBar = 0.0

    // Current subproblem solution.
    var choice = [UInt8](repeating: 0, count: S)
    var y = [UInt8](repeating: 0, count: G)
    var served = [Double](repeating: 0, count: P)

    let groupBlockSize = max(1, (G + 255) / 256)
    let groupBlocks = stride(from: 0, to: max(G, 1), by: groupBlockSize).map { $0 } + [G]

    var f = 0.1
    var alphaMax = 0.1
    var redCount = 0
    var target = max(0, options.targetSaving ?? 0)
    var iteration = 0
    var stop = Stop.iterationLimit
    var primalViolation = Double.infinity
    var lastImprovementCheck = Double.infinity
    var firstIteration = true

    while iteration < options.maximumIterations {
      if let shouldStop = options.shouldStop, shouldStop() {
        stop = .stopped
        break
      }
      iteration += 1

      // --- Evaluate the subproblem at (pi, lam, mu).
      // Groups: y[g] = 1 iff Λ_g > μ_r · size_g.
      let groupParts = ParallelSlots<(value: Double, used: [Double])>(count: groupBlocks.count - 1)
      lam.withUnsafeBufferPointer { lamP in
        y.withUnsafeMutableBufferPointer { yP in
          let lamS = UnsafeSendable(lamP)
          let yS = UnsafeSendable(yP)
          let muS = mu
          DispatchQueue.concurrentPerform(iterations: min(workers, groupBlocks.count - 1)) { w in
            var b = w
            while b < groupBlocks.count - 1 {
              var value = 0.0
              var used = [Double](repeating: 0, count: R)
              for g in groupBlocks[b]..<groupBlocks[b + 1] {
                var total = 0.0
                for e in model.groupEntryStart[g]..<model.groupEntryStart[g + 1] {
                  total += lamS.pointer[Int(model.groupEntries[e])]
                }
                let r = Int(model.groupRegistry[g])
                let v = total - muS[r] * model.groupSize[g]
                if v > 0 {
                  value += v
                  yS.mutablePointer[g] = 1
                  used[r] += model.groupSize[g]
                } else {
                  yS.mutablePointer[g] = 0
                }
              }
              groupParts.set(b, (value, used))
              b += workers
            }
          }
        }
      }
      var value = 0.0
      var used = [Double](repeating: 0, count: R)
      for part in groupParts.all {
        guard let part else { continue }
        value += part.value
        for r in 0..<R { used[r] += part.used[r] }
      }
      // Sites and pairs.
      struct SitePart: Sendable {
        var value = 0.0
        var saving = 0.0
        var used: [Double]
      }
      let siteParts = ParallelSlots<SitePart>(count: layerBlocks.count - 1)
      pi.withUnsafeBufferPointer { piP in
        lam.withUnsafeBufferPointer { lamP in
          choice.withUnsafeMutableBufferPointer { choiceP in
            served.withUnsafeMutableBufferPointer { servedP in
              let piS = UnsafeSendable(piP)
              let lamS = UnsafeSendable(lamP)
              let choiceS = UnsafeSendable(choiceP)
              let servedS = UnsafeSendable(servedP)
              let muS = mu
              DispatchQueue.concurrentPerform(iterations: min(workers, layerBlocks.count - 1)) { w in
                var b = w
                var accL: [Double] = []
                var accF: [Double] = []
                while b < layerBlocks.count - 1 {
                  var part = SitePart(used: [Double](repeating: 0, count: R))
                  for l in layerBlocks[b]..<layerBlocks[b + 1] {
                    let s0 = model.layerSiteStart[l]
                    let s1 = model.layerSiteStart[l + 1]
                    if s0 == s1 { continue }
                    let count = s1 - s0
                    if accL.count < count {
                      accL = [Double](repeating: 0, count: count)
                      accF = [Double](repeating: 0, count: count)
                    }
                    for i in 0..<count {
                      accL[i] = 0
                      accF[i] = 0
                    }
                    let pairs = index.layerDemand.range(l)
                    for p in pairs {
                      let price = piS.pointer[p]
                      for q in model.pairSourceStart[p]..<model.pairSourceStart[p + 1] {
                        let v = model.sourceSaving[q] - price
                        if v > 0 {
                          let i = Int(model.sourceSite[q]) - s0
                          if model.sourceIsFile[q] { accF[i] += v } else { accL[i] += v }
                        }
                      }
                    }
                    for s in s0..<s1 {
                      let r = Int(model.siteRegistry[s])
                      var best = 0.0
                      var pick: UInt8 = 0
                      if model.siteHasLayer[s] {
                        let v = accL[s - s0] - muS[r] * layerSize[l]
                        if v > best {
                          best = v
                          pick = 1
                        }
                      }
                      if model.siteHasFile[s] {
                        var cost = 0.0
                        for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1] { cost += lamS.pointer[e] }
                        let v = accF[s - s0] - cost
                        if v > best {
                          best = v
                          pick = 2
                        }
                      }
                      choiceS.mutablePointer[s] = pick
                      part.value += best
                      if pick == 1 { part.used[r] += layerSize[l] }
                    }
                    for p in pairs {
                      let price = piS.pointer[p]
                      var count = 0.0
                      for q in model.pairSourceStart[p]..<model.pairSourceStart[p + 1] {
                        let w = model.sourceSaving[q]
                        guard w > price else { continue }
                        let c = choiceS.mutablePointer[Int(model.sourceSite[q])]
                        if c == (model.sourceIsFile[q] ? 2 : 1) {
                          count += 1
                          part.saving += w
                        }
                      }
                      servedS.mutablePointer[p] = count
                    }
                  }
                  siteParts.set(b, part)
                  b += workers
                }
              }
            }
          }
        }
      }
      var savingNow = 0.0
      for part in siteParts.all {
        guard let part else { continue }
        value += part.value
        savingNow += part.saving
        for r in 0..<R { used[r] += part.used[r] }
      }
      for p in 0..<P { value += pi[p] }
      for r in 0..<R { value += mu[r] * capacity[r] }

      // --- Direction: α minimising ‖α g + (1 − α) v̄‖, g the subgradient now, v̄ the
      // averaged one (both are "row slack" vectors: b − A·x).
      var gg = 0.0
      var gv = 0.0
      var vv = 0.0
      for p in 0..<P {
        let g = 1 - served[p]
        let v = 1 - servedBar[p]
        gg += g * g
        gv += g * v
        vv += v * v
      }
      for s in 0..<S where model.siteHasFile[s] {
        let z = choice[s] == 2 ? 1.0 : 0
        for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1] {
          let g = Int(model.siteGroups[e])
          let gs = Double(y[g]) - z
          let vs = yBar[g] - zBar[s]
          gg += gs * gs
          gv += gs * vs
          vv += vs * vs
        }
      }
      for r in 0..<R {
        let gs = capacity[r] - used[r]
        let vs = capacity[r] - usedBar[r]
        gg += muWeight * gs * gs
        gv += muWeight * gs * vs
        vv += muWeight * vs * vs
      }
      var alpha = alphaMax
      if !firstIteration {
        let denominator = gg - 2 * gv + vv
        if denominator > 0 { alpha = min(alphaMax, max(alphaMax / 10, (vv - gv) / denominator)) }
      } else {
        alpha = 1
        firstIteration = false
      }

      // --- Average the primal.
      let beta = 1 - alpha
      for s in 0..<S {
        xBar[s] = beta * xBar[s] + (choice[s] == 1 ? alpha : 0)
        zBar[s] = beta * zBar[s] + (choice[s] == 2 ? alpha : 0)
      }
      for g in 0..<G { yBar[g] = beta * yBar[g] + alpha * Double(y[g]) }
      for p in 0..<P { servedBar[p] = beta * servedBar[p] + alpha * served[p] }
      for r in 0..<R { usedBar[r] = beta * usedBar[r] + alpha * used[r] }
      savingBar = beta * savingBar + alpha * savingNow

      // --- Serious step?
      let improved = value < bestValue
      if improved {
        // Colour of the step (Barahona & Anbil): green when the new direction still
        // points the way we moved, yellow otherwise.
        if gv >= 0 || bestValue == .infinity {
          f = min(2, f * 1.1)
        }
        redCount = 0
        bestValue = value
        piBest = pi
        lamBest = lam
        muBest = mu
      } else {
        redCount += 1
        if redCount >= 20 {
          f = max(0.0005, f * 0.66)
          redCount = 0
        }
      }
      history.append(model.referenceLatency - bestValue)
      options.progress?(history.count, model.referenceLatency - bestValue)
      if iteration % 100 == 0 {
        // Slow progress: shorten the averaging window.
        if lastImprovementCheck - bestValue < 0.01 * abs(bestValue) * 0.01 { alphaMax = max(0.01, alphaMax / 2) }
        lastImprovementCheck = bestValue
      }

      // --- Convergence: averaged primal nearly feasible and its saving near the bound.
      var violation = 0.0
      for p in 0..<P { violation = max(violation, servedBar[p] - 1) }
      for s in 0..<S where model.siteHasFile[s] {
        for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1] {
          violation = max(violation, zBar[s] - yBar[Int(model.siteGroups[e])])
        }
      }
      for r in 0..<R where capacity[r] > 0 { violation = max(violation, (usedBar[r] - capacity[r]) / capacity[r]) }
      primalViolation = violation
      let gap = (bestValue - savingBar) / max(1e-12, abs(bestValue))
      if violation <= options.tolerance && gap >= -options.tolerance && gap <= options.tolerance {
        stop = .converged
        break
      }
      if bestValue <= 1e-12 * max(1, model.referenceLatency) {
        stop = .converged
        break
      }

      // --- Step from the best multipliers along v̄, projected on u ≥ 0.
      target = max(target, 0)
      let aim = target < bestValue ? target : bestValue * (1 - 0.01)
      var norm = 0.0
      for p in 0..<P {
        let v = 1 - servedBar[p]
        if !(piBest[p] <= 0 && v > 0) { norm += v * v }
      }
      for s in 0..<S where model.siteHasFile[s] {
        for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1] {
          let v = yBar[Int(model.siteGroups[e])] - zBar[s]
          if !(lamBest[e] <= 0 && v > 0) { norm += v * v }
        }
      }
      for r in 0..<R {
        let v = capacity[r] - usedBar[r]
        if !(muBest[r] <= 0 && v > 0) { norm += muWeight * v * v }
      }
      if norm <= 0 {
        stop = .converged
        break
      }
      let step = f * (bestValue - aim) / norm
      for p in 0..<P { pi[p] = max(0, piBest[p] - step * (1 - servedBar[p])) }
      for s in 0..<S where model.siteHasFile[s] {
        for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1] {
          lam[e] = max(0, lamBest[e] - step * (yBar[Int(model.siteGroups[e])] - zBar[s]))
        }
      }
      for r in 0..<R { mu[r] = max(0, muBest[r] - step * muWeight * (capacity[r] - usedBar[r])) }
    }

    if iteration == 0 {
      // No volume iteration ran: the subproblem's solution at the best multipliers.
      (xBar, zBar) = Self.subproblemChoice(model, bestDual)
    }
    let fractional = FractionalPlan(
      layerCount: L, registryCount: R, siteLayer: model.siteLayer, siteRegistry: model.siteRegistry,
      layerShares: xBar, fileShares: zBar, layerSiteStart: model.layerSiteStart)
    let (xBest, zBest) = Self.subproblemChoice(model, DualState(model: model, pi: piBest, lam: lamBest, mu: muBest))
    let subproblemPlan = FractionalPlan(
      layerCount: L, registryCount: R, siteLayer: model.siteLayer, siteRegistry: model.siteRegistry,
      layerShares: xBest, fileShares: zBest, layerSiteStart: model.layerSiteStart)
    let bound = bestValue.isFinite ? model.referenceLatency - bestValue : model.referenceLatency
    return Result(
      lowerBound: bound, boundHistory: history, capacityPrices: muBest.map { $0 * 1_073_741_824 },
      fractional: fractional, subproblemPlan: subproblemPlan, primalSaving: savingBar, primalViolation: primalViolation,
      iterations: iteration, sweeps: sweeps, stop: stop)
  }

  /// Blocks of layers with about equal work, fixed by the model alone (so that partial sums
  /// are added in the same order on any number of threads).
  static func layerBlocks(_ model: RelaxationModel) -> [Int] {
    let L = model.index.layerCount
    let blockCount = max(1, min(256, L / 8 + 1))
    var blocks: [Int] = [0]
    let total = model.sourceCount + model.siteCount
    var acc = 0
    for l in 0..<L {
      let pairs = model.index.layerDemand.range(l)
      acc += model.pairSourceStart[pairs.upperBound] - model.pairSourceStart[pairs.lowerBound]
      acc += model.layerSiteStart[l + 1] - model.layerSiteStart[l]
      if acc * blockCount >= total * blocks.count && l + 1 < L { blocks.append(l + 1) }
    }
    blocks.append(L)
    return blocks
  }

  /// The subproblem's (integral) choice at `dual`: layer-level and file-level indicators.
  static func subproblemChoice(_ model: RelaxationModel, _ dual: DualState) -> ([Double], [Double]) {
    var x = [Double](repeating: 0, count: model.siteCount)
    var z = [Double](repeating: 0, count: model.siteCount)
    for s in 0..<model.siteCount {
      let r = Int(model.siteRegistry[s])
      let vl =
        model.siteHasLayer[s]
        ? dual.accL[s] - dual.mu[r] * Double(model.index.layerSize[Int(model.siteLayer[s])]) : -Double.infinity
      let vf = model.siteHasFile[s] ? dual.accF[s] - dual.siteLam[s] : -Double.infinity
      if vl > 0 && vl >= vf { x[s] = 1 } else if vf > 0 { z[s] = 1 }
    }
    return (x, z)
  }
}

/// A buffer handed to parallel workers that write disjoint ranges of it (or only read it).
struct UnsafeSendable<T>: @unchecked Sendable {
  /// The buffer, for reading.
  let pointer: UnsafeMutableBufferPointer<T>
  /// The same buffer, for writing.
  var mutablePointer: UnsafeMutableBufferPointer<T> { pointer }

  init(_ buffer: UnsafeBufferPointer<T>) { pointer = UnsafeMutableBufferPointer(mutating: buffer) }

  init(_ buffer: UnsafeMutableBufferPointer<T>) { pointer = buffer }
}
