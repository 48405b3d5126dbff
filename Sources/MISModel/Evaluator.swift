/// Something that makes a plan infeasible (`Docs/model.md` §4), or a placement that cannot apply.
public enum PlanViolation: Sendable, Hashable, CustomStringConvertible {
  /// Registry `registry` stores `usedBytes` > `capacityBytes`.
  case overCapacity(registry: String, usedBytes: Int64, capacityBytes: Int64)
  /// No source can serve node `node`'s demand for layer `layer`.
  case unservedDemand(node: String, layer: String, demand: Double)
  /// `placements[index]` repeats an earlier placement of the same (registry, layer).
  case duplicatePlacement(index: Int, registry: String, layer: String, firstIndex: Int)
  /// `placements[index]` names a registry the instance does not have.
  case unknownRegistry(index: Int, registry: String)
  /// `placements[index]` names a layer the instance does not have.
  case unknownLayer(index: Int, layer: String)

  /// A short machine-readable kind: `overCapacity`, `unservedDemand`, …
  public var kind: String {
    switch self {
    case .overCapacity: return "overCapacity"
    case .unservedDemand: return "unservedDemand"
    case .duplicatePlacement: return "duplicatePlacement"
    case .unknownRegistry: return "unknownRegistry"
    case .unknownLayer: return "unknownLayer"
    }
  }

  /// A sentence naming the entities involved.
  public var description: String {
    switch self {
    case .overCapacity(let r, let used, let cap):
      return "registry \"\(r)\" stores \(used) bytes, over its capacityBytes \(cap) by \(used - cap)"
    case .unservedDemand(let n, let l, let d):
      return "node \"\(n)\" has demand \(d) for layer \"\(l)\" but no link to a registry holding it and no origin link"
    case .duplicatePlacement(let i, let r, let l, let first):
      return "placements[\(i)]: second placement of layer \"\(l)\" on registry \"\(r)\" (first at placements[\(first)])"
    case .unknownRegistry(let i, let r):
      return "placements[\(i)].registry: unknown registry id \"\(r)\""
    case .unknownLayer(let i, let l):
      return "placements[\(i)].layer: unknown layer id \"\(l)\""
    }
  }
}

/// Per-registry figures of a plan (`Docs/model.md` §5).
public struct RegistryMetrics: Sendable, Hashable {
  /// The registry's id.
  public var registry: String
  /// Bytes stored: layer-level blobs plus each stored file once.
  public var usedBytes: Int64
  /// The registry's capacity.
  public var capacityBytes: Int64
  /// Number of layers stored at layer level.
  public var layerLevelLayers: Int
  /// Number of layers stored at file level.
  public var fileLevelLayers: Int
  /// Number of distinct files stored, |F[r]|.
  public var storedFiles: Int
  /// Σ over file-level layers of their files' bytes, minus the bytes of F[r].
  public var dedupSavedBytes: Int64

  /// Creates registry metrics.
  public init(
    registry: String, usedBytes: Int64, capacityBytes: Int64, layerLevelLayers: Int,
    fileLevelLayers: Int, storedFiles: Int, dedupSavedBytes: Int64
  ) {
    self.registry = registry
    self.usedBytes = usedBytes
    self.capacityBytes = capacityBytes
    self.layerLevelLayers = layerLevelLayers
    self.fileLevelLayers = fileLevelLayers
    self.storedFiles = storedFiles
    self.dedupSavedBytes = dedupSavedBytes
  }
}

/// Everything the evaluator finds out about a plan (`Docs/model.md` §4–5).
public struct PlanMetrics: Sendable, Hashable {
  /// Whether the plan is feasible: no violation of any kind.
  public var feasible: Bool
  /// The objective `T` (seconds). `nil` when some demanded pair is unserved (T is undefined).
  public var totalLatencySeconds: Double?
  /// Σ pulls over all demand entries.
  public var totalPulls: Double
  /// `T / Σ pulls` (0 when there are no pulls), `nil` with `T`.
  public var meanImagePullSeconds: Double?
  /// Σ `D · t[l]` over the pairs served at file level.
  public var reconstructionSeconds: Double
  /// Fraction of Σ D served by the origin (0 when there is no demand).
  public var originShare: Double
  /// Per registry, in instance order.
  public var registries: [RegistryMetrics]
  /// Every violation found (empty iff feasible).
  public var violations: [PlanViolation]

  /// Creates metrics.
  public init(
    feasible: Bool, totalLatencySeconds: Double?, totalPulls: Double, meanImagePullSeconds: Double?,
    reconstructionSeconds: Double, originShare: Double, registries: [RegistryMetrics],
    violations: [PlanViolation]
  ) {
    self.feasible = feasible
    self.totalLatencySeconds = totalLatencySeconds
    self.totalPulls = totalPulls
    self.meanImagePullSeconds = meanImagePullSeconds
    self.reconstructionSeconds = reconstructionSeconds
    self.originShare = originShare
    self.registries = registries
    self.violations = violations
  }
}

/// The source that serves one demanded (node, layer) pair.
public enum ServingSource: Sendable, Hashable {
  /// A layer-level copy on registry `r` (dense index).
  case layerLevel(registry: Int)
  /// A file-level copy on registry `r` (dense index).
  case fileLevel(registry: Int)
  /// The origin.
  case origin
}

extension ProblemIndex {
  /// Evaluates a plan with ids: resolves them, reports unknown ids and duplicate
  /// placements as violations (never silently fixing them), then evaluates the
  /// placements that resolve (each distinct (registry, layer, granularity) once).
  ///
  /// - Complexity: O(placements + Σ over file-level placements of the layer's files +
  ///   Σ over demanded pairs of the layer's placements · log(links per node)).
  public func evaluate(_ plan: Plan) -> PlanMetrics {
    var registryOf: [String: Int] = [:]
    registryOf.reserveCapacity(registryCount)
    for (r, registry) in instance.registries.enumerated() { registryOf[registry.id] = r }
    var layerOf: [String: Int] = [:]
    layerOf.reserveCapacity(layerCount)
    for (l, layer) in instance.layers.enumerated() { layerOf[layer.id] = l }

    var matrix = PlacementMatrix(for: self)
    var extra: [(layer: Int, registry: Int, granularity: Granularity)] = []
    var violations: [PlanViolation] = []
    var firstAt: [Int: Int] = [:]
    for (i, p) in plan.placements.enumerated() {
      let r = registryOf[p.registry]
      let l = layerOf[p.layer]
      if r == nil { violations.append(.unknownRegistry(index: i, registry: p.registry)) }
      if l == nil { violations.append(.unknownLayer(index: i, layer: p.layer)) }
      guard let r, let l else { continue }
      let key = l * registryCount + r
      if let first = firstAt[key] {
        violations.append(.duplicatePlacement(index: i, registry: p.registry, layer: p.layer, firstIndex: first))
        if matrix[l, r] != p.granularity,
          !extra.contains(where: { $0.layer == l && $0.registry == r && $0.granularity == p.granularity })
        {
          extra.append((l, r, p.granularity))
        }
      } else {
        firstAt[key] = i
        matrix[l, r] = p.granularity
      }
    }
    var metrics = evaluate(matrix, additional: extra)
    metrics.violations = violations + metrics.violations
    metrics.feasible = metrics.violations.isEmpty
    return metrics
  }

  /// Evaluates a dense plan (`Docs/model.md` §4–5).
  public func evaluate(_ matrix: PlacementMatrix) -> PlanMetrics {
    evaluate(matrix, additional: [])
  }

  /// The cheapest source for (node `n`, layer `l`) under `matrix`, with its cost, or `nil`
  /// when none exists. Ties: layer level first, then file level, then the origin; among
  /// registries, the one listed first (`Docs/model.md` §4).
  public func cheapestSource(node n: Int, layer l: Int, in matrix: PlacementMatrix) -> (ServingSource, Double)? {
    cheapestSource(node: n, layer: l) { r in matrix[l, r] }
  }

  /// The cheapest source for (`n`, `l`) when `state(r)` tells how registry `r` stores `l`.
  @inlinable
  public func cheapestSource(
    node n: Int, layer l: Int, state: (Int) -> Granularity?
  ) -> (ServingSource, Double)? {
    var bestSource: ServingSource? = nil
    var bestCost = Double.infinity
    // Layer-level copies first, then file-level copies, registries in order; then the origin.
    // Strict `<` keeps the earliest candidate on ties.
    for position in nodeLinks.range(n) {
      let r = Int(nodeLinks.values[position])
      if state(r) == .layer {
        let c = layerCost(linkPosition: position, layer: l)
        if bestSource == nil || c < bestCost { (bestSource, bestCost) = (.layerLevel(registry: r), c) }
      }
    }
    for position in nodeLinks.range(n) {
      let r = Int(nodeLinks.values[position])
      if state(r) == .file {
        let c = layerCost(linkPosition: position, layer: l) + reconstructionTime[l]
        if bestSource == nil || c < bestCost { (bestSource, bestCost) = (.fileLevel(registry: r), c) }
      }
    }
    if let c = originCost(node: n, layer: l), bestSource == nil || c < bestCost {
      (bestSource, bestCost) = (.origin, c)
    }
    return bestSource.map { ($0, bestCost) }
  }

  private func evaluate(
    _ matrix: PlacementMatrix, additional: [(layer: Int, registry: Int, granularity: Granularity)]
  ) -> PlanMetrics {
    let R = registryCount
    var used = [Int64](repeating: 0, count: R)
    var layerLevel = [Int](repeating: 0, count: R)
    var fileLevel = [Int](repeating: 0, count: R)
    var storedFiles = [Int](repeating: 0, count: R)
    var fileLevelBytes = [Int64](repeating: 0, count: R)
    var storedFileBytes = [Int64](repeating: 0, count: R)
    var stamp = [Int32](repeating: -1, count: fileCount)
    var placed: [[(layer: Int, granularity: Granularity)]] = Array(repeating: [], count: R)
    for l in 0..<layerCount {
      for r in 0..<R { if let g = matrix[l, r] { placed[r].append((l, g)) } }
    }
    for e in additional { placed[e.registry].append((e.layer, e.granularity)) }
    for r in 0..<R {
      for (l, g) in placed[r] {
        switch g {
        case .layer:
          layerLevel[r] += 1
          used[r] = ModelLimits.addingBytes(used[r], layerSize[l])
        case .file:
          fileLevel[r] += 1
          for f in layerFiles[l] {
            fileLevelBytes[r] = ModelLimits.addingBytes(fileLevelBytes[r], fileSize[Int(f)])
            if stamp[Int(f)] != Int32(r) {
              stamp[Int(f)] = Int32(r)
              storedFiles[r] += 1
              storedFileBytes[r] = ModelLimits.addingBytes(storedFileBytes[r], fileSize[Int(f)])
            }
          }
        }
      }
      used[r] = ModelLimits.addingBytes(used[r], storedFileBytes[r])
    }

    var violations: [PlanViolation] = []
    for r in 0..<R where used[r] > capacity[r] {
      violations.append(
        .overCapacity(registry: instance.registries[r].id, usedBytes: used[r], capacityBytes: capacity[r]))
    }

    // Additional (duplicate, conflicting) placements also serve: a layer may then be on a
    // registry at both granularities.
    var extraState: [Int: [Granularity]] = [:]
    for e in additional { extraState[e.layer * R + e.registry, default: []].append(e.granularity) }

    var total = 0.0
    var reconstruction = 0.0
    var fromOrigin = 0.0
    var demandSum = 0.0
    var unserved = false
    for l in 0..<layerCount {
      for k in layerDemand.range(l) {
        let n = Int(layerDemand.values[k])
        let d = layerDemandValue[k]
        demandSum += d
        let choice: (ServingSource, Double)?
        if extraState.isEmpty {
          choice = cheapestSource(node: n, layer: l, in: matrix)
        } else {
          choice = bestWithExtras(node: n, layer: l, matrix: matrix, extra: extraState)
        }
        guard let (source, cost) = choice else {
          unserved = true
          violations.append(
            .unservedDemand(node: instance.nodes[n].id, layer: instance.layers[l].id, demand: d))
          continue
        }
        total += d * cost
        switch source {
        case .fileLevel: reconstruction += d * reconstructionTime[l]
        case .origin: fromOrigin += d
        case .layerLevel: break
        }
      }
    }
    let registries = (0..<R).map { r in
      RegistryMetrics(
        registry: instance.registries[r].id, usedBytes: used[r], capacityBytes: capacity[r],
        layerLevelLayers: layerLevel[r], fileLevelLayers: fileLevel[r], storedFiles: storedFiles[r],
        dedupSavedBytes: fileLevelBytes[r] - storedFileBytes[r])
    }
    let t: Double? = unserved ? nil : total
    return PlanMetrics(
      feasible: violations.isEmpty,
      totalLatencySeconds: t,
      totalPulls: totalPulls,
      meanImagePullSeconds: t.map { totalPulls > 0 ? $0 / totalPulls : 0 },
      reconstructionSeconds: reconstruction,
      originShare: demandSum > 0 ? fromOrigin / demandSum : 0,
      registries: registries,
      violations: violations)
  }

  private func bestWithExtras(
    node n: Int, layer l: Int, matrix: PlacementMatrix, extra: [Int: [Granularity]]
  ) -> (ServingSource, Double)? {
    let hasLayer = cheapestSource(node: n, layer: l) { r in
      matrix[l, r] == .layer || (extra[l * self.registryCount + r]?.contains(.layer) ?? false) ? .layer : nil
    }
    let hasFile = cheapestSource(node: n, layer: l) { r in
      matrix[l, r] == .file || (extra[l * self.registryCount + r]?.contains(.file) ?? false) ? .file : nil
    }
    // Both searches include the origin; merge respecting the tie order layer < file < origin.
    switch (hasLayer, hasFile) {
    case (nil, nil): return nil
    case (let a?, nil): return a
    case (nil, let b?): return b
    case (let a?, let b?):
      // A file-level copy beats the origin on a tie, but not a layer-level copy.
      if case .origin = a.0 { return b.1 <= a.1 ? b : a }
      return b.1 < a.1 ? b : a
    }
  }
}
