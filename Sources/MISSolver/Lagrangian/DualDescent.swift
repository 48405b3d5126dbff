import Dispatch
import MISModel

/// Multipliers of the Lagrangian relaxation with the sums that make exact coordinate steps
/// cheap: per site, the positive parts `Σ (w − π)⁺` of its layer-level and file-level
/// sources and the sum of its sharing multipliers; per group, the sum of its multipliers.
///
/// Block coordinate descent minimises the Lagrangian dual exactly along one multiplier at a
/// time — every one-dimensional function here is convex and piecewise linear, so its
/// minimum is at a kink, found by enumeration (a pair's price) or by a sorted sweep (a
/// registry's capacity price). The pair prices of one layer touch only that layer's sites,
/// and a registry's capacity and sharing multipliers touch only that registry's sites and
/// groups, so sweeps run in parallel over layers and over registries, each block in a fixed
/// order: the result does not depend on the thread count.
struct DualState: Sendable {
  /// Pair prices `π ≥ 0`.
  var pi: [Double]
  /// Sharing multipliers `λ ≥ 0`, one per (site, group) entry.
  var lam: [Double]
  /// Capacity prices `μ ≥ 0`, seconds saved per byte.
  var mu: [Double]
  /// `Σ (w − π)⁺` over each site's layer-level sources.
  var accL: [Double]
  /// `Σ (w − π)⁺` over each site's file-level sources.
  var accF: [Double]
  /// `Σ λ` over each site's entries.
  var siteLam: [Double]
  /// `Σ λ` over each group's entries.
  var groupLam: [Double]

  init(model: RelaxationModel, pi: [Double], lam: [Double], mu: [Double]) {
    self.pi = pi
    self.lam = lam
    self.mu = mu
    accL = []
    accF = []
    siteLam = []
    groupLam = []
    refresh(model)
  }

  /// Recomputes every sum from the multipliers (removes floating drift).
  mutating func refresh(_ model: RelaxationModel) {
    let S = model.siteCount
    accL = [Double](repeating: 0, count: S)
    accF = [Double](repeating: 0, count: S)
    model.accumulateSavings(
      pi: pi, layerBlocks: [0, model.index.layerCount], workers: 1, accL: &accL, accF: &accF)
    siteLam = [Double](repeating: 0, count: S)
    for s in 0..<S {
      var total = 0.0
      for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1] { total += lam[e] }
      siteLam[s] = total
    }
    groupLam = [Double](repeating: 0, count: model.groupCount)
    for g in 0..<model.groupCount {
      var total = 0.0
      for e in model.groupEntryStart[g]..<model.groupEntryStart[g + 1] { total += lam[Int(model.groupEntries[e])] }
      groupLam[g] = total
    }
  }

  /// The value of the Lagrangian function (an upper bound on the saving of every plan).
  func value(_ model: RelaxationModel) -> Double {
    var total = 0.0
    for p in 0..<model.pairCount { total += pi[p] }
    for r in 0..<model.registryCount { total += mu[r] * Double(model.index.capacity[r]) }
    for s in 0..<model.siteCount { total += siteValue(model, s) }
    for g in 0..<model.groupCount {
      let r = Int(model.groupRegistry[g])
      total += max(0, groupLam[g] - mu[r] * model.groupSize[g])
    }
    return total
  }

  /// `max(0, layer-level value, file-level value)` of site `s`.
  @inline(__always)
  func siteValue(_ model: RelaxationModel, _ s: Int) -> Double {
    var best = 0.0
    let r = Int(model.siteRegistry[s])
    if model.siteHasLayer[s] {
      best = max(best, accL[s] - mu[r] * Double(model.index.layerSize[Int(model.siteLayer[s])]))
    }
    if model.siteHasFile[s] { best = max(best, accF[s] - siteLam[s]) }
    return best
  }

  // MARK: - Pair prices

  /// One exact coordinate step on every pair price, layer by layer (layers in parallel).
  mutating func sweepPairs(_ model: RelaxationModel, blocks: [Int], workers: Int) {
    let index = model.index
    let mu = self.mu
    let siteLam = self.siteLam
    pi.withUnsafeMutableBufferPointer { piB in
      accL.withUnsafeMutableBufferPointer { accLB in
        accF.withUnsafeMutableBufferPointer { accFB in
          let piP = UnsafeSendable(piB)
          let accLP = UnsafeSendable(accLB)
          let accFP = UnsafeSendable(accFB)
          DispatchQueue.concurrentPerform(iterations: min(workers, blocks.count - 1)) { w in
            var b = w
            var candidates: [Double] = []
            while b < blocks.count - 1 {
              for l in blocks[b]..<blocks[b + 1] {
                let size = Double(index.layerSize[l])
                for p in index.layerDemand.range(l) {
                  let q0 = model.pairSourceStart[p]
                  let q1 = model.pairSourceStart[p + 1]
                  if q0 == q1 { continue }
                  let old = piP.mutablePointer[p]
                  // Pieces per site touched by p: (hasL, cL or const, wL) and the same for F.
                  // Evaluate f(π) = π + Σ_sites max(0, PL(π), PF(π)).
                  func evaluate(_ x: Double) -> Double {
                    var total = x
                    var q = q0
                    while q < q1 {
                      let s = Int(model.sourceSite[q])
                      let r = Int(model.siteRegistry[s])
                      var pl = -Double.infinity
                      var pf = -Double.infinity
                      if model.siteHasLayer[s] { pl = accLP.mutablePointer[s] - mu[r] * size }
                      if model.siteHasFile[s] { pf = accFP.mutablePointer[s] - siteLam[s] }
                      while q < q1 && Int(model.sourceSite[q]) == s {
                        let wq = model.sourceSaving[q]
                        let delta = max(0, wq - x) - max(0, wq - old)
                        if model.sourceIsFile[q] { pf += delta } else { pl += delta }
                        q += 1
                      }
                      total += max(0, max(pl, pf))
                    }
                    return total
                  }
                  candidates.removeAll(keepingCapacity: true)
                  candidates.append(0)
                  candidates.append(model.pairMaxSaving[p])
                  var q = q0
                  while q < q1 {
                    let s = Int(model.sourceSite[q])
                    let r = Int(model.siteRegistry[s])
                    // Pieces without p: constant parts.
                    var cl = -Double.infinity
                    var cf = -Double.infinity
                    if model.siteHasLayer[s] { cl = accLP.mutablePointer[s] - mu[r] * size }
                    if model.siteHasFile[s] { cf = accFP.mutablePointer[s] - siteLam[s] }
                    var wl = -1.0
                    var wf = -1.0
                    while q < q1 && Int(model.sourceSite[q]) == s {
                      let wq = model.sourceSaving[q]
                      if model.sourceIsFile[q] {
                        cf -= max(0, wq - old)
                        wf = wq
                      } else {
                        cl -= max(0, wq - old)
                        wl = wq
                      }
                      q += 1
                    }
                    // Kinks: each w; each kinked piece c + w − π meeting 0 or the other
                    // piece's level.
                    if wl >= 0 {
                      candidates.append(wl)
                      if cl.isFinite {
                        candidates.append(cl + wl)
                        if cf.isFinite { candidates.append(cl + wl - cf) }
                      }
                    }
                    if wf >= 0 {
                      candidates.append(wf)
                      if cf.isFinite {
                        candidates.append(cf + wf)
                        if cl.isFinite { candidates.append(cf + wf - cl) }
                      }
                    }
                  }
                  var best = old
                  var bestValue = evaluate(old)
                  let top = model.pairMaxSaving[p]
                  // The smallest minimiser: prices as low as optimality allows keep sites
                  // "open", so that the capacity prices see the demand (the largest would
                  // stall the descent at the uncapacitated prices).
                  let slack = 1e-12 * max(1, abs(bestValue))
                  for c in candidates where c >= 0 && c <= top {
                    let v = evaluate(c)
                    if v < bestValue - slack || (v <= bestValue + slack && c < best) {
                      bestValue = min(bestValue, v)
                      best = c
                    }
                  }
                  if best != old {
                    for q in q0..<q1 {
                      let wq = model.sourceSaving[q]
                      let delta = max(0, wq - best) - max(0, wq - old)
                      if delta != 0 {
                        let s = Int(model.sourceSite[q])
                        if model.sourceIsFile[q] {
                          accFP.mutablePointer[s] += delta
                        } else {
                          accLP.mutablePointer[s] += delta
                        }
                      }
                    }
                    piP.mutablePointer[p] = best
                  }
                }
              }
              b += workers
            }
          }
        }
      }
    }
  }

  // MARK: - Sharing multipliers

  /// One exact coordinate step on every sharing multiplier, registry by registry.
  mutating func sweepSharing(_ model: RelaxationModel, workers: Int) {
    let R = model.registryCount
    let index = model.index
    let mu = self.mu
    let accL = self.accL
    let accF = self.accF
    lam.withUnsafeMutableBufferPointer { lamB in
      siteLam.withUnsafeMutableBufferPointer { siteLamB in
        groupLam.withUnsafeMutableBufferPointer { groupLamB in
          let lamP = UnsafeSendable(lamB)
          let siteLamP = UnsafeSendable(siteLamB)
          let groupLamP = UnsafeSendable(groupLamB)
          DispatchQueue.concurrentPerform(iterations: min(workers, max(1, R))) { w in
            var r = w
            while r < R {
              for k in model.registrySiteStart[r]..<model.registrySiteStart[r + 1] {
                let s = Int(model.registrySites[k])
                guard model.siteHasFile[s] else { continue }
                let size = Double(index.layerSize[Int(model.siteLayer[s])])
                let m = model.siteHasLayer[s] ? max(0, accL[s] - mu[r] * size) : 0
                for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1] {
                  let g = Int(model.siteGroups[e])
                  let old = lamP.mutablePointer[e]
                  let bOther = accF[s] - (siteLamP.mutablePointer[s] - old)
                  let gOther = groupLamP.mutablePointer[g] - old
                  let k1 = bOther - m
                  let k2 = mu[r] * model.groupSize[g] - gOther
                  let lo = max(0, min(k1, k2))
                  let hi = max(0, max(k1, k2))
                  let new = min(hi, max(lo, old))
                  if new != old {
                    lamP.mutablePointer[e] = new
                    siteLamP.mutablePointer[s] += new - old
                    groupLamP.mutablePointer[g] += new - old
                  }
                }
              }
              r += workers
            }
          }
        }
      }
    }
  }

  // MARK: - Capacity prices

  /// The exact minimiser of the dual along each registry's capacity price.
  mutating func sweepCapacity(_ model: RelaxationModel, workers: Int) {
    let R = model.registryCount
    let index = model.index
    let accL = self.accL
    let accF = self.accF
    let siteLam = self.siteLam
    let groupLam = self.groupLam
    let result = ParallelSlots<Double>(count: R)
    DispatchQueue.concurrentPerform(iterations: min(workers, max(1, R))) { w in
      var r = w
      var kinks: [(at: Double, size: Double)] = []
      while r < R {
        kinks.removeAll(keepingCapacity: true)
        var active = 0.0
        for k in model.registrySiteStart[r]..<model.registrySiteStart[r + 1] {
          let s = Int(model.registrySites[k])
          guard model.siteHasLayer[s] else { continue }
          let size = Double(index.layerSize[Int(model.siteLayer[s])])
          let m = model.siteHasFile[s] ? max(0, accF[s] - siteLam[s]) : 0
          let a = accL[s]
          guard a > m, size > 0 else { continue }
          active += size
          kinks.append(((a - m) / size, size))
        }
        for g in model.registryGroupStart[r]..<model.registryGroupStart[r + 1] {
          let size = model.groupSize[g]
          guard groupLam[g] > 0, size > 0 else { continue }
          active += size
          kinks.append((groupLam[g] / size, size))
        }
        let capacity = Double(index.capacity[r])
        var price = 0.0
        if active > capacity {
          kinks.sort { $0.at < $1.at }
          for kink in kinks {
            active -= kink.size
            price = kink.at
            if active <= capacity { break }
          }
        }
        result.set(r, price)
        r += workers
      }
    }
    let all = result.all
    for r in 0..<R { mu[r] = all[r] ?? mu[r] }
  }
}
