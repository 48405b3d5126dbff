import MISModel

/// A plan under construction with everything needed to change it incrementally: storage
/// per registry, how many file-level layers on each registry need each file class, and the
/// current cost of every demanded (node, layer) pair.
///
/// Costs follow the evaluator exactly (`Docs/model.md` §4); the final plan is always re-evaluated
/// by ``ProblemIndex/evaluate(_:)-(PlacementMatrix)`` anyway.
struct PlanState {
  let index: ProblemIndex
  private(set) var matrix: PlacementMatrix
  /// Bytes stored per registry.
  private(set) var used: [Int64]
  /// File-level layers on each registry containing each class.
  private var classUsers: ClassCounts
  /// Current cost per demanded pair (position in `index.layerDemand`); ``unservedCost``
  /// when no source serves it.
  private(set) var pairCost: [Double]
  /// The per-pull penalty of an unserved pair: far above any real source's cost, so that
  /// gains and losses stay finite while serving a pair always comes first.
  let unservedCost: Double

  init(index: ProblemIndex) {
    self.index = index
    matrix = PlacementMatrix(for: index)
    used = [Int64](repeating: 0, count: index.registryCount)
    classUsers = ClassCounts(registries: index.registryCount, classes: index.classCount)
    var maxCost = 1.0
    let largest = Double(index.layerSize.max() ?? 0)
    for n in 0..<index.nodeCount {
      for position in index.nodeLinks.range(n) {
        maxCost = max(maxCost, index.nodeLinkLatency[position] + largest / index.nodeLinkBandwidth[position])
      }
    }
    maxCost += index.reconstructionTime.max() ?? 0
    unservedCost = maxCost * 1e6
    pairCost = [Double](repeating: unservedCost, count: index.layerDemandValue.count)
    for l in 0..<index.layerCount {
      for k in index.layerDemand.range(l) {
        pairCost[k] = index.originCost(node: Int(index.layerDemand.values[k]), layer: l) ?? unservedCost
      }
    }
  }

  /// Whether some demanded pair has no source.
  var hasUnservedPair: Bool { pairCost.contains { $0 >= unservedCost } }

  init(index: ProblemIndex, matrix: PlacementMatrix) {
    self.init(index: index)
    for l in 0..<index.layerCount {
      for r in 0..<index.registryCount {
        if let g = matrix[l, r] { place(layer: l, registry: r, g, updateCosts: false) }
      }
    }
    for l in 0..<index.layerCount { refreshCosts(layer: l) }
  }

  /// Whether registry `r` is over capacity.
  func overCapacity(_ r: Int) -> Bool { used[r] > index.capacity[r] }

  /// Bytes left on registry `r` (negative when over capacity).
  func remaining(_ r: Int) -> Int64 { index.capacity[r] - used[r] }

  /// Bytes that placing layer `l` at file level on `r` would add.
  func addedFileBytes(layer l: Int, registry r: Int) -> Int64 {
    let base = r * index.classCount
    var bytes: Int64 = 0
    for c in index.layerClasses[l] where classUsers[base + Int(c)] == 0 {
      bytes = ModelLimits.addingBytes(bytes, index.classSize[Int(c)])
    }
    return bytes
  }

  /// Whether registry `r` already stores file class `c` (some file-level layer there has it).
  func storesClass(_ c: Int, registry r: Int) -> Bool { classUsers[r * index.classCount + c] > 0 }

  /// Bytes that removing the placement of `l` on `r` would free.
  func freedBytes(layer l: Int, registry r: Int) -> Int64 {
    switch matrix[l, r] {
    case .layer?: return index.layerSize[l]
    case .file?:
      let base = r * index.classCount
      var bytes: Int64 = 0
      for c in index.layerClasses[l] where classUsers[base + Int(c)] == 1 {
        bytes = ModelLimits.addingBytes(bytes, index.classSize[Int(c)])
      }
      return bytes
    case nil: return 0
    }
  }

  /// The cost of serving pair `k` (node `n`, layer `l`) if registry `r` stored `l` as `g`,
  /// or `nil` when `n` has no link to `r`.
  func cost(node n: Int, layer l: Int, registry r: Int, _ g: Granularity) -> Double? {
    guard let position = index.linkPosition(node: n, registry: r) else { return nil }
    let c = index.layerCost(linkPosition: position, layer: l)
    return g == .layer ? c : c + index.reconstructionTime[l]
  }

  /// Latency saved by adding `l` on `r` at `g` (Σ D · max(0, current − new)).
  func gain(layer l: Int, registry r: Int, _ g: Granularity) -> Double {
    var total = 0.0
    for k in index.layerDemand.range(l) {
      let n = Int(index.layerDemand.values[k])
      guard let c = cost(node: n, layer: l, registry: r, g) else { continue }
      let current = pairCost[k]
      if c < current { total += index.layerDemandValue[k] * (current - c) }
    }
    return total
  }

  /// Latency added by removing the placement of `l` on `r` (a pair left without any source
  /// counts at ``unservedCost``).
  func removalLoss(layer l: Int, registry r: Int) -> Double {
    guard let g = matrix[l, r] else { return 0 }
    var total = 0.0
    for k in index.layerDemand.range(l) {
      let n = Int(index.layerDemand.values[k])
      guard let c = cost(node: n, layer: l, registry: r, g), c <= pairCost[k] else { continue }
      let alternative = bestCost(node: n, layer: l, excluding: r)
      total += index.layerDemandValue[k] * (alternative - pairCost[k])
    }
    return total
  }

  /// The cheapest cost of (`n`, `l`) without registry `excluded`'s copy.
  func bestCost(node n: Int, layer l: Int, excluding excluded: Int = -1) -> Double {
    // The evaluator's own routing rule, so that the planner and the evaluator never differ.
    let matrix = self.matrix
    let source = index.cheapestSource(node: n, layer: l) { r in r == excluded ? nil : matrix[l, r] }
    return source?.1 ?? unservedCost
  }

  private mutating func refreshCosts(layer l: Int) {
    for k in index.layerDemand.range(l) {
      pairCost[k] = bestCost(node: Int(index.layerDemand.values[k]), layer: l)
    }
  }

  /// Places `l` on `r` at `g` (replacing what was there).
  mutating func place(layer l: Int, registry r: Int, _ g: Granularity, updateCosts: Bool = true) {
    if matrix[l, r] != nil { remove(layer: l, registry: r, updateCosts: false) }
    matrix[l, r] = g
    switch g {
    case .layer: used[r] = ModelLimits.addingBytes(used[r], index.layerSize[l])
    case .file:
      let base = r * index.classCount
      for c in index.layerClasses[l] {
        if classUsers[base + Int(c)] == 0 { used[r] = ModelLimits.addingBytes(used[r], index.classSize[Int(c)]) }
        classUsers.add(base + Int(c), 1)
      }
    }
    if updateCosts { refreshCosts(layer: l) }
  }

  /// Removes whatever `l` has on `r`.
  mutating func remove(layer l: Int, registry r: Int, updateCosts: Bool = true) {
    guard let g = matrix[l, r] else { return }
    matrix[l, r] = nil
    // A clamped total (see ModelLimits.addingBytes) cannot be decremented: recount it.
    let recount = used[r] == Int64.max
    switch g {
    case .layer: used[r] -= index.layerSize[l]
    case .file:
      let base = r * index.classCount
      for c in index.layerClasses[l] {
        classUsers.add(base + Int(c), -1)
        if classUsers[base + Int(c)] == 0 { used[r] -= index.classSize[Int(c)] }
      }
    }
    if recount { used[r] = storedBytes(registry: r) }
    if updateCosts { refreshCosts(layer: l) }
  }

  /// The bytes stored on registry `r`, counted from scratch (clamped like the evaluator).
  private func storedBytes(registry r: Int) -> Int64 {
    var total: Int64 = 0
    for l in 0..<index.layerCount where matrix[l, r] == .layer {
      total = ModelLimits.addingBytes(total, index.layerSize[l])
    }
    classUsers.forEachPositive(registry: r) { c in
      total = ModelLimits.addingBytes(total, index.classSize[c])
    }
    return total
  }

  /// Σ D · cost over all pairs (unserved pairs at ``unservedCost``).
  var objective: Double {
    var total = 0.0
    for k in pairCost.indices { total += index.layerDemandValue[k] * pairCost[k] }
    return total
  }
}

/// Per (registry, class) counts, indexed `r * classCount + c`: a dense array while it stays
/// small, a hash map per registry beyond (a fleet of 200 registries over a million file
/// classes would otherwise hold 800 MB of mostly zeros in every plan under construction).
struct ClassCounts: Sendable {
  private let classes: Int
  private var dense: [Int32]
  private var sparse: [[Int32: Int32]]
  private let isDense: Bool

  /// The largest dense table (entries).
  static let denseLimit = 8_000_000

  init(registries: Int, classes: Int) {
    self.classes = max(1, classes)
    isDense = registries * classes <= Self.denseLimit
    dense = isDense ? [Int32](repeating: 0, count: registries * classes) : []
    sparse = isDense ? [] : [[Int32: Int32]](repeating: [:], count: registries)
  }

  subscript(position: Int) -> Int32 {
    if isDense { return dense[position] }
    return sparse[position / classes][Int32(position % classes)] ?? 0
  }

  mutating func add(_ position: Int, _ delta: Int32) {
    if isDense {
      dense[position] += delta
      return
    }
    let r = position / classes
    let c = Int32(position % classes)
    let value = (sparse[r][c] ?? 0) + delta
    sparse[r][c] = value == 0 ? nil : value
  }

  /// Calls `body` with every class of registry `r` whose count is positive, ascending.
  func forEachPositive(registry r: Int, _ body: (Int) -> Void) {
    if isDense {
      let base = r * classes
      for c in 0..<classes where dense[base + c] > 0 { body(c) }
    } else {
      for c in sparse[r].keys.sorted() where (sparse[r][c] ?? 0) > 0 { body(Int(c)) }
    }
  }
}
