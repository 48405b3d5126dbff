/// Where one demanded (node, layer) pair is served from, by id.
public enum PullSource: Sendable, Hashable, CustomStringConvertible {
  /// A copy on the registry `id`, stored at `granularity` (file level pays the reconstruction).
  case registry(id: String, granularity: Granularity)
  /// The origin registry.
  case origin

  /// `registry "edge-a" (layer level)` or `origin`.
  public var description: String {
    switch self {
    case .registry(let id, let granularity): return "registry \(IdResolver.quoted(id)) (\(granularity.rawValue) level)"
    case .origin: return "origin"
    }
  }
}

// Queries by id and by dense index, so that users never need the index's packed internal
// rows. Lookups by id scan the instance's list: O(entities) each.
extension ProblemIndex {
  /// The dense index of the node `id`, or `nil`.
  ///
  /// - Complexity: O(nodes).
  public func nodeIndex(of id: String) -> Int? { instance.nodes.firstIndex { $0.id == id } }

  /// The dense index of the layer `id`, or `nil`.
  ///
  /// - Complexity: O(layers).
  public func layerIndex(of id: String) -> Int? { instance.layers.firstIndex { $0.id == id } }

  /// The dense index of the file `id`, or `nil`.
  ///
  /// - Complexity: O(files).
  public func fileIndex(of id: String) -> Int? { instance.files.firstIndex { $0.id == id } }

  /// The registries node `n` has a link to (dense indices, ascending).
  public func linkedRegistries(ofNode n: Int) -> [Int] { nodeLinks[n].map { Int($0) } }

  /// The files of layer `l` (dense indices, in the instance's order).
  public func files(ofLayer l: Int) -> [Int] { layerFiles[l].map { Int($0) } }

  /// The bytes of layer `l`'s files, each counted once: what a file-level copy of it stores
  /// on a registry where no other layer shares its files (clamped like every byte total,
  /// ``ModelLimits/addingBytes(_:_:)``).
  package func fileBytes(ofLayer l: Int) -> Int64 {
    var total: Int64 = 0
    for c in layerClasses[l] { total = ModelLimits.addingBytes(total, classSize[Int(c)]) }
    return total
  }

  /// The nodes with demand for layer `l` (`D[n,l] > 0`), ascending, with that demand.
  public func demandedNodes(ofLayer l: Int) -> [(node: Int, demand: Double)] {
    layerDemand.range(l).map { (Int(layerDemand.values[$0]), layerDemandValue[$0]) }
  }

  /// `D[n,l]`: the pulls of node `n` for layer `l`, summed over the images that contain it
  /// (0 when none).
  ///
  /// - Complexity: O(log(nodes demanding `l`)).
  public func demand(node n: Int, layer l: Int) -> Double {
    let row = layerDemand.range(l)
    var lo = row.lowerBound
    var hi = row.upperBound
    while lo < hi {
      let mid = (lo + hi) / 2
      let v = Int(layerDemand.values[mid])
      if v == n { return layerDemandValue[mid] }
      if v < n { lo = mid + 1 } else { hi = mid }
    }
    return 0
  }

  /// `D[n,l]` by id, or `nil` when either id is unknown.
  ///
  /// ```swift
  /// let pulls = index.demand(node: "site-1", layer: "python-3.12")   // 65.0
  /// ```
  public func demand(node: String, layer: String) -> Double? {
    guard let n = nodeIndex(of: node), let l = layerIndex(of: layer) else { return nil }
    return demand(node: n, layer: l)
  }

  /// Which source serves `node`'s pulls of `layer` under `plan`, and what one pull costs
  /// (seconds), by the evaluator's rule (cheapest source; ties to a layer-level copy, then
  /// a file-level copy, then the origin; among registries, the first listed).
  ///
  /// Placements with unknown ids are ignored, and of repeated placements of one (registry,
  /// layer) the first counts, as in ``evaluate(_:)-(Plan)``.
  ///
  /// ```swift
  /// if let (source, seconds) = index.source(node: "site-1", layer: "python-3.12", in: plan) {
  ///   print(source, seconds)   // registry "edge-a" (layer level) 0.21
  /// }
  /// ```
  ///
  /// - Returns: `nil` when an id is unknown or no source can serve the pair.
  /// - Complexity: O(placements + registries + links of the node).
  public func source(node: String, layer: String, in plan: Plan) -> (source: PullSource, seconds: Double)? {
    guard let n = nodeIndex(of: node), let l = layerIndex(of: layer) else { return nil }
    var state = [Granularity?](repeating: nil, count: registryCount)
    var placed = [Bool](repeating: false, count: registryCount)
    for p in plan.placements where p.layer == layer {
      guard let r = registryIndex(of: p.registry), !placed[r] else { continue }
      placed[r] = true
      state[r] = p.granularity
    }
    guard let (source, seconds) = cheapestSource(node: n, layer: l, state: { state[$0] }) else { return nil }
    switch source {
    case .layerLevel(let r): return (.registry(id: instance.registries[r].id, granularity: .layer), seconds)
    case .fileLevel(let r): return (.registry(id: instance.registries[r].id, granularity: .file), seconds)
    case .origin: return (.origin, seconds)
    }
  }
}
