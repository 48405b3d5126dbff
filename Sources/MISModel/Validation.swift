/// Limits and rules of `Docs/formats.md` §1 shared by validation and the JSON codec.
public enum ModelLimits {
  /// The largest allowed byte count (`capacityBytes`, `sizeBytes`): 2^53, the largest
  /// integer up to which every integer is exact in a `Double`.
  public static let maximumBytes: Int64 = 1 << 53

  /// `a + b` for non-negative byte counts, clamped to `Int64.max` instead of trapping.
  ///
  /// Each count is at most 2^53, but a total can exceed `Int64.max` (e.g. one layer made
  /// of 1 024 files of 2^53 bytes). A clamped total is far above every allowed capacity
  /// (≤ 2^53), so every feasibility decision is the same as with exact arithmetic.
  @inlinable
  package static func addingBytes(_ a: Int64, _ b: Int64) -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int64.max : sum
  }
}

extension Instance {
  /// Checks every rule of `Docs/formats.md` §1 and reports **all** problems found.
  ///
  /// - Throws: ``ModelError/invalidInstance(_:)`` listing each problem with its path,
  ///   entity and field.
  /// - Complexity: O(total size of the instance), expected.
  public func validate() throws(ModelError) {
    let issues = validationIssues()
    if !issues.isEmpty { throw .invalidInstance(issues) }
  }

  /// Every problem found by ``validate()``, in document order (empty when valid).
  public func validationIssues() -> [ValidationIssue] {
    var resolver = IdResolver()
    resolver.check(self)
    return resolver.issues
  }
}

/// Maps string ids to dense indices while checking the rules of `Docs/formats.md` §1.
struct IdResolver {
  var issues: [ValidationIssue] = []
  var registryIndex: [String: Int32] = [:]
  var nodeIndex: [String: Int32] = [:]
  var fileIndex: [String: Int32] = [:]
  var layerIndex: [String: Int32] = [:]
  var imageIndex: [String: Int32] = [:]

  private mutating func issue(_ path: String, _ entity: String?, _ field: String, _ message: String) {
    issues.append(ValidationIssue(path: path, entity: entity, field: field, message: message))
  }

  static func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          out += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  static func entity(_ kind: String, _ id: String) -> String { "\(kind) \(quoted(id))" }

  private mutating func checkBytes(_ value: Int64, _ path: String, _ entity: String, _ field: String) {
    if value < 0 || value > ModelLimits.maximumBytes {
      issue(path + "." + field, entity, field, "must be an integer between 0 and 2^53, got \(value)")
    }
  }

  private mutating func checkNonNegative(_ value: Double, _ path: String, _ entity: String?, _ field: String) {
    if !value.isFinite || value < 0 {
      issue(path + "." + field, entity, field, "must be a finite number ≥ 0, got \(value)")
    }
  }

  private mutating func checkBandwidth(_ value: Double, _ path: String, _ entity: String?) {
    if !value.isFinite || value <= 0 {
      let field = "bandwidthBytesPerSecond"
      issue(path + "." + field, entity, field, "must be a finite number > 0, got \(value)")
    }
  }

  /// Registers `id` of the entity at `path`; reports empty and repeated ids.
  private mutating func register(
    _ id: String, at offset: Int, list: String, kind: String, into table: WritableKeyPath<IdResolver, [String: Int32]>
  ) {
    let path = "\(list)[\(offset)]"
    if id.isEmpty {
      issue(path + ".id", nil, "id", "\(kind) id must be a non-empty string")
      return
    }
    if let first = self[keyPath: table][id] {
      issue(path + ".id", Self.entity(kind, id), "id", "duplicate id, first used at \(list)[\(first)]")
      return
    }
    self[keyPath: table][id] = Int32(truncatingIfNeeded: offset)
  }

  mutating func check(_ instance: Instance) {
    let r = instance.reconstruction
    checkNonNegative(r.secondsPerLayer, "reconstruction", nil, "secondsPerLayer")
    checkNonNegative(r.secondsPerByte, "reconstruction", nil, "secondsPerByte")

    registryIndex.reserveCapacity(instance.registries.count)
    for (i, registry) in instance.registries.enumerated() {
      register(registry.id, at: i, list: "registries", kind: "registry", into: \.registryIndex)
      checkBytes(registry.capacityBytes, "registries[\(i)]", Self.entity("registry", registry.id), "capacityBytes")
    }
    nodeIndex.reserveCapacity(instance.nodes.count)
    for (i, node) in instance.nodes.enumerated() {
      register(node.id, at: i, list: "nodes", kind: "node", into: \.nodeIndex)
    }
    fileIndex.reserveCapacity(instance.files.count)
    for (i, file) in instance.files.enumerated() {
      register(file.id, at: i, list: "files", kind: "file", into: \.fileIndex)
      checkBytes(file.sizeBytes, "files[\(i)]", Self.entity("file", file.id), "sizeBytes")
    }
    layerIndex.reserveCapacity(instance.layers.count)
    var seenFile = [Int32](repeating: -1, count: instance.files.count)
    for (i, layer) in instance.layers.enumerated() {
      register(layer.id, at: i, list: "layers", kind: "layer", into: \.layerIndex)
      let entity = Self.entity("layer", layer.id)
      checkBytes(layer.sizeBytes, "layers[\(i)]", entity, "sizeBytes")
      let mark = Int32(truncatingIfNeeded: i)
      for (j, fileId) in layer.files.enumerated() {
        guard let f = fileIndex[fileId] else {
          issue("layers[\(i)].files[\(j)]", entity, "files", "unknown file id \(Self.quoted(fileId))")
          continue
        }
        if seenFile[Int(f)] == mark {
          issue("layers[\(i)].files[\(j)]", entity, "files", "file \(Self.quoted(fileId)) is listed twice")
        }
        seenFile[Int(f)] = mark
      }
    }
    imageIndex.reserveCapacity(instance.images.count)
    var seenLayer = [Int32](repeating: -1, count: instance.layers.count)
    for (i, image) in instance.images.enumerated() {
      register(image.id, at: i, list: "images", kind: "image", into: \.imageIndex)
      let entity = Self.entity("image", image.id)
      if image.layers.isEmpty {
        issue("images[\(i)].layers", entity, "layers", "an image needs at least one layer")
      }
      let mark = Int32(truncatingIfNeeded: i)
      for (j, layerId) in image.layers.enumerated() {
        guard let l = layerIndex[layerId] else {
          issue("images[\(i)].layers[\(j)]", entity, "layers", "unknown layer id \(Self.quoted(layerId))")
          continue
        }
        if seenLayer[Int(l)] == mark {
          issue("images[\(i)].layers[\(j)]", entity, "layers", "layer \(Self.quoted(layerId)) is listed twice")
        }
        seenLayer[Int(l)] = mark
      }
    }
    var linkSeen: [Int64: Int] = [:]
    for (i, link) in instance.links.enumerated() {
      let path = "links[\(i)]"
      let entity = "link \(Self.quoted(link.node)) → \(Self.quoted(link.registry))"
      let n = nodeIndex[link.node]
      let r = registryIndex[link.registry]
      if n == nil { issue(path + ".node", entity, "node", "unknown node id \(Self.quoted(link.node))") }
      if r == nil {
        issue(path + ".registry", entity, "registry", "unknown registry id \(Self.quoted(link.registry))")
      }
      checkBandwidth(link.bandwidthBytesPerSecond, path, entity)
      checkNonNegative(link.latencySeconds, path, entity, "latencySeconds")
      if let n, let r {
        let key = Int64(n) << 32 | Int64(r)
        if let first = linkSeen[key] {
          issue(path, entity, "links", "a second link for this (node, registry), first at links[\(first)]")
        } else {
          linkSeen[key] = i
        }
      }
    }
    if let origin = instance.origin {
      var seen = [Int](repeating: -1, count: instance.nodes.count)
      for (i, link) in origin.links.enumerated() {
        let path = "origin.links[\(i)]"
        let entity = "origin link of \(Self.quoted(link.node))"
        if let n = nodeIndex[link.node] {
          if seen[Int(n)] >= 0 {
            issue(
              path + ".node", entity, "node",
              "a second origin link for this node, first at origin.links[\(seen[Int(n)])]")
          } else {
            seen[Int(n)] = i
          }
        } else {
          issue(path + ".node", entity, "node", "unknown node id \(Self.quoted(link.node))")
        }
        checkBandwidth(link.bandwidthBytesPerSecond, path, entity)
        checkNonNegative(link.latencySeconds, path, entity, "latencySeconds")
      }
    }
    for (i, demand) in instance.demands.enumerated() {
      let path = "demands[\(i)]"
      let entity = "demand of \(Self.quoted(demand.node)) for \(Self.quoted(demand.image))"
      if nodeIndex[demand.node] == nil {
        issue(path + ".node", entity, "node", "unknown node id \(Self.quoted(demand.node))")
      }
      if imageIndex[demand.image] == nil {
        issue(path + ".image", entity, "image", "unknown image id \(Self.quoted(demand.image))")
      }
      checkNonNegative(demand.pulls, path, entity, "pulls")
    }
  }
}
