import Dispatch
import MISModel

/// The Lagrangian subproblem with the capacity rows kept: only the assignment rows
/// (`π`, one per demanded pair) and the sharing rows (`λ`, one per (site, group) entry)
/// are moved into the objective.
///
/// What remains separates by registry. At registry `r`, each site either stores its file-level
/// copy at no capacity cost (its groups are paid through `λ`), its layer-level copy, or a
/// mix of both (`x + z ≤ 1`); each group is an item worth `Σ λ` of its entries. Capacity is
/// one continuous knapsack over the layer-level copies and the groups, solved exactly by
/// filling items by decreasing value per byte: at most one item is split. The knapsack's
/// critical ratio is registry `r`'s capacity price at these multipliers.
///
/// The subproblem is solved as the LP it is (a continuous knapsack, not a 0/1 one), so the
/// best bound over `(π, λ)` is the LP relaxation's value (a Lagrangian dual of an LP is
/// its LP value), and every evaluation is a proven lower bound (weak duality). Its value
/// equals ``DualState``'s `L(π, λ, μ)` at `μ` = ``price``, the minimum over `μ`.
struct KnapsackSubproblem: Sendable {
  /// The value `Σ π + Σ_r knapsack_r` (an upper bound on every plan's saving).
  var value = 0.0
  /// Layer-level share per site.
  var x: [Double]
  /// File-level share per site.
  var z: [Double]
  /// Stored share per group.
  var y: [Double]
  /// Sources used per pair (the assignment rows' left-hand sides).
  var served: [Double]
  /// The saving of (x, z) with every pair served by all of its profitable copies.
  var saving = 0.0
  /// Bytes used per registry.
  var used: [Double]
  /// The knapsack's critical ratio per registry, seconds per byte (0 when capacity is slack).
  var price: [Double]

  init(model: RelaxationModel) {
    x = [Double](repeating: 0, count: model.siteCount)
    z = [Double](repeating: 0, count: model.siteCount)
    y = [Double](repeating: 0, count: model.groupCount)
    served = [Double](repeating: 0, count: model.pairCount)
    used = [Double](repeating: 0, count: model.registryCount)
    price = [Double](repeating: 0, count: model.registryCount)
  }

  /// Solves the subproblem at `(pi, lam)`, in parallel over layer blocks and registries;
  /// partial sums are added in a fixed order (the result does not depend on `workers`).
  mutating func evaluate(
    _ model: RelaxationModel, pi: [Double], lam: [Double], layerBlocks: [Int], workers: Int,
    accL: inout [Double], accF: inout [Double]
  ) {
    let index = model.index
    let R = model.registryCount
    // A. Σ (w − π)⁺ per site and granularity.
    model.accumulateSavings(pi: pi, layerBlocks: layerBlocks, workers: workers, accL: &accL, accF: &accF)
    // B. One continuous knapsack per registry.
    struct Part: Sendable {
      var value = 0.0
      var used = 0.0
      var price = 0.0
    }
    let parts = ParallelSlots<Part>(count: R)
    let accLc = accL
    let accFc = accF
    lam.withUnsafeBufferPointer { lamB in
      x.withUnsafeMutableBufferPointer { xB in
        z.withUnsafeMutableBufferPointer { zB in
          y.withUnsafeMutableBufferPointer { yB in
            let lamP = UnsafeSendable(lamB)
            let xP = UnsafeSendable(xB)
            let zP = UnsafeSendable(zB)
            let yP = UnsafeSendable(yB)
            DispatchQueue.concurrentPerform(iterations: min(workers, max(1, R))) { w in
              var r = w
              // Items: (value per byte, bytes, value, id); id ≥ 0 a site, < 0 a group −1−g.
              var items: [(ratio: Double, size: Double, value: Double, id: Int32)] = []
              while r < R {
                items.removeAll(keepingCapacity: true)
                var part = Part()
                for k in model.registrySiteStart[r]..<model.registrySiteStart[r + 1] {
                  let s = Int(model.registrySites[k])
                  var fileValue = 0.0
                  if model.siteHasFile[s] {
                    var cost = 0.0
                    for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1] { cost += lamP.pointer[e] }
                    fileValue = max(0, accFc[s] - cost)
                  }
                  part.value += fileValue
                  xP.mutablePointer[s] = 0
                  zP.mutablePointer[s] = fileValue > 0 ? 1 : 0
                  if model.siteHasLayer[s] {
                    let gain = accLc[s] - fileValue
                    if gain > 0 {
                      let size = Double(index.layerSize[Int(model.siteLayer[s])])
                      items.append((size > 0 ? gain / size : .infinity, size, gain, Int32(s)))
                    }
                  }
                }
                for g in model.registryGroupStart[r]..<model.registryGroupStart[r + 1] {
                  yP.mutablePointer[g] = 0
                  var total = 0.0
                  for e in model.groupEntryStart[g]..<model.groupEntryStart[g + 1] {
                    total += lamP.pointer[Int(model.groupEntries[e])]
                  }
                  if total > 0 {
                    let size = model.groupSize[g]
                    items.append((size > 0 ? total / size : .infinity, size, total, Int32(-1 - g)))
                  }
                }
                // Decreasing value per byte; ties by id, so the order is fixed.
                items.sort { $0.ratio != $1.ratio ? $0.ratio > $1.ratio : $0.id < $1.id }
                var room = Double(index.capacity[r])
                for item in items {
                  var share = 1.0
                  if item.size > room {
                    share = room / item.size
                    part.price = item.ratio
                  }
                  if share <= 0 { break }
                  room -= share * item.size
                  part.used += share * item.size
                  part.value += share * item.value
                  if item.id >= 0 {
                    let s = Int(item.id)
                    xP.mutablePointer[s] = share
                    if zP.mutablePointer[s] > 0 { zP.mutablePointer[s] = 1 - share }
                  } else {
                    yP.mutablePointer[Int(-1 - item.id)] = share
                  }
                  if share < 1 { break }
                }
                parts.set(r, part)
                r += workers
              }
            }
          }
        }
      }
    }
    value = 0
    for p in 0..<model.pairCount { value += pi[p] }
    for (r, part) in parts.all.enumerated() {
      guard let part else { continue }
      value += part.value
      used[r] = part.used
      price[r] = part.price
    }
    // C. Each pair's use of the copies worth more than its price.
    let savings = ParallelSlots<Double>(count: layerBlocks.count - 1)
    let xc = x
    let zc = z
    pi.withUnsafeBufferPointer { piB in
      served.withUnsafeMutableBufferPointer { servedB in
        let piP = UnsafeSendable(piB)
        let servedP = UnsafeSendable(servedB)
        DispatchQueue.concurrentPerform(iterations: min(workers, layerBlocks.count - 1)) { w in
          var b = w
          while b < layerBlocks.count - 1 {
            var saving = 0.0
            for p in model.pairs(ofLayers: layerBlocks[b]..<layerBlocks[b + 1]) {
              let price = piP.pointer[p]
              var count = 0.0
              for q in model.pairSourceStart[p]..<model.pairSourceStart[p + 1] {
                let wq = model.sourceSaving[q]
                guard wq > price else { continue }
                let s = Int(model.sourceSite[q])
                let open = model.sourceIsFile[q] ? zc[s] : xc[s]
                count += open
                saving += wq * open
              }
              servedP.mutablePointer[p] = count
            }
            savings.set(b, saving)
            b += workers
          }
        }
      }
    }
    saving = 0
    for part in savings.all { saving += part ?? 0 }
  }
}

extension RelaxationModel {
  /// The demanded pairs of the layers `layers` (pairs are stored layer by layer).
  func pairs(ofLayers layers: Range<Int>) -> Range<Int> {
    guard let last = layers.last else { return 0..<0 }
    return index.layerDemand.range(layers.lowerBound).lowerBound..<index.layerDemand.range(last).upperBound
  }

  /// `Σ (w − π)⁺` over each site's layer-level sources (`accL`) and file-level sources
  /// (`accF`), in parallel over the blocks of layers `layerBlocks` (a site's sources all
  /// belong to its layer, so each site's sum is added in pair order whatever `workers`).
  func accumulateSavings(
    pi: [Double], layerBlocks: [Int], workers: Int, accL: inout [Double], accF: inout [Double]
  ) {
    pi.withUnsafeBufferPointer { piB in
      accL.withUnsafeMutableBufferPointer { accLB in
        accF.withUnsafeMutableBufferPointer { accFB in
          let piP = UnsafeSendable(piB)
          let accLP = UnsafeSendable(accLB)
          let accFP = UnsafeSendable(accFB)
          DispatchQueue.concurrentPerform(iterations: min(workers, layerBlocks.count - 1)) { w in
            var b = w
            while b < layerBlocks.count - 1 {
              let layers = layerBlocks[b]..<layerBlocks[b + 1]
              for s in layerSiteStart[layers.lowerBound]..<layerSiteStart[layers.upperBound] {
                accLP.mutablePointer[s] = 0
                accFP.mutablePointer[s] = 0
              }
              for p in pairs(ofLayers: layers) {
                let price = piP.pointer[p]
                for q in pairSourceStart[p]..<pairSourceStart[p + 1] {
                  let v = sourceSaving[q] - price
                  if v > 0 {
                    let s = Int(sourceSite[q])
                    if sourceIsFile[q] { accFP.mutablePointer[s] += v } else { accLP.mutablePointer[s] += v }
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
}
