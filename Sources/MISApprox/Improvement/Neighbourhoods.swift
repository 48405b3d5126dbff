import MISModel

/// The kinds of neighbourhood the improvement step searches.
public enum NeighbourhoodKind: String, Sendable, Hashable, CaseIterable {
  /// Every placement decision at once (only when the whole problem fits the size cap:
  /// the sub-MIP is then the exact model, warm-started with the incumbent).
  case whole
  /// Relaxation-induced: the placements of a group of layers where the fractional guide
  /// disagrees with the incumbent (Danna, Rothberg, Le Pape 2005).
  case rins
  /// One registry: its placements and the best candidates for it, under its capacity.
  case registry
  /// Two registries that share nodes: copies can move between them.
  case registryPair
  /// A family of layers that share files (breadth-first over shared file classes), on
  /// every registry that can serve them.
  case family
  /// Layers of similar size on every registry that can serve them: big copies can trade
  /// places between registries, which no single-registry neighbourhood can do when every
  /// registry is full.
  case sizeBand
  /// A forced insertion of a valuable copy that does not fit, then the registry
  /// neighbourhoods of every registry that can serve the layer, in turn.
  case insertion
}

/// One neighbourhood to search, before it is turned into slots against an incumbent.
struct Neighbourhood: Sendable {
  var kind: NeighbourhoodKind
  /// Registries (registry, registryPair).
  var registries: [Int] = []
  /// Layers (rins, family), in priority order.
  var layers: [Int] = []
  /// Salt for the order of a registry's placed layers.
  var salt: UInt64 = 0
}

/// Data derived once per improvement run: candidate slots and their sizes, a family order
/// of the layers, and which registries share nodes.
struct ImprovementContext: Sendable {
  let index: ProblemIndex
  /// Layers with demand, ascending.
  let demandedLayers: [Int]
  /// For each layer, the registries that some demanding node links to, ascending.
  let relevant: CompressedRows
  /// Parallel to `relevant.values`: the number of demanding nodes linked to that registry.
  let linkedDemand: [Int32]
  /// Demanded layers in family order (breadth-first over shared file classes).
  let familyOrder: [Int]
  /// For each registry, the other registries by number of shared nodes (descending, then
  /// index), only those sharing at least one node.
  let partners: [[Int]]
  /// Estimated columns of the whole problem.
  let wholeEstimate: Int
  /// Demanded layers by size, largest first (ties by index).
  let sizeOrder: [Int]

  init(_ index: ProblemIndex) {
    self.index = index
    let R = index.registryCount
    let L = index.layerCount
    var rows = CompressedRows.Builder(rowCapacity: L)
    var counts: [Int32] = []
    var perRegistry = [Int32](repeating: 0, count: R)
    var demanded: [Int] = []
    var whole = 0
    for l in 0..<L {
      if !index.layerDemand[l].isEmpty { demanded.append(l) }
      for k in index.layerDemand.range(l) {
        let n = Int(index.layerDemand.values[k])
        for position in index.nodeLinks.range(n) { perRegistry[Int(index.nodeLinks.values[position])] += 1 }
      }
      for r in 0..<R where perRegistry[r] > 0 {
        rows.append(Int32(r))
        counts.append(perRegistry[r])
        whole += SubMIP.estimatedColumns(index, layer: l, linkedDemand: Int(perRegistry[r]))
        perRegistry[r] = 0
      }
      rows.endRow()
    }
    relevant = rows.build()
    linkedDemand = counts
    demandedLayers = demanded
    wholeEstimate = whole

    // Family order: breadth-first from each unvisited demanded layer, through shared classes.
    var visited = [Bool](repeating: false, count: L)
    var order: [Int] = []
    for seed in demanded where !visited[seed] {
      visited[seed] = true
      var queue = [seed]
      var head = 0
      while head < queue.count {
        let l = queue[head]
        head += 1
        order.append(l)
        for c in index.layerClasses[l] {
          for other in index.classLayers[Int(c)] {
            let o = Int(other)
            if !visited[o] && !index.layerDemand[o].isEmpty {
              visited[o] = true
              queue.append(o)
            }
          }
        }
      }
    }
    familyOrder = order
    sizeOrder = demanded.sorted { (-index.layerSize[$0], $0) < (-index.layerSize[$1], $1) }

    // Shared nodes between registries.
    var shared = [Int](repeating: 0, count: R * R)
    for n in 0..<index.nodeCount {
      let linked = index.nodeLinks[n].map(Int.init)
      for a in linked { for b in linked where a != b { shared[a * R + b] += 1 } }
    }
    partners = (0..<R).map { r in
      (0..<R).filter { $0 != r && shared[r * R + $0] > 0 }.sorted {
        (-shared[r * R + $0], $0) < (-shared[r * R + $1], $1)
      }
    }
  }

  /// The estimated columns of slot `(l, r)` where `position` is `r`'s place in `relevant`.
  func estimate(layer l: Int, position: Int) -> Int {
    SubMIP.estimatedColumns(index, layer: l, linkedDemand: Int(linkedDemand[position]))
  }

  /// The estimated columns of all relevant slots of layer `l`.
  func estimate(layer l: Int) -> Int {
    relevant.range(l).reduce(0) { $0 + estimate(layer: l, position: $1) }
  }

  /// The position of registry `r` in layer `l`'s relevant row, or `nil`.
  func position(layer l: Int, registry r: Int) -> Int? {
    relevant.range(l).first { relevant.values[$0] == Int32(r) }
  }

  /// Current cost of every demanded pair (position in `layerDemand`) under `matrix`.
  func pairCosts(_ matrix: PlacementMatrix) -> [Double] {
    var costs = [Double](repeating: .infinity, count: index.layerDemandValue.count)
    for l in 0..<index.layerCount {
      for k in index.layerDemand.range(l) {
        costs[k] = index.cheapestSource(node: Int(index.layerDemand.values[k]), layer: l, in: matrix)?.1 ?? .infinity
      }
    }
    return costs
  }

  /// Latency that a copy of `l` on `r` at its best granularity would save under `costs`.
  func potentialGain(layer l: Int, registry r: Int, costs: [Double]) -> Double {
    var gain = 0.0
    for k in index.layerDemand.range(l) {
      let n = Int(index.layerDemand.values[k])
      guard let position = index.linkPosition(node: n, registry: r) else { continue }
      let c = index.layerCost(linkPosition: position, layer: l)
      if costs[k] > c { gain += index.layerDemandValue[k] * min(costs[k] - c, 1e300) }
    }
    return gain
  }

  /// The neighbourhoods of pass `pass` (0-based), deterministic in `salt` and the incumbent.
  /// With `wholeAllowed` (the first pass, and the first after the size cap grew) the whole
  /// problem is the only neighbourhood when it fits twice `maxColumns`.
  func pass(
    _ pass: Int, incumbent: PlacementMatrix, guide: FractionalGuide?, maxColumns: Int, rinsThreshold: Double,
    insertions: Int, wholeAllowed: Bool, rng: inout SplitMix64
  ) -> [Neighbourhood] {
    if wholeAllowed && wholeEstimate <= 2 * maxColumns { return [Neighbourhood(kind: .whole)] }
    let R = index.registryCount
    var out: [Neighbourhood] = []
    // RINS: the layers where guide and incumbent disagree, in family order, chunked.
    if let guide {
      var chunk: [Int] = []
      var size = 0
      for l in familyOrder {
        var layerSize = 0
        for position in relevant.range(l) {
          let r = Int(relevant.values[position])
          if guide.disagrees(layer: l, registry: r, with: incumbent[l, r], threshold: rinsThreshold) {
            layerSize += estimate(layer: l, position: position)
          }
        }
        guard layerSize > 0 else { continue }
        if size + layerSize > maxColumns && !chunk.isEmpty {
          out.append(Neighbourhood(kind: .rins, layers: chunk))
          chunk = []
          size = 0
        }
        chunk.append(l)
        size += layerSize
      }
      if !chunk.isEmpty { out.append(Neighbourhood(kind: .rins, layers: chunk)) }
    }
    // Each registry, starting at a pass-dependent one.
    for i in 0..<R {
      out.append(Neighbourhood(kind: .registry, registries: [(i + pass) % R], salt: rng.next()))
    }
    // Families: consecutive runs of the family order, cut at a pass-dependent offset.
    if !familyOrder.isEmpty {
      let offset = pass == 0 ? 0 : rng.nextInt(upperBound: familyOrder.count)
      var chunk: [Int] = []
      var size = 0
      for j in 0..<familyOrder.count {
        let l = familyOrder[(j + offset) % familyOrder.count]
        let layerSize = estimate(layer: l)
        if size + layerSize > maxColumns && !chunk.isEmpty {
          out.append(Neighbourhood(kind: .family, layers: chunk))
          chunk = []
          size = 0
        }
        chunk.append(l)
        size += layerSize
      }
      if !chunk.isEmpty { out.append(Neighbourhood(kind: .family, layers: chunk)) }
    }
    // Size bands: consecutive runs of the size order; from the second pass on, the first
    // band is cut short at a random point so that band boundaries move.
    if !sizeOrder.isEmpty {
      var chunk: [Int] = []
      var size = 0
      var cap = pass == 0 ? maxColumns : max(1, rng.nextInt(upperBound: maxColumns))
      for l in sizeOrder {
        let layerSize = estimate(layer: l)
        if size + layerSize > cap && !chunk.isEmpty {
          out.append(Neighbourhood(kind: .sizeBand, layers: chunk))
          chunk = []
          size = 0
          cap = maxColumns
        }
        chunk.append(l)
        size += layerSize
      }
      if !chunk.isEmpty { out.append(Neighbourhood(kind: .sizeBand, layers: chunk)) }
    }
    // Forced insertions: the empty slots of most potential gain per byte, at most one per
    // registry and `insertions` in all.
    if insertions > 0 {
      let costs = pairCosts(incumbent)
      var options: [(value: Double, l: Int, r: Int)] = []
      for l in demandedLayers {
        for position in relevant.range(l) {
          let r = Int(relevant.values[position])
          guard incumbent[l, r] == nil, index.layerSize[l] <= index.capacity[r] else { continue }
          let gain = potentialGain(layer: l, registry: r, costs: costs)
          if gain > 0 { options.append((gain, l, r)) }
        }
      }
      options.sort { ($0.value, -$0.l, -$0.r) > ($1.value, -$1.l, -$1.r) }
      let skip = pass * insertions
      for option in options.dropFirst(skip).prefix(insertions) {
        out.append(Neighbourhood(kind: .insertion, registries: [option.r], layers: [option.l]))
      }
    }
    // Registry pairs: each registry with a partner that shares nodes, rotating by pass.
    var seen = Set<Int>()
    for r in 0..<R where !partners[r].isEmpty {
      let p = partners[r][pass % partners[r].count]
      let key = min(r, p) * R + max(r, p)
      if seen.insert(key).inserted {
        out.append(Neighbourhood(kind: .registryPair, registries: [min(r, p), max(r, p)], salt: rng.next()))
      }
    }
    return out
  }

  /// The slots of `neighbourhood` around `incumbent`, capped at `maxColumns` estimated
  /// columns (at least one layer's slots are always kept).
  func slots(
    of neighbourhood: Neighbourhood, incumbent: PlacementMatrix, costs: [Double], guide: FractionalGuide?,
    maxColumns: Int, rinsThreshold: Double
  ) -> [Slot] {
    var slots: [Slot] = []
    var size = 0
    /// Adds the given slots of one layer as a unit if they fit (or nothing was added yet).
    func add(_ group: [(slot: Slot, columns: Int)]) -> Bool {
      let columns = group.reduce(0) { $0 + $1.columns }
      if size + columns > maxColumns && !slots.isEmpty { return false }
      slots.append(contentsOf: group.map(\.slot))
      size += columns
      return true
    }
    func layerSlots(_ l: Int, registries: [Int]?) -> [(slot: Slot, columns: Int)] {
      var group: [(slot: Slot, columns: Int)] = []
      for position in relevant.range(l) {
        let r = Int(relevant.values[position])
        if let registries, !registries.contains(r) { continue }
        group.append((Slot(l, r), estimate(layer: l, position: position)))
      }
      return group
    }
    switch neighbourhood.kind {
    case .whole:
      for l in demandedLayers { slots.append(contentsOf: layerSlots(l, registries: nil).map(\.slot)) }
    case .family, .sizeBand:
      for l in neighbourhood.layers where !add(layerSlots(l, registries: nil)) { break }
    case .rins:
      for l in neighbourhood.layers {
        var group = layerSlots(l, registries: nil)
        if let guide {
          group.removeAll {
            !guide.disagrees(
              layer: l, registry: Int($0.slot.registry), with: incumbent[l, Int($0.slot.registry)],
              threshold: rinsThreshold)
          }
        }
        if !group.isEmpty && !add(group) { break }
      }
    case .insertion:
      break  // built by InsertionChain
    case .registry, .registryPair:
      let registries = neighbourhood.registries
      // Placed layers in a salted order, interleaved with the unplaced candidates of most
      // potential gain.
      var placed: [Int] = []
      var candidates: [(gain: Double, layer: Int)] = []
      for l in demandedLayers {
        let mine = registries.filter { position(layer: l, registry: $0) != nil }
        guard !mine.isEmpty else { continue }
        if mine.contains(where: { incumbent[l, $0] != nil }) {
          placed.append(l)
        } else {
          let gain = mine.map { potentialGain(layer: l, registry: $0, costs: costs) }.max() ?? 0
          if gain > 0 { candidates.append((gain, l)) }
        }
      }
      var rng = SplitMix64(seed: neighbourhood.salt)
      placed.stableShuffle(using: &rng)
      candidates.sort { ($0.gain, -$0.layer) > ($1.gain, -$1.layer) }
      var i = 0
      var j = 0
      var open = (placed: true, candidates: true)
      while (open.placed && i < placed.count) || (open.candidates && j < candidates.count) {
        if open.placed && i < placed.count {
          if !add(layerSlots(placed[i], registries: registries)) { open.placed = false }
          i += 1
        }
        if open.candidates && j < candidates.count {
          if !add(layerSlots(candidates[j].layer, registries: registries)) { open.candidates = false }
          j += 1
        }
      }
    }
    return slots
  }
}
