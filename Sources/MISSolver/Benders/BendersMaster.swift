import MISModel

/// The thinned master of the branch-and-Benders-cut (Fischetti, Ljubić, Sinnl, "Redesigning
/// Benders decomposition for large-scale facility location", Management Science 63(7), 2017,
/// doi:10.1287/mnsc.2016.2461): the placement, file-group and capacity part of the reduced
/// model, with the routing replaced by one cost variable `θ[n,l]` per demanded pair.
///
/// ```text
/// minimise   C₀ + Σ_p D[p]·θ[p]
/// subject to x + z ≤ 1,  z ≤ y[g],  capacity rows         (copied from the Formulation)
///            Σ_j open_j ≥ 1                               (pairs without an origin link)
///            θ[p] + Σ_{j<k} (c_k − c_j)·open_j ≥ c_k      (optimality cuts, generated)
/// ```
///
/// For a pair `p = (n,l)` its useful sources `j` (layer- or file-level copies of `l` on the
/// registries linked to `n`, cheaper than the origin) are sorted by cost `c₁ ≤ … ≤ c_m`, and
/// `c_{m+1} = cO[n,l]` when `n` has an origin link; `open_j` is the `x` or `z` column of the
/// source. `C₀` is the origin cost of the pairs that have no useful source.
struct BendersMaster {
  /// One demanded pair with at least one useful source.
  struct Pair {
    var node: Int32
    var layer: Int32
    var demand: Double
    /// The master column of `θ`.
    var theta: Int32
    /// Source costs, ascending.
    var costs: [Double]
    /// The master `x`/`z` column of each source, parallel to `costs`.
    var columns: [Int32]
    /// `cO[n,l]`, or `nil` without an origin link (then some source must be open).
    var origin: Double?
  }

  /// One candidate placement (a master `x` or `z` column).
  struct Placement {
    var layer: Int32
    var registry: Int32
    var fileLevel: Bool
    var column: Int32
    /// The file groups a file-level copy needs (indices into ``groups``).
    var groups: [Int32]
    /// The pairs this copy can serve, with its cost for each: `(pair index, cost)`.
    var serves: [(pair: Int32, cost: Double)] = []
  }

  /// One `y` column.
  struct Group {
    var registry: Int32
    var column: Int32
    var sizeBytes: Int64
  }

  let formulation: Formulation
  var model: LinearModel
  var pairs: [Pair]
  var placements: [Placement]
  /// Placement index of each master column (−1 for `y` and `θ`).
  var placementOfColumn: [Int32]
  var groups: [Group]
  /// Whether each master column is binary.
  var isBinary: [Bool]
  /// The master row of each registry's capacity row (registries without one are absent).
  let capacityRows: [(row: Int, registry: Int)]

  var index: ProblemIndex { formulation.index }

  /// Builds the master from the reduced compact model (same reductions, same placement and
  /// group columns).
  init(_ formulation: Formulation) {
    self.formulation = formulation
    let f = formulation.model
    let index = formulation.index
    let R = index.registryCount
    var model = LinearModel()
    var map = [Int32](repeating: -1, count: f.columns.count)
    for (j, column) in f.columns.enumerated() where formulation.sources[Int32(j)] == nil {
      map[j] = Int32(model.columns.count)
      model.columns.append(column)
    }
    // Rows without routing columns: x + z ≤ 1, z ≤ y, capacity.
    var masterRow = [Int](repeating: -1, count: f.rows.count)
    for (i, row) in f.rows.enumerated() where row.columnIndices.allSatisfy({ map[Int($0)] >= 0 }) {
      var copy = row
      copy.columnIndices = row.columnIndices.map { map[Int($0)] }
      masterRow[i] = model.rows.count
      model.rows.append(copy)
    }
    self.capacityRows = formulation.capacityRows.compactMap {
      masterRow[$0.row] >= 0 ? (masterRow[$0.row], $0.registry) : nil
    }
    var placements: [Placement] = []
    var placementOfColumn = [Int32](repeating: -1, count: model.columns.count)
    var groupOfColumn = [Int32: Int32]()
    var groups: [Group] = []
    for g in formulation.fileGroups {
      groupOfColumn[g.column] = Int32(groups.count)
      groups.append(Group(registry: g.registry, column: map[Int(g.column)], sizeBytes: g.sizeBytes))
    }
    for l in 0..<index.layerCount {
      for r in 0..<R {
        let x = formulation.layerColumn[l * R + r]
        if x >= 0 {
          placementOfColumn[Int(map[Int(x)])] = Int32(placements.count)
          placements.append(
            Placement(layer: Int32(l), registry: Int32(r), fileLevel: false, column: map[Int(x)], groups: []))
        }
        let z = formulation.fileColumn[l * R + r]
        if z >= 0 {
          let needed = (formulation.groupsOfFileColumn[z] ?? []).compactMap {
            groupOfColumn[formulation.fileGroups[Int($0)].column]
          }
          placementOfColumn[Int(map[Int(z)])] = Int32(placements.count)
          placements.append(
            Placement(layer: Int32(l), registry: Int32(r), fileLevel: true, column: map[Int(z)], groups: needed))
        }
      }
    }

    // Sources per pair, in column order (deterministic), then sorted by cost.
    var sourcesOfPair: [Int64: [(cost: Double, column: Int32)]] = [:]
    for (column, s) in formulation.sources.sorted(by: { $0.key < $1.key }) {
      let key = Int(s.layer) * R + Int(s.registry)
      let open = s.fileLevel ? formulation.fileColumn[key] : formulation.layerColumn[key]
      guard open >= 0 else { continue }
      _ = column
      sourcesOfPair[Int64(s.node) << 32 | Int64(s.layer), default: []].append((s.cost, map[Int(open)]))
    }
    var pairs: [Pair] = []
    var constant = 0.0
    let layerHasDemand = (0..<index.layerCount).map { !index.layerDemand[$0].isEmpty }
    for l in 0..<index.layerCount where layerHasDemand[l] {
      for k in index.layerDemand.range(l) {
        let n = Int(index.layerDemand.values[k])
        let d = index.layerDemandValue[k]
        let origin = index.originCost(node: n, layer: l)
        var sources = (sourcesOfPair[Int64(n) << 32 | Int64(l)] ?? []).sorted {
          ($0.cost, $0.column) < ($1.cost, $1.column)
        }
        if let origin { sources.removeAll { $0.cost >= origin } }
        if sources.isEmpty {
          // Served by the origin in every plan (or impossible: the Formulation reports it).
          if let origin { constant += d * origin }
          continue
        }
        let upper = origin ?? sources[sources.count - 1].cost
        let theta = model.addColumn(
          name: "theta_\(n)_\(l)", lowerBound: sources[0].cost, upperBound: max(upper, sources[0].cost),
          objective: d)
        pairs.append(
          Pair(
            node: Int32(n), layer: Int32(l), demand: d, theta: Int32(theta), costs: sources.map(\.cost),
            columns: sources.map(\.column), origin: origin))
        placementOfColumn.append(-1)
        if origin == nil {
          let terms = sources.map { (column: Int($0.column), coefficient: 1.0) }.sorted { $0.column < $1.column }
          model.addRow(name: "cover_\(n)_\(l)", lowerBound: 1, terms: terms)
        }
      }
    }
    model.objectiveConstant = constant
    for (p, pair) in pairs.enumerated() {
      for k in pair.costs.indices {
        let q = Int(placementOfColumn[Int(pair.columns[k])])
        if q >= 0 { placements[q].serves.append((Int32(p), pair.costs[k])) }
      }
    }
    self.model = model
    self.pairs = pairs
    self.placements = placements
    self.placementOfColumn = placementOfColumn
    self.groups = groups
    self.isBinary = model.columns.map(\.isInteger)
  }

  /// The optimality cut of pair `p` for index `k` (0-based; `k == costs.count` is the origin):
  /// `θ + Σ_{j<k} (c_k − c_j)·open_j ≥ c_k`, with increasing column indices.
  func cut(pair p: Int, k: Int) -> LinearModel.Row {
    let pair = pairs[p]
    let ck = k < pair.costs.count ? pair.costs[k] : (pair.origin ?? pair.costs[pair.costs.count - 1])
    var terms: [(Int32, Double)] = [(pair.theta, 1)]
    for j in 0..<k where ck - pair.costs[j] > 0 {
      terms.append((pair.columns[j], ck - pair.costs[j]))
    }
    terms.sort { $0.0 < $1.0 }
    return LinearModel.Row(
      name: "", lowerBound: ck, upperBound: .infinity, columnIndices: terms.map(\.0), coefficients: terms.map(\.1))
  }

  /// The right-hand side of the strongest cut of pair `p` at `point` and its index: the
  /// value of the routing subproblem `min Σ c·share` over shares bounded by the open values
  /// (filled cheapest first, the rest at the origin's cost).
  func strongestCut(pair p: Int, at point: UnsafeBufferPointer<Double>) -> (rhs: Double, k: Int) {
    let pair = pairs[p]
    var open = 0.0
    var weighted = 0.0
    var best = -Double.infinity
    var bestK = 0
    for k in 0..<pair.costs.count {
      let rhs = pair.costs[k] * (1 - open) + weighted
      if rhs > best {
        best = rhs
        bestK = k
      }
      let v = min(1, max(0, point[Int(pair.columns[k])]))
      open += v
      weighted += pair.costs[k] * v
      if open >= 1 { return (best, bestK) }
    }
    if let origin = pair.origin {
      let rhs = origin * (1 - open) + weighted
      if rhs > best {
        best = rhs
        bestK = pair.costs.count
      }
    }
    return (best, bestK)
  }

  /// The most violated optimality cut of every pair whose violation at `point` exceeds
  /// `tolerance` (relative to the cut's right-hand side).
  func violatedCuts(at point: UnsafeBufferPointer<Double>, tolerance: Double) -> [LinearModel.Row] {
    var rows: [LinearModel.Row] = []
    for p in pairs.indices {
      let (rhs, k) = strongestCut(pair: p, at: point)
      let theta = point[Int(pairs[p].theta)]
      if rhs - theta > tolerance * max(1, abs(rhs)) { rows.append(cut(pair: p, k: k)) }
    }
    return rows
  }

  /// The initial cuts: per pair the one with the largest index (the origin's, or the most
  /// expensive source's), which alone makes `θ` at least the cost of the aggregated routing.
  func initialCuts() -> [LinearModel.Row] {
    pairs.indices.map { p in cut(pair: p, k: lastCut(pair: p)) }
  }

  /// Every optimality cut of every pair (`k ≥ 1`; `k = 0` is `θ`'s lower bound), skipping the
  /// duplicates that equal costs give. With all of them the master LP *is* the compact LP:
  /// they describe the epigraph of each pair's routing value function (`Docs/exact-solver.md`,
  /// "why they are all that is needed").
  func allCuts() -> [LinearModel.Row] {
    var rows: [LinearModel.Row] = []
    rows.reserveCapacity(allCutCount)
    for p in pairs.indices {
      for k in cutIndices(pair: p) { rows.append(cut(pair: p, k: k)) }
    }
    return rows
  }

  /// The number of rows ``allCuts()`` returns.
  var allCutCount: Int { pairs.indices.reduce(0) { $0 + cutIndices(pair: $1).count } }

  /// The distinct cut indices of pair `p`: `k` from 1 to the origin's (or the last source's
  /// without an origin), without a `k` whose cost equals the previous one.
  private func cutIndices(pair p: Int) -> [Int] {
    let costs = pairs[p].costs
    let last = lastCut(pair: p)
    guard last >= 1 else { return [] }
    return (1...last).filter { $0 == costs.count || costs[$0] > costs[$0 - 1] }
  }

  /// The cut of pair `p` at its origin's cost (or, without an origin, at its most expensive
  /// source's): the largest index ``cut(pair:k:)`` takes.
  private func lastCut(pair p: Int) -> Int {
    pairs[p].origin == nil ? pairs[p].costs.count - 1 : pairs[p].costs.count
  }

  /// The cost per pull of pair `p` under a 0/1 placement (`open` tells whether a master
  /// column is 1): its cheapest open source, else the origin; `nil` when neither exists.
  func cost(pair p: Int, open: (Int32) -> Bool) -> Double? {
    let pair = pairs[p]
    for k in pair.costs.indices where open(pair.columns[k]) { return pair.costs[k] }
    return pair.origin
  }

  /// A full master vector for a placement matrix: its placements that have a column (others
  /// serve nothing useful and are dropped), the groups its file-level copies need, and each
  /// `θ` at its pair's cost. `nil` when a pair has no source or a row is violated (e.g. the
  /// plan is over capacity).
  func values(for matrix: PlacementMatrix) -> [Double]? {
    var values = [Double](repeating: 0, count: model.columns.count)
    for placement in placements {
      let state = matrix[Int(placement.layer), Int(placement.registry)]
      guard state == (placement.fileLevel ? .file : .layer) else { continue }
      values[Int(placement.column)] = 1
      for g in placement.groups { values[Int(groups[Int(g)].column)] = 1 }
    }
    guard completeThetas(&values) else { return nil }
    return model.firstViolation(of: values, checkIntegrality: true) == nil ? values : nil
  }

  /// Sets every `θ` of `values` to its pair's cost under the 0/1 placements in `values`;
  /// `false` when some pair has neither an open source nor an origin link.
  func completeThetas(_ values: inout [Double]) -> Bool {
    for p in pairs.indices {
      guard let c = cost(pair: p, open: { values[Int($0)] > 0.5 }) else { return false }
      values[Int(pairs[p].theta)] = c
    }
    return true
  }

  /// The placement matrix of a master vector (values above 0.5 count as 1).
  func matrix(from values: [Double]) -> PlacementMatrix {
    var matrix = PlacementMatrix(for: index)
    for placement in placements where values[Int(placement.column)] > 0.5 {
      let l = Int(placement.layer)
      let r = Int(placement.registry)
      if placement.fileLevel {
        if matrix[l, r] == nil { matrix[l, r] = .file }
      } else {
        matrix[l, r] = .layer
      }
    }
    return matrix
  }
}
