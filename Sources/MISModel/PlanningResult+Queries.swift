import Foundation

extension ProblemIndex {
  /// The dense form of a plan with ids, for handing a plan read from JSON (or built by
  /// hand) to a solver, e.g. as a start plan.
  ///
  /// ```swift
  /// let plan = try PlanCodec.read(contentsOf: "plan.json")
  /// let matrix = try index.matrix(from: plan)
  /// ```
  ///
  /// - Throws: ``ModelError/invalidPlan(_:)`` listing every placement that names an
  ///   unknown registry or layer, and every second placement of the same (registry, layer)
  ///   pair (`placements[i]` paths, as in a plan document). Capacities and demand are not
  ///   checked here: evaluate the matrix for that.
  public func matrix(from plan: Plan) throws(ModelError) -> PlacementMatrix {
    var registryOf: [String: Int] = [:]
    for (r, registry) in instance.registries.enumerated() { registryOf[registry.id] = r }
    var layerOf: [String: Int] = [:]
    for (l, layer) in instance.layers.enumerated() { layerOf[layer.id] = l }
    var matrix = PlacementMatrix(for: self)
    var first = [Int](repeating: -1, count: layerCount * registryCount)
    var issues: [ValidationIssue] = []
    for (i, p) in plan.placements.enumerated() {
      let path = "placements[\(i)]"
      let r = registryOf[p.registry]
      let l = layerOf[p.layer]
      if r == nil {
        issues.append(
          ValidationIssue(
            path: path + ".registry", entity: "registry \"\(p.registry)\"", field: "registry",
            message: "unknown registry id \"\(p.registry)\""))
      }
      if l == nil {
        issues.append(
          ValidationIssue(
            path: path + ".layer", entity: "layer \"\(p.layer)\"", field: "layer",
            message: "unknown layer id \"\(p.layer)\""))
      }
      guard let r, let l else { continue }
      let k = l * registryCount + r
      if first[k] >= 0 {
        issues.append(
          ValidationIssue(
            path: path, entity: "layer \"\(p.layer)\"", field: "layer",
            message:
              "registry \"\(p.registry)\" already stores layer \"\(p.layer)\" (placements[\(first[k])]); "
              + "a plan holds at most one copy per registry and layer"))
        continue
      }
      first[k] = i
      matrix[l, r] = p.granularity
    }
    if !issues.isEmpty { throw .invalidPlan(issues) }
    return matrix
  }
}

extension PlanningResult {
  /// Where node `node` pulls layer `layer` from under this result's plan, by id.
  ///
  /// ```swift
  /// if let source = result.source(node: "site-1", layer: "sha256:ab…") { print(source) }
  /// ```
  ///
  /// - Returns: the cheapest source (ties as in the evaluator), or `nil` when there is no
  ///   plan, an id is unknown, or the node has no source at all for the layer.
  public func source(node: String, layer: String) -> PullSource? {
    guard let matrix, let n = index.nodeIndex(of: node), let l = index.layerIndex(of: layer),
      let (source, _) = index.cheapestSource(node: n, layer: l, in: matrix)
    else { return nil }
    switch source {
    case .layerLevel(let r): return .registry(id: index.instance.registries[r].id, granularity: .layer)
    case .fileLevel(let r): return .registry(id: index.instance.registries[r].id, granularity: .file)
    case .origin: return .origin
    }
  }

  /// The placements of this result's plan on registry `registry` (by id), in instance
  /// order of the layers; empty without a plan or for an unknown id.
  public func placements(onRegistry registry: String) -> [Placement] {
    guard let matrix, let r = index.registryIndex(of: registry) else { return [] }
    return (0..<index.layerCount).compactMap { l in
      matrix[l, r].map { Placement(registry: registry, layer: index.instance.layers[l].id, granularity: $0) }
    }
  }
}

extension PlanningResult: CustomStringConvertible {
  /// A few lines: method, status, termination, objective, bound, certified ratio, seconds
  /// and placement count — never the instance.
  public var description: String {
    func number(_ value: Double?, _ format: String = "%.9g") -> String {
      guard let value else { return "—" }
      return value.isFinite ? String(format: format, value) : "\(value)"
    }
    var lines = [
      "\(report.method): status \(report.status.rawValue), termination \(report.termination.rawValue)",
      "  objective \(number(report.objective)) s, bound \(number(report.bound)) s, "
        + "certified ratio \(number(report.certifiedRatio))",
      "  \(matrix.map { "\($0.placementCount) placements" } ?? "no plan"), \(number(report.seconds, "%.3f")) s, "
        + "instance \(index.instance.name.map { "\"\($0)\"" } ?? "(unnamed)")",
    ]
    if let gap = report.gap { lines[1] += ", gap \(number(gap * 100, "%.2f"))%" }
    return lines.joined(separator: "\n")
  }
}

extension SolverReport: CustomStringConvertible {
  /// One line: method, status, termination, objective, bound.
  public var description: String {
    "\(method): \(status.rawValue) (\(termination.rawValue)), objective \(objective.map { "\($0)" } ?? "—"), "
      + "bound \(bound.map { "\($0)" } ?? "—")"
  }
}
