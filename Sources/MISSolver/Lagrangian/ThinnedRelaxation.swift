import MISModel

/// The exact LP relaxation of the model, solved by GLPK as a *thinned* master with
/// optimality cuts added by separation — the compact model without its routing columns.
///
/// For a demanded pair with useful sources sorted by saving `w₁ ≥ w₂ ≥ … ≥ w_K` (opened
/// by placement variables `v₁ … v_K`, each an `x` or a `z`), the largest fractional saving
/// the placements allow is
///
/// `g(v) = min over k of [ w_k + Σ_{j<k} (w_j − w_k) · v_j ]`,
///
/// with `k` ranging over `1 … K + 1` (`w_{K+1} = 0`, the origin) when the node has an
/// origin link, and over `1 … K` plus the row `Σ v_j ≥ 1` when it has none: this is the
/// LP dual of the pair's routing problem `max Σ w·a, Σ a ≤ 1, a ≤ v` (Fischetti, Ljubić,
/// Sinnl, *Redesigning Benders decomposition for large-scale facility location*,
/// Management Science 63(7), 2017, doi:10.1287/mnsc.2016.2461). The master keeps one
/// variable `θ ≤ g(v)` per pair and only the cuts that were found violated; when no cut is
/// violated, the master's optimum is the optimum of the full LP relaxation (the relaxation of
/// the reduced model of `Docs/model.md` §6, whose reductions keep the optimum).
///
/// The first cuts come from a fractional point (the Lagrangian engine's averaged primal),
/// so few rounds remain. Each round is one GLPK dual-simplex solve of a master much
/// smaller than the compact model.
package enum ThinnedRelaxation {
  /// The outcome of the cutting-plane loop.
  package struct Result: Sendable {
    /// `optimal` (no violated cut), `infeasible`, or `limit` (time or stop).
    package var status: Relaxation.Status
    /// The LP optimum (a lower bound on `T`), when optimal.
    package var lowerBound: Double?
    /// The optimal fractional plan, when optimal.
    package var fractional: FractionalPlan?
    /// Capacity prices, seconds per GiB (negated duals of the capacity rows), when optimal.
    package var capacityPrices: [Double]?
    /// Separation rounds.
    package var rounds: Int
    /// Cuts in the final master.
    package var cuts: Int
    /// Rows of the final master.
    package var rows: Int
  }

  /// Solves the LP relaxation of `model` exactly.
  ///
  /// - Parameters:
  ///   - start: a fractional point whose binding cuts seed the master (e.g. the volume
  ///     algorithm's averaged primal); `nil` seeds with the cuts binding at "nothing open".
  ///   - deadline: no new round starts after it, and GLPK stops at it.
  ///   - shouldStop: polled between rounds.
  package static func solve(
    _ model: RelaxationModel, start: FractionalPlan?, deadline: ContinuousClock.Instant?,
    shouldStop: (@Sendable () -> Bool)?, maximumRounds: Int = 60
  ) throws(SolverError) -> Result {
    let index = model.index
    let R = model.registryCount
    let S = model.siteCount
    let P = model.pairCount

    // Columns: θ per pair with sources, x and z per site, y per group.
    var lp = LinearModel()
    lp.objectiveConstant = model.referenceLatency
    var theta = [Int32](repeating: -1, count: P)
    for p in 0..<P where model.pairSourceStart[p + 1] > model.pairSourceStart[p] {
      theta[p] = Int32(lp.addColumn(lowerBound: 0, upperBound: model.pairMaxSaving[p], objective: -1))
    }
    var xColumn = [Int32](repeating: -1, count: S)
    var zColumn = [Int32](repeating: -1, count: S)
    for s in 0..<S {
      if model.siteHasLayer[s] { xColumn[s] = Int32(lp.addColumn(upperBound: 1)) }
      if model.siteHasFile[s] { zColumn[s] = Int32(lp.addColumn(upperBound: 1)) }
    }
    let yBase = lp.columns.count
    for _ in 0..<model.groupCount { lp.addColumn(upperBound: 1) }

    for s in 0..<S where xColumn[s] >= 0 && zColumn[s] >= 0 {
      lp.addRow(upperBound: 1, terms: [(Int(xColumn[s]), 1), (Int(zColumn[s]), 1)])
    }
    // Sharing rows z ≤ y are also added lazily: most file-level candidates are closed at
    // the optimum and never need theirs. Seeded where the start point opens the site.
    var sharingAdded = [Bool](repeating: false, count: model.siteCount)
    var sharingRows = 0
    func addSharing(_ s: Int) {
      guard !sharingAdded[s], zColumn[s] >= 0 else { return }
      sharingAdded[s] = true
      for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1] {
        lp.addRow(upperBound: 0, terms: [(Int(zColumn[s]), 1), (yBase + Int(model.siteGroups[e]), -1)])
        sharingRows += 1
      }
    }
    if let start {
      for s in 0..<S where start.fileShares[s] > 1e-6 { addSharing(s) }
    }
    var capacityRow = [Int](repeating: -1, count: R)
    do {
      var terms = [[(column: Int, coefficient: Double)]](repeating: [], count: R)
      for s in 0..<S where xColumn[s] >= 0 {
        let size = Double(index.layerSize[Int(model.siteLayer[s])])
        if size > 0 { terms[Int(model.siteRegistry[s])].append((Int(xColumn[s]), size)) }
      }
      for g in 0..<model.groupCount where model.groupSize[g] > 0 {
        terms[Int(model.groupRegistry[g])].append((yBase + g, model.groupSize[g]))
      }
      for r in 0..<R where !terms[r].isEmpty {
        capacityRow[r] = lp.rows.count
        lp.addRow(upperBound: Double(index.capacity[r]), terms: terms[r])
      }
    }
    // Pairs without an origin link must be fully served.
    func column(_ q: Int) -> Int {
      let s = Int(model.sourceSite[q])
      return Int(model.sourceIsFile[q] ? zColumn[s] : xColumn[s])
    }
    for p in 0..<P where !model.pairHasOrigin[p] {
      let terms = (model.pairSourceStart[p]..<model.pairSourceStart[p + 1]).map { (column($0), 1.0) }
      lp.addRow(lowerBound: 1, terms: terms)
    }

    // Sorted sources per pair (by saving, descending; ties by position).
    var order = [Int32](repeating: 0, count: model.sourceCount)
    for p in 0..<P {
      let q0 = model.pairSourceStart[p]
      let q1 = model.pairSourceStart[p + 1]
      let sorted = (q0..<q1).sorted {
        model.sourceSaving[$0] != model.sourceSaving[$1] ? model.sourceSaving[$0] > model.sourceSaving[$1] : $0 < $1
      }
      for (i, q) in sorted.enumerated() { order[q0 + i] = Int32(q) }
    }
    /// The cut of pair `p` with index `k` (0-based; `k == K` is the origin's) and its value
    /// at `value(q)` for each source.
    func bestCut(_ p: Int, _ value: (Int) -> Double) -> (k: Int, value: Double) {
      let q0 = model.pairSourceStart[p]
      let K = model.pairSourceStart[p + 1] - q0
      let last = model.pairHasOrigin[p] ? K : K - 1
      var best = (k: 0, value: Double.infinity)
      for k in 0...last {
        let wk = k < K ? model.sourceSaving[Int(order[q0 + k])] : 0
        var total = wk
        for j in 0..<k {
          let q = Int(order[q0 + j])
          total += (model.sourceSaving[q] - wk) * value(q)
        }
        if total < best.value - 1e-12 * max(1, abs(total)) { best = (k, total) }
      }
      return best
    }
    func addCut(_ p: Int, _ k: Int) {
      let q0 = model.pairSourceStart[p]
      let K = model.pairSourceStart[p + 1] - q0
      let wk = k < K ? model.sourceSaving[Int(order[q0 + k])] : 0
      var terms: [(column: Int, coefficient: Double)] = [(Int(theta[p]), 1)]
      for j in 0..<k {
        let q = Int(order[q0 + j])
        let coefficient = model.sourceSaving[q] - wk
        if coefficient > 0 { terms.append((column(q), -coefficient)) }
      }
      lp.addRow(upperBound: wk, terms: terms)
    }

    // Seed cuts.
    var cuts = 0
    var added = Set<Int64>()
    for p in 0..<P where theta[p] >= 0 {
      let k = bestCut(p) { q in
        guard let start else { return 0 }
        let s = Int(model.sourceSite[q])
        return model.sourceIsFile[q]
          ? start.fileShares[s] : start.layerShares[s]
      }.k
      addCut(p, k)
      added.insert(Int64(p) << 16 | Int64(k))
      cuts += 1
    }

    var rounds = 0
    while rounds < maximumRounds {
      if let shouldStop, shouldStop() { break }
      var limit: Double? = nil
      if let deadline {
        let left = ContinuousClock.now.duration(to: deadline)
        let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) * 1e-18
        if seconds <= 0.001 { break }
        limit = seconds
      }
      rounds += 1
      let outcome = try GLPKSolver.solveLP(lp, method: .simplex, timeLimitSeconds: limit)
      switch outcome.status {
      case .infeasible:
        return Result(
          status: .infeasible, lowerBound: nil, fractional: nil, capacityPrices: nil, rounds: rounds, cuts: cuts,
          rows: lp.rows.count)
      case .limit:
        return Result(
          status: .limit, lowerBound: nil, fractional: nil, capacityPrices: nil, rounds: rounds, cuts: cuts,
          rows: lp.rows.count)
      case .unbounded:
        throw .glpkFailure(code: 0, context: "the thinned relaxation reported unbounded (every column is bounded)")
      case .optimal:
        break
      }
      let values = outcome.values ?? []
      func placementValue(_ q: Int) -> Double { min(1, max(0, values[column(q)])) }
      var violated = 0
      for p in 0..<P where theta[p] >= 0 {
        let t = values[Int(theta[p])]
        let best = bestCut(p, placementValue)
        if t > best.value + 1e-9 * max(1, abs(best.value)) {
          let key = Int64(p) << 16 | Int64(best.k)
          if added.insert(key).inserted {
            addCut(p, best.k)
            cuts += 1
            violated += 1
          }
        }
      }
      for s in 0..<S where zColumn[s] >= 0 && !sharingAdded[s] {
        let z = values[Int(zColumn[s])]
        guard z > 1e-9 else { continue }
        for e in model.siteGroupStart[s]..<model.siteGroupStart[s + 1]
        where values[yBase + Int(model.siteGroups[e])] < z - 1e-9 {
          addSharing(s)
          violated += 1
          break
        }
      }
      if violated == 0 {
        var layerShares = [Double](repeating: 0, count: S)
        var fileShares = [Double](repeating: 0, count: S)
        for s in 0..<S {
          if xColumn[s] >= 0 { layerShares[s] = min(1, max(0, values[Int(xColumn[s])])) }
          if zColumn[s] >= 0 { fileShares[s] = min(1, max(0, values[Int(zColumn[s])])) }
        }
        let duals = outcome.rowDuals ?? []
        let prices = (0..<R).map { r in
          capacityRow[r] >= 0 && capacityRow[r] < duals.count ? max(0, -duals[capacityRow[r]]) * 1_073_741_824 : 0
        }
        let fractional = FractionalPlan(
          layerCount: index.layerCount, registryCount: R, siteLayer: model.siteLayer,
          siteRegistry: model.siteRegistry, layerShares: layerShares, fileShares: fileShares,
          layerSiteStart: model.layerSiteStart)
        return Result(
          status: .optimal, lowerBound: outcome.objective, fractional: fractional, capacityPrices: prices,
          rounds: rounds, cuts: cuts, rows: lp.rows.count)
      }
    }
    return Result(
      status: .limit, lowerBound: nil, fractional: nil, capacityPrices: nil, rounds: rounds, cuts: cuts,
      rows: lp.rows.count)
  }
}
