import Dispatch
import MISModel

/// The Lagrangian subproblem with the capacity rows kept: only the assignment rows
/// (`π`, one per demanded pair) and the sharing rows of *shared* groups (`λ`, one per
/// (site, group) entry) are moved into the objective. A group that only one site needs
/// (a private group) is stored exactly when that site's files are: its bytes are the
/// size of the site's file-level copy, and its sharing row is kept.
///
/// What remains separates by registry. At registry `r`, each site stores nothing, its
/// layer-level copy or its file-level copy (the shared groups paid through `λ`), or a mix
/// (`x + z ≤ 1`): a class of a multiple-choice knapsack, whose LP is the greedy on the
/// increments of its upper concave hull (``addSiteItems(site:layer:file:to:)``); each
/// shared group is an item worth `Σ λ` of its entries. Capacity is one continuous knapsack
/// over all items, filled by decreasing value per byte up to the critical ratio
/// (``criticalRatio(_:room:)``): at most the items at that ratio are split. The critical
/// ratio is registry `r`'s capacity price at these multipliers.
///
/// The subproblem is solved as the LP it is, so the best bound over `(π, λ)` is the LP
/// relaxation's value (a Lagrangian dual of an LP is its LP value), and every evaluation
/// is a proven lower bound (weak duality). Keeping the private groups' rows only tightens
/// it: its value is at most ``DualState``'s `L(π, λ, μ)` for every `μ`, and equal to it at
/// `μ` = ``price`` when no group is private.
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

  /// Per site: the group that only this site needs (`-1` when none).
  let privateGroup: [Int32]
  /// The site of each sharing entry, in group-major order (the entries of group `g` are
  /// `model.groupEntryStart[g]..<model.groupEntryStart[g + 1]`): the order of `lam` here.
  let groupEntrySite: [Int32]
  /// Scratch: `Σ λ` over each site's shared groups.
  private var siteCost: [Double]
  /// Per site: its layer-level copy is larger than its registry.
  let layerOversized: [Bool]
  /// Per site: its layer's files together are larger than its registry (no file-level
  /// copy can be stored there).
  let fileOversized: [Bool]
  /// Leave out the copies that cannot fit their registry (``layerOversized``,
  /// ``fileOversized``; default false). No plan stores such a copy, so the subproblem with
  /// them left out still relaxes every plan and its value is still a proven bound on the
  /// optimum; it may pass the LP of the model that keeps them. Its critical ratios are
  /// not prices of that LP's value function (the set of copies changes with the capacity).
  var excludeOversized = false
  /// Whether some copy is larger than its registry.
  var hasOversized: Bool { layerOversized.contains(true) || fileOversized.contains(true) }

  init(model: RelaxationModel) {
    var privateGroup = [Int32](repeating: -1, count: model.siteCount)
    var entrySite = [Int32](repeating: 0, count: model.siteGroups.count)
    for s in 0..<model.siteCount {
      for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1] {
        entrySite[e] = Int32(s)
        let g = Int(model.siteGroups[e])
        if model.groupEntryStart[g + 1] - model.groupEntryStart[g] == 1 { privateGroup[s] = Int32(g) }
      }
    }
    self.privateGroup = privateGroup
    groupEntrySite = model.groupEntries.map { entrySite[Int($0)] }
    siteCost = [Double](repeating: 0, count: model.siteCount)
    let index = model.index
    layerOversized = (0..<model.siteCount).map { s in
      model.siteHasLayer[s]
        && index.layerSize[Int(model.siteLayer[s])] > index.capacity[Int(model.siteRegistry[s])]
    }
    // A layer's file bytes once per layer, not once per site (one site per registry).
    let layerFileBytes = (0..<index.layerCount).map { index.fileBytes(ofLayer: $0) }
    fileOversized = (0..<model.siteCount).map { s in
      model.siteHasFile[s]
        && layerFileBytes[Int(model.siteLayer[s])] > index.capacity[Int(model.siteRegistry[s])]
    }
    x = [Double](repeating: 0, count: model.siteCount)
    z = [Double](repeating: 0, count: model.siteCount)
    y = [Double](repeating: 0, count: model.groupCount)
    served = [Double](repeating: 0, count: model.pairCount)
    used = [Double](repeating: 0, count: model.registryCount)
    price = [Double](repeating: 0, count: model.registryCount)
  }

  /// The sharing multipliers `lam` (one per (site, group) entry, in the model's site-major
  /// order) in this subproblem's group-major order.
  func groupMajor(_ lam: [Double], model: RelaxationModel) -> [Double] {
    model.groupEntries.map { lam[Int($0)] }
  }

  /// A projected subgradient step of the sharing multipliers, taken inside
  /// ``evaluate(_:pi:lam:step:averages:layerBlocks:workers:accL:accF:)``:
  /// `λ = max(0, from − size · (ȳ − z̄))` per entry, with the averages given there.
  struct SharingStep: Sendable {
    /// The multipliers stepped from (group-major).
    var from: [Double]
    /// The step length.
    var size: Double
  }

  /// Averaged-primal sums of the sharing rows at the last evaluation (with averages):
  /// `Σ g²`, `Σ g·v` and `Σ v²` over the shared groups' entries, `g = y − z` of this
  /// subproblem's point and `v = ȳ − z̄` of the averages.
  var sharingDirection = (gg: 0.0, gv: 0.0, vv: 0.0)

  /// Solves the subproblem at `(pi, lam)`, `lam` in group-major order (``groupEntrySite``),
  /// in parallel over layer blocks and registries; partial sums are added in a fixed order
  /// (the result does not depend on `workers`).
  ///
  /// With `step`, `lam` is first overwritten by that step from `step.from` along the
  /// averages (`averages` required); with `averages`, ``sharingDirection`` is computed.
  /// Both are fused into the knapsacks' pass over each registry's entries.
  mutating func evaluate(
    _ model: RelaxationModel, pi: [Double], lam: inout [Double], step: SharingStep? = nil,
    averages: (y: [Double], z: [Double])? = nil, layerBlocks: [Int], workers: Int,
    accL: inout [Double], accF: inout [Double]
  ) {
    precondition(step == nil || averages != nil, "a sharing step needs the averages")
    let index = model.index
    let R = model.registryCount
    // A. Σ (w − π)⁺ per site and granularity.
    model.accumulateSavings(pi: pi, layerBlocks: layerBlocks, workers: workers, accL: &accL, accF: &accF)
    // B. One continuous multiple-choice knapsack per registry.
    struct Part: Sendable {
      var value = 0.0
      var used = 0.0
      var price = 0.0
      var gg = 0.0
      var gv = 0.0
      var vv = 0.0
    }
    let parts = ParallelSlots<Part>(count: R)
    let accLc = accL
    let accFc = accF
    let privateGroup = self.privateGroup
    let groupEntrySite = self.groupEntrySite
    let excluded = excludeOversized ? (layer: layerOversized, file: fileOversized) : nil
    let stepFrom = step?.from ?? []
    let stepSize = step?.size ?? 0
    let stepping = step != nil
    let averaged = averages != nil
    let yBar = averages?.y ?? []
    let zBar = averages?.z ?? []
    stepFrom.withUnsafeBufferPointer { fromB in
      yBar.withUnsafeBufferPointer { yBarB in
        zBar.withUnsafeBufferPointer { zBarB in
          lam.withUnsafeMutableBufferPointer { lamB in
            siteCost.withUnsafeMutableBufferPointer { costB in
              x.withUnsafeMutableBufferPointer { xB in
                z.withUnsafeMutableBufferPointer { zB in
                  y.withUnsafeMutableBufferPointer { yB in
                    let lamP = UnsafeSendable(lamB)
                    let xP = UnsafeSendable(xB)
                    let zP = UnsafeSendable(zB)
                    let yP = UnsafeSendable(yB)
                    let costP = UnsafeSendable(costB)
                    let fromP = UnsafeSendable(fromB)
                    let yBarP = UnsafeSendable(yBarB)
                    let zBarP = UnsafeSendable(zBarB)
                    DispatchQueue.concurrentPerform(iterations: min(workers, max(1, R))) { w in
                      var r = w
                      var items: [KnapsackItem] = []
                      var ties: [Int] = []
                      while r < R {
                        items.removeAll(keepingCapacity: true)
                        var part = Part()
                        // Shared groups (their entries all belong to this registry's sites): the
                        // item worth `Σ λ`, and each site's cost.
                        for k in model.registrySiteStart[r]..<model.registrySiteStart[r + 1] {
                          costP.mutablePointer[Int(model.registrySites[k])] = 0
                        }
                        for g in model.registryGroupStart[r]..<model.registryGroupStart[r + 1] {
                          yP.mutablePointer[g] = 0
                          let entries = model.groupEntryStart[g]..<model.groupEntryStart[g + 1]
                          guard entries.count > 1 else { continue }
                          var total = 0.0
                          if stepping {
                            let yb = yBarP.pointer[g]
                            for e in entries {
                              let s = Int(groupEntrySite[e])
                              let v = max(0, fromP.pointer[e] - stepSize * (yb - zBarP.pointer[s]))
                              lamP.mutablePointer[e] = v
                              total += v
                              costP.mutablePointer[s] += v
                            }
                          } else {
                            for e in entries {
                              let v = lamP.pointer[e]
                              total += v
                              costP.mutablePointer[Int(groupEntrySite[e])] += v
                            }
                          }
                          if total > 0 {
                            items.append(
                              KnapsackItem(size: model.groupSize[g], value: total, id: Int32(g), kind: .group))
                          }
                        }
                        for k in model.registrySiteStart[r]..<model.registrySiteStart[r + 1] {
                          let s = Int(model.registrySites[k])
                          xP.mutablePointer[s] = 0
                          zP.mutablePointer[s] = 0
                          var fileValue = 0.0
                          var fileSize = 0.0
                          if model.siteHasFile[s], excluded?.file[s] != true {
                            fileValue = accFc[s] - costP.pointer[s]
                            let own = Int(privateGroup[s])
                            if own >= 0 { fileSize = model.groupSize[own] }
                          }
                          let layerValue = model.siteHasLayer[s] && excluded?.layer[s] != true ? accLc[s] : 0
                          let layerSize = Double(index.layerSize[Int(model.siteLayer[s])])
                          Self.addSiteItems(
                            site: Int32(s), layer: (layerSize, layerValue), file: (fileSize, fileValue), to: &items)
                        }
                        // The critical ratio: items worth more per byte are taken whole, items
                        // worth exactly that share what room is left by id, the rest stay out.
                        let room = Double(index.capacity[r])
                        let critical = Self.criticalRatio(&items, room: room)
                        var left = room
                        ties.removeAll(keepingCapacity: true)
                        for (i, item) in items.enumerated() {
                          if let critical, item.ratio <= critical {
                            if item.ratio == critical { ties.append(i) }
                            items[i].share = 0
                          } else {
                            items[i].share = 1
                            left -= item.size
                          }
                        }
                        if let critical {
                          part.price = critical
                          ties.sort {
                            items[$0].id != items[$1].id
                              ? items[$0].id < items[$1].id : items[$0].kind.rawValue < items[$1].kind.rawValue
                          }
                          for i in ties where left > 0 {
                            let share = min(1, left / items[i].size)
                            items[i].share = share
                            left -= share * items[i].size
                          }
                        }
                        // Whole and partial items first, then the upgrades on top of them.
                        for pass in 0..<2 {
                          for item in items where item.share > 0 && (item.kind.isUpgrade == (pass == 1)) {
                            part.value += item.share * item.value
                            part.used += item.share * item.size
                            let i = Int(item.id)
                            switch item.kind {
                            case .layer: xP.mutablePointer[i] = item.share
                            case .file: zP.mutablePointer[i] = item.share
                            case .fileToLayer:
                              xP.mutablePointer[i] = item.share
                              zP.mutablePointer[i] = 1 - item.share
                            case .layerToFile:
                              zP.mutablePointer[i] = item.share
                              xP.mutablePointer[i] = 1 - item.share
                            case .group: yP.mutablePointer[i] = item.share
                            }
                          }
                        }
                        // A group only one site needs is stored exactly when that site's files are.
                        for k in model.registrySiteStart[r]..<model.registrySiteStart[r + 1] {
                          let s = Int(model.registrySites[k])
                          if privateGroup[s] >= 0 { yP.mutablePointer[Int(privateGroup[s])] = zP.pointer[s] }
                        }
                        // The volume direction's sums over this registry's shared entries.
                        if averaged {
                          for g in model.registryGroupStart[r]..<model.registryGroupStart[r + 1] {
                            let entries = model.groupEntryStart[g]..<model.groupEntryStart[g + 1]
                            guard entries.count > 1 else { continue }
                            let yg = yP.pointer[g]
                            let yb = yBarP.pointer[g]
                            for e in entries {
                              let s = Int(groupEntrySite[e])
                              let gs = yg - zP.pointer[s]
                              let vs = yb - zBarP.pointer[s]
                              part.gg += gs * gs
                              part.gv += gs * vs
                              part.vv += vs * vs
                            }
                          }
                        }
                        parts.set(r, part)
                        r += workers
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    value = 0
    for p in 0..<model.pairCount { value += pi[p] }
    sharingDirection = (0, 0, 0)
    for (r, part) in parts.all.enumerated() {
      guard let part else { continue }
      sharingDirection.gg += part.gg
      sharingDirection.gv += part.gv
      sharingDirection.vv += part.vv
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

/// One item of a registry's continuous knapsack.
struct KnapsackItem: Sendable {
  /// What taking the item stores.
  enum Kind: UInt8, Sendable {
    /// The site's layer-level copy (`x`).
    case layer
    /// The site's file-level copy (`z`) with the files only it needs.
    case file
    /// Replacing the (smaller) layer-level copy by the file-level one.
    case layerToFile
    /// Replacing the (smaller) file-level copy by the layer-level one.
    case fileToLayer
    /// A group that several file-level copies share (`y`).
    case group

    var isUpgrade: Bool { self == .layerToFile || self == .fileToLayer }
  }

  /// Value per byte (infinite for an empty item).
  let ratio: Double
  /// Bytes.
  let size: Double
  /// Value of the whole item.
  let value: Double
  /// Site or group.
  let id: Int32
  /// What the item stores.
  let kind: Kind
  /// The share taken.
  var share = 0.0

  init(size: Double, value: Double, id: Int32, kind: Kind) {
    self.size = size
    self.value = value
    self.id = id
    self.kind = kind
    ratio = size > 0 ? value / size : .infinity
  }
}

extension KnapsackSubproblem {
  /// Adds site `site`'s items: the upper concave hull of "nothing", its layer-level copy
  /// and its file-level copy (`x + z ≤ 1`), as increments of decreasing value per byte —
  /// the exact LP of a multiple-choice knapsack class (Sinha & Zoltners, 1979).
  static func addSiteItems(
    site: Int32, layer: (size: Double, value: Double), file: (size: Double, value: Double),
    to items: inout [KnapsackItem]
  ) {
    let useLayer = layer.value > 0
    let useFile = file.value > 0
    guard useLayer && useFile else {
      if useLayer { items.append(KnapsackItem(size: layer.size, value: layer.value, id: site, kind: .layer)) }
      if useFile { items.append(KnapsackItem(size: file.size, value: file.value, id: site, kind: .file)) }
      return
    }
    if layer.size == file.size {
      let kind: KnapsackItem.Kind = layer.value >= file.value ? .layer : .file
      items.append(KnapsackItem(size: layer.size, value: max(layer.value, file.value), id: site, kind: kind))
      return
    }
    let layerFirst = layer.size < file.size
    let small = layerFirst ? layer : file
    let large = layerFirst ? file : layer
    let smallKind: KnapsackItem.Kind = layerFirst ? .layer : .file
    let largeKind: KnapsackItem.Kind = layerFirst ? .file : .layer
    if large.value <= small.value {
      items.append(KnapsackItem(size: small.size, value: small.value, id: site, kind: smallKind))
      return
    }
    let smallRatio = small.size > 0 ? small.value / small.size : .infinity
    let upgradeRatio = (large.value - small.value) / (large.size - small.size)
    if upgradeRatio < smallRatio {
      items.append(KnapsackItem(size: small.size, value: small.value, id: site, kind: smallKind))
      items.append(
        KnapsackItem(
          size: large.size - small.size, value: large.value - small.value, id: site,
          kind: layerFirst ? .layerToFile : .fileToLayer))
    } else {
      items.append(KnapsackItem(size: large.size, value: large.value, id: site, kind: largeKind))
    }
  }

  /// The knapsack's critical ratio `c` with room `room`: the items worth more than `c`
  /// per byte fit (`Σ size < room`) and those worth at least `c` do not (`≥ room`), or `nil`
  /// when every item fits. Expected linear time (three-way quickselect with a deterministic
  /// pivot); reorders `items`. Empty items always fit and are never critical.
  static func criticalRatio(_ items: inout [KnapsackItem], room: Double) -> Double? {
    var lo = 0
    for i in items.indices where items[i].size <= 0 {
      items.swapAt(i, lo)
      lo += 1
    }
    var hi = items.count
    var total = 0.0
    for i in lo..<hi { total += items[i].size }
    guard total > room, lo < hi else { return nil }
    if room <= 0 {
      var best = -Double.infinity
      for i in lo..<hi { best = max(best, items[i].ratio) }
      return best
    }
    var room = room
    while lo < hi {
      let a = items[lo].ratio
      let b = items[(lo + hi) / 2].ratio
      let c = items[hi - 1].ratio
      let pivot = max(min(a, b), min(max(a, b), c))
      // [lo, greater) above the pivot, [greater, less) at it, [less, hi) below it.
      var greater = lo
      var i = lo
      var less = hi
      var sumGreater = 0.0
      var sumEqual = 0.0
      while i < less {
        let ratio = items[i].ratio
        if ratio > pivot {
          sumGreater += items[i].size
          items.swapAt(i, greater)
          greater += 1
          i += 1
        } else if ratio < pivot {
          less -= 1
          items.swapAt(i, less)
        } else {
          sumEqual += items[i].size
          i += 1
        }
      }
      if sumGreater >= room {
        hi = greater
      } else if sumGreater + sumEqual >= room {
        return pivot
      } else {
        room -= sumGreater + sumEqual
        lo = less
      }
    }
    // Only reached through rounding: what is left fits.
    return nil
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
