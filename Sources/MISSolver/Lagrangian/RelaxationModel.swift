import Dispatch
import MISModel
import Synchronization

/// The relaxation of the model in a lean, structure-aware form: no strings, no per-row
/// arrays, only flat arrays indexed by dense integers.
///
/// The model is read in its *savings form* (`Docs/model.md` §7): every demanded pair
/// `p = (n, l)` has a reference cost — its origin cost `cO[n,l]`, or, for a node without an
/// origin link, a virtual origin at twice its most expensive source (adding a source can
/// only lower the optimum, so every bound of this model is a bound of the instance) — and
/// every useful source `s` of `p` saves `w[s] = D[n,l] · (reference − cost[s]) > 0`.
///
/// * A **site** is a (layer, registry) with at least one useful source: it holds the
///   layer-level decision `x` and/or the file-level decision `z` of that copy. Sites are
///   stored layer by layer, each layer's sites by ascending registry.
/// * A **group** is a set of file classes that exactly the same file-level sites of one
///   registry need (`Docs/model.md` §6, "file classes", refined per registry); `y[g]`
///   stores it. A file-level site needs its groups (`z ≤ y`).
///
/// The exact reductions of the compact model that do not depend on the capacities apply:
/// sources no cheaper than the origin are dropped and layers without demand are never
/// placed. Each keeps the optimum, so a bound of this model bounds the instance; and since
/// the model's structure does not depend on the capacities, its value is a convex function
/// of them whose multipliers are honest capacity prices (`Docs/model.md` §8).
///
/// - Complexity: O(Σ over demanded pairs of links per node + Σ over file-level sites of
///   the layer's classes · log), memory linear in the same.
package struct RelaxationModel: Sendable {
  /// The instance's derived data.
  package let index: ProblemIndex
  /// Number of registries.
  package let registryCount: Int

  // Sites.
  /// Sites of layer `l`: `layerSiteStart[l]..<layerSiteStart[l + 1]`.
  package let layerSiteStart: [Int]
  /// Registry of each site.
  package let siteRegistry: [Int32]
  /// Layer of each site.
  package let siteLayer: [Int32]
  /// Whether each site has a layer-level candidate `x`.
  package let siteHasLayer: [Bool]
  /// Whether each site has a file-level candidate `z`.
  package let siteHasFile: [Bool]

  // Pairs and sources. Pairs are the positions of `index.layerDemand` (by layer, then node).
  /// Sources of pair `p`: `pairSourceStart[p]..<pairSourceStart[p + 1]`.
  package let pairSourceStart: [Int]
  /// Site of each source.
  package let sourceSite: [Int32]
  /// Whether each source is file level.
  package let sourceIsFile: [Bool]
  /// Saving of each source, `D · (reference − cost) > 0`.
  package let sourceSaving: [Double]
  /// Per pair: the largest saving of its sources (0 without sources).
  package let pairMaxSaving: [Double]
  /// Per pair: whether its node has an origin link (else it must be served by a registry).
  package let pairHasOrigin: [Bool]
  /// `Σ D · reference` over all demanded pairs: the latency with no saving at all.
  package let referenceLatency: Double
  /// Demanded pairs without an origin link and without any source: the instance is
  /// infeasible when this is not empty.
  package let impossiblePairs: [(node: Int32, layer: Int32)]

  // Groups.
  /// Groups of each site (empty unless it has a file-level candidate):
  /// `siteGroupStart[s]..<siteGroupStart[s + 1]` in ``siteGroups``.
  package let siteGroupStart: [Int]
  /// The group of each (site, group) entry.
  package let siteGroups: [Int32]
  /// Registry of each group.
  package let groupRegistry: [Int32]
  /// Bytes of each group.
  package let groupSize: [Double]
  /// Entries (positions in ``siteGroups``) of each group:
  /// `groupEntryStart[g]..<groupEntryStart[g + 1]` in ``groupEntries``.
  package let groupEntryStart: [Int]
  /// See ``groupEntryStart``.
  package let groupEntries: [Int32]
  /// Sites of each registry, ascending: `registrySites[registrySiteStart[r]..<registrySiteStart[r + 1]]`.
  package let registrySiteStart: [Int]
  /// See ``registrySiteStart``.
  package let registrySites: [Int32]
  /// Groups of registry `r`: `registryGroupStart[r]..<registryGroupStart[r + 1]` (groups are
  /// numbered registry by registry).
  package let registryGroupStart: [Int]

  /// Number of sites.
  package var siteCount: Int { siteRegistry.count }
  /// Number of demanded pairs.
  package var pairCount: Int { pairSourceStart.count - 1 }
  /// Number of groups.
  package var groupCount: Int { groupSize.count }
  /// Number of sources.
  package var sourceCount: Int { sourceSite.count }

  /// Builds the model of `index` allowing `granularities`.
  package init(_ index: ProblemIndex, granularities: Set<Granularity> = [.layer, .file], parallelism: Int = 1) {
    self.index = index
    let R = index.registryCount
    let L = index.layerCount
    registryCount = R
    let allowLayer = granularities.contains(.layer)
    let allowFile = granularities.contains(.file)

    var layerSiteStart = [Int](repeating: 0, count: L + 1)
    var siteRegistry: [Int32] = []
    var siteLayer: [Int32] = []
    var siteHasLayer: [Bool] = []
    var siteHasFile: [Bool] = []
    let pairTotal = index.layerDemandValue.count
    var pairSourceStart = [Int](repeating: 0, count: pairTotal + 1)
    var sourceSite: [Int32] = []
    var sourceIsFile: [Bool] = []
    var sourceSaving: [Double] = []
    var pairMaxSaving = [Double](repeating: 0, count: pairTotal)
    var pairHasOrigin = [Bool](repeating: true, count: pairTotal)
    var reference = 0.0
    var impossible: [(Int32, Int32)] = []
    var siteOfRegistry = [Int32](repeating: -1, count: R)
    var touched: [Int32] = []
    struct Pending {
      var registry: Int32
      var isFile: Bool
      var saving: Double
    }
    var pending: [Pending] = []

    for l in 0..<L {
      layerSiteStart[l] = siteRegistry.count
      let range = index.layerDemand.range(l)
      if range.isEmpty {
        continue
      }
      // Which registries carry a useful source of this layer, and which kinds.
      touched.removeAll(keepingCapacity: true)
      for k in range {
        let n = Int(index.layerDemand.values[k])
        for position in index.nodeLinks.range(n) {
          let r = index.nodeLinks.values[position]
          if siteOfRegistry[Int(r)] == -1 {
            siteOfRegistry[Int(r)] = -2
            touched.append(r)
          }
        }
      }
      touched.sort()
      // Provisional flags per touched registry.
      var hasLayer = [Bool](repeating: false, count: touched.count)
      var hasFile = [Bool](repeating: false, count: touched.count)
      for (i, r) in touched.enumerated() { siteOfRegistry[Int(r)] = Int32(i) }
      pending.removeAll(keepingCapacity: true)
      var pendingStart = [Int](repeating: 0, count: range.count + 1)
      for (j, k) in range.enumerated() {
        pendingStart[j] = pending.count
        let n = Int(index.layerDemand.values[k])
        let d = index.layerDemandValue[k]
        let origin = index.originCost(node: n, layer: l)
        pairHasOrigin[k] = origin != nil
        var worst = 0.0
        if origin == nil {
          for position in index.nodeLinks.range(n) {
            worst = max(worst, index.layerCost(linkPosition: position, layer: l) + index.reconstructionTime[l])
          }
        }
        let ref = origin ?? 2 * worst
        reference += d * ref
        var any = false
        for position in index.nodeLinks.range(n) {
          let r = index.nodeLinks.values[position]
          let cL = index.layerCost(linkPosition: position, layer: l)
          let cF = cL + index.reconstructionTime[l]
          if allowLayer, cL < ref {
            pending.append(Pending(registry: r, isFile: false, saving: d * (ref - cL)))
            hasLayer[Int(siteOfRegistry[Int(r)])] = true
            any = true
          }
          if allowFile, cF < ref {
            pending.append(Pending(registry: r, isFile: true, saving: d * (ref - cF)))
            hasFile[Int(siteOfRegistry[Int(r)])] = true
            any = true
          }
        }
        if origin == nil && !any { impossible.append((Int32(n), Int32(l))) }
      }
      pendingStart[range.count] = pending.count
      // Sites: touched registries with a candidate, ascending.
      var siteIndex = [Int32](repeating: -1, count: touched.count)
      for (i, r) in touched.enumerated() where hasLayer[i] || hasFile[i] {
        siteIndex[i] = Int32(siteRegistry.count)
        siteRegistry.append(r)
        siteLayer.append(Int32(l))
        siteHasLayer.append(hasLayer[i])
        siteHasFile.append(hasFile[i])
      }
      for (j, k) in range.enumerated() {
        pairSourceStart[k] = sourceSite.count
        var best = 0.0
        for q in pendingStart[j]..<pendingStart[j + 1] {
          let s = pending[q]
          sourceSite.append(siteIndex[Int(siteOfRegistry[Int(s.registry)])])
          sourceIsFile.append(s.isFile)
          sourceSaving.append(s.saving)
          best = max(best, s.saving)
        }
        pairMaxSaving[k] = best
      }
      for r in touched { siteOfRegistry[Int(r)] = -1 }
    }
    layerSiteStart[L] = siteRegistry.count
    pairSourceStart[pairTotal] = sourceSite.count

    // Groups, registry by registry (independent, so in parallel), then concatenated in
    // registry order.
    let siteCount = siteRegistry.count
    var fileSitesOfRegistry = [[Int32]](repeating: [], count: R)
    for s in 0..<siteCount where siteHasFile[s] { fileSitesOfRegistry[Int(siteRegistry[s])].append(Int32(s)) }
    struct RegistryGroups: Sendable {
      var sizes: [Double] = []
      /// (site, local group) pairs in ascending group order (each group's sites ascending):
      /// placed by site, each site's groups come out ascending.
      var siteGroup: [(site: Int32, group: Int32)] = []
    }
    let perRegistry = ParallelSlots<RegistryGroups>(count: R)
    let layerClassesRows = index.layerClasses
    let classSize = index.classSize
    let siteLayerCopy = siteLayer
    let fileSites = fileSitesOfRegistry
    DispatchQueue.concurrentPerform(iterations: max(1, min(parallelism, R))) { worker in
      var r = worker
      while r < R {
        var result = RegistryGroups()
        let sites = fileSites[r]
        if !sites.isEmpty {
          // (class, site) pairs sorted by class then site, packed in one integer each (a
          // plain integer sort, several times faster than sorting tuples): each class's
          // signature is the run of sites containing it.
          var pairs: [UInt64] = []
          for s in sites {
            for c in layerClassesRows[Int(siteLayerCopy[Int(s)])] {
              pairs.append(UInt64(UInt32(c)) << 32 | UInt64(UInt32(s)))
            }
          }
          pairs.sort()
          var groupOf: [[Int32]: Int32] = [:]
          var i = 0
          while i < pairs.count {
            var j = i
            var signature: [Int32] = []
            let cls = pairs[i] >> 32
            while j < pairs.count && pairs[j] >> 32 == cls {
              signature.append(Int32(truncatingIfNeeded: pairs[j]))
              j += 1
            }
            let size = Double(classSize[Int(cls)])
            if let g = groupOf[signature] {
              result.sizes[Int(g)] += size
            } else {
              let g = Int32(result.sizes.count)
              groupOf[signature] = g
              result.sizes.append(size)
              for s in signature { result.siteGroup.append((s, g)) }
            }
            i = j
          }
        }
        perRegistry.set(r, result)
        r += max(1, min(parallelism, R))
      }
    }
    // Two passes over the registries' parts (count, then place), each part released once
    // placed: at fleet scale the entries run to tens of millions.
    var groupRegistry: [Int32] = []
    var groupSize: [Double] = []
    var siteGroupCount = [Int](repeating: 0, count: siteCount + 1)
    var registryGroupBase = [Int32](repeating: 0, count: R)
    for r in 0..<R {
      guard let part = perRegistry.get(r) else { continue }
      registryGroupBase[r] = Int32(groupSize.count)
      for size in part.sizes {
        groupSize.append(size)
        groupRegistry.append(Int32(r))
      }
      for e in part.siteGroup { siteGroupCount[Int(e.site) + 1] += 1 }
    }
    for s in 0..<siteCount { siteGroupCount[s + 1] += siteGroupCount[s] }
    var fill = siteGroupCount
    var siteGroups = [Int32](repeating: 0, count: siteGroupCount[siteCount])
    for r in 0..<R {
      guard let part = perRegistry.take(r) else { continue }
      for e in part.siteGroup {
        siteGroups[fill[Int(e.site)]] = e.group + registryGroupBase[r]
        fill[Int(e.site)] += 1
      }
    }
    // Group → entries.
    let G = groupSize.count
    var groupEntryStart = [Int](repeating: 0, count: G + 1)
    for g in siteGroups { groupEntryStart[Int(g) + 1] += 1 }
    for g in 0..<G { groupEntryStart[g + 1] += groupEntryStart[g] }
    var gfill = groupEntryStart
    var groupEntries = [Int32](repeating: 0, count: siteGroups.count)
    for (position, g) in siteGroups.enumerated() {
      groupEntries[gfill[Int(g)]] = Int32(position)
      gfill[Int(g)] += 1
    }

    self.layerSiteStart = layerSiteStart
    self.siteRegistry = siteRegistry
    self.siteLayer = siteLayer
    self.siteHasLayer = siteHasLayer
    self.siteHasFile = siteHasFile
    self.pairSourceStart = pairSourceStart
    self.sourceSite = sourceSite
    self.sourceIsFile = sourceIsFile
    self.sourceSaving = sourceSaving
    self.pairMaxSaving = pairMaxSaving
    self.pairHasOrigin = pairHasOrigin
    self.referenceLatency = reference
    self.impossiblePairs = impossible
    self.siteGroupStart = siteGroupCount
    self.siteGroups = siteGroups
    self.groupRegistry = groupRegistry
    self.groupSize = groupSize
    self.groupEntryStart = groupEntryStart
    self.groupEntries = groupEntries
    var registrySiteStart = [Int](repeating: 0, count: R + 1)
    for r in siteRegistry { registrySiteStart[Int(r) + 1] += 1 }
    for r in 0..<R { registrySiteStart[r + 1] += registrySiteStart[r] }
    var rfill = registrySiteStart
    var registrySites = [Int32](repeating: 0, count: siteCount)
    for s in 0..<siteCount {
      registrySites[rfill[Int(siteRegistry[s])]] = Int32(s)
      rfill[Int(siteRegistry[s])] += 1
    }
    self.registrySiteStart = registrySiteStart
    self.registrySites = registrySites
    var registryGroupStart = [Int](repeating: 0, count: R + 1)
    for r in groupRegistry { registryGroupStart[Int(r) + 1] += 1 }
    for r in 0..<R { registryGroupStart[r + 1] += registryGroupStart[r] }
    self.registryGroupStart = registryGroupStart
  }

  /// The site of (layer `l`, registry `r`), or `nil`.
  package func site(layer l: Int, registry r: Int) -> Int? {
    var lo = layerSiteStart[l]
    var hi = layerSiteStart[l + 1]
    let target = Int32(r)
    while lo < hi {
      let mid = (lo + hi) / 2
      let v = siteRegistry[mid]
      if v == target { return mid }
      if v < target { lo = mid + 1 } else { hi = mid }
    }
    return nil
  }

  /// Approximate memory held by the model's arrays, in bytes.
  package var approximateBytes: Int {
    let ints = layerSiteStart.count + pairSourceStart.count + siteGroupStart.count + groupEntryStart.count
    let int32s = siteRegistry.count * 2 + sourceSite.count + siteGroups.count + groupRegistry.count + groupEntries.count
    let doubles = sourceSaving.count + pairMaxSaving.count + groupSize.count
    let bools = siteHasLayer.count * 2 + sourceIsFile.count
    return ints * 8 + int32s * 4 + doubles * 8 + bools
  }
}

/// Fixed slots written by parallel workers (each slot by exactly one worker).
package final class ParallelSlots<Value: Sendable>: Sendable {
  private let values: Mutex<[Value?]>

  /// `count` empty slots.
  package init(count: Int) { values = Mutex([Value?](repeating: nil, count: count)) }

  /// Stores `value` in slot `i`.
  package func set(_ i: Int, _ value: Value) { values.withLock { $0[i] = value } }

  /// The value of slot `i`.
  package func get(_ i: Int) -> Value? { values.withLock { $0[i] } }

  /// The value of slot `i`, leaving the slot empty (its storage released with the value).
  package func take(_ i: Int) -> Value? {
    values.withLock { slots in
      defer { slots[i] = nil }
      return slots[i]
    }
  }

  /// All slots, in order.
  package var all: [Value?] { values.withLock { $0 } }
}
