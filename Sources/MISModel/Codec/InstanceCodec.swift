import Foundation

/// Reads and writes `mis-instance/1` documents (`Docs/formats.md` §1).
///
/// Reading streams the top-level arrays element by element, so a million-file instance is
/// never held as a JSON tree; it reports malformed JSON with its line and column, and
/// otherwise **every** structural and semantic problem, each naming the entity and field.
///
/// ```swift
/// let instance = try InstanceCodec.decode(Array(data))
/// let bytes = InstanceCodec.encode(instance)
/// ```
public enum InstanceCodec {
  /// Decodes and validates an instance.
  ///
  /// Unknown keys are ignored. Missing entity lists are empty; a missing `reconstruction`
  /// (or a missing field of it) takes the default 0.21 s per layer, 0 s per byte.
  ///
  /// - Throws: ``ModelError/malformedJSON(line:column:message:)`` or
  ///   ``ModelError/invalidInstance(_:)`` with every problem found.
  /// - Complexity: O(n) in the document's length, expected.
  public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Instance {
    var reader = JSONReader(bytes: bytes)
    var structure = StructureReader()
    var instance = Instance()
    var format: JSONValue? = nil
    var seenKeys: Set<String> = []
    do {
      try reader.readObjectStreaming { (key, member) throws(JSONReader.SyntaxError) in
        if seenKeys.contains(key) {
          structure.issue(key, nil, key, "the key \"\(key)\" appears twice in the document")
          return
        }
        seenKeys.insert(key)
        switch key {
        case "format": format = try member.readValue()
        case "name":
          let value = try member.readValue()
          switch value {
          case .string(let s): instance.name = s
          case .null: break
          default: structure.issue("name", nil, "name", "must be a string, got \(value.typeName)")
          }
        case "reconstruction":
          readReconstruction(try member.readValue(), into: &instance, &structure)
        case "origin":
          readOrigin(try member.readValue(), into: &instance, &structure)
        case "registries", "nodes", "links", "files", "layers", "images", "demands":
          let isArray = try member.forEachElement { (i, element) throws(JSONReader.SyntaxError) in
            readElement(key, i, element, into: &instance, &structure)
          } other: { value in
            structure.issue(key, nil, key, "must be an array, got \(value.typeName)")
          }
          _ = isArray
        default:
          break  // unknown keys are ignored (`Docs/formats.md` §1)
        }
      }
    } catch {
      throw .malformedJSON(line: error.line, column: error.column, message: error.message)
    }
    switch format {
    case nil:
      structure.issue("format", nil, "format", "missing required field \"format\" (expected \"\(Instance.format)\")")
    case .string(let s)? where s == Instance.format: break
    case .string(let s)?:
      structure.issue("format", nil, "format", "expected \"\(Instance.format)\", got \"\(s)\"")
    case let value?:
      structure.issue("format", nil, "format", "must be the string \"\(Instance.format)\", got \(value.typeName)")
    }
    var issues = structure.issues
    let broken = structure.brokenEntities
    for issue in instance.validationIssues() where !isInside(issue.path, broken) {
      issues.append(issue)
    }
    if !issues.isEmpty { throw .invalidInstance(issues) }
    return instance
  }

  /// Decodes an instance from a file.
  ///
  /// - Throws: ``ModelError/io(path:message:)`` when the file cannot be read, else as
  ///   ``decode(_:)``.
  public static func read(contentsOf path: String) throws(ModelError) -> Instance {
    try decode(try readBytes(path))
  }

  /// The document of `instance`, keys in the specification's order.
  public static func encodeValue(_ instance: Instance) -> JSONValue {
    var top: [(key: String, value: JSONValue)] = [("format", .string(Instance.format))]
    if let name = instance.name { top.append(("name", .string(name))) }
    top.append(
      (
        "reconstruction",
        .object([
          ("secondsPerLayer", .number(instance.reconstruction.secondsPerLayer)),
          ("secondsPerByte", .number(instance.reconstruction.secondsPerByte)),
        ])
      ))
    top.append(
      (
        "registries",
        .array(
          instance.registries.map {
            .object([("id", .string($0.id)), ("capacityBytes", .number(Double($0.capacityBytes)))])
          })
      ))
    top.append(("nodes", .array(instance.nodes.map { .object([("id", .string($0.id))]) })))
    top.append(
      (
        "links",
        .array(
          instance.links.map {
            .object([
              ("node", .string($0.node)), ("registry", .string($0.registry)),
              ("bandwidthBytesPerSecond", .number($0.bandwidthBytesPerSecond)),
              ("latencySeconds", .number($0.latencySeconds)),
            ])
          })
      ))
    if let origin = instance.origin {
      top.append(
        (
          "origin",
          .object([
            (
              "links",
              .array(
                origin.links.map {
                  .object([
                    ("node", .string($0.node)),
                    ("bandwidthBytesPerSecond", .number($0.bandwidthBytesPerSecond)),
                    ("latencySeconds", .number($0.latencySeconds)),
                  ])
                })
            )
          ])
        ))
    }
    top.append(
      (
        "files",
        .array(
          instance.files.map {
            .object([("id", .string($0.id)), ("sizeBytes", .number(Double($0.sizeBytes)))])
          })
      ))
    top.append(
      (
        "layers",
        .array(
          instance.layers.map {
            .object([
              ("id", .string($0.id)), ("sizeBytes", .number(Double($0.sizeBytes))),
              ("files", .array($0.files.map { .string($0) })),
            ])
          })
      ))
    top.append(
      (
        "images",
        .array(
          instance.images.map {
            .object([("id", .string($0.id)), ("layers", .array($0.layers.map { .string($0) }))])
          })
      ))
    top.append(
      (
        "demands",
        .array(
          instance.demands.map {
            .object([("node", .string($0.node)), ("image", .string($0.image)), ("pulls", .number($0.pulls))])
          })
      ))
    return .object(top)
  }

  /// The UTF-8 JSON of `instance` (pretty-printed unless `pretty` is false).
  public static func encode(_ instance: Instance, pretty: Bool = true) -> [UInt8] {
    JSONWriter(pretty: pretty).bytes(of: encodeValue(instance))
  }

  // MARK: - Reading parts

  private static func isInside(_ path: String, _ broken: Set<String>) -> Bool {
    if broken.isEmpty { return false }
    var end = path.endIndex
    while true {
      if broken.contains(String(path[..<end])) { return true }
      guard let cut = path[..<end].lastIndex(where: { $0 == "." || $0 == "[" }) else { return false }
      end = cut
    }
  }

  private static func entityName(_ kind: String, _ element: JSONValue, idKey: String = "id") -> String? {
    if case .string(let id)? = element[idKey] { return IdResolver.entity(kind, id) }
    return nil
  }

  private static func readReconstruction(_ value: JSONValue, into instance: inout Instance, _ s: inout StructureReader)
  {
    if value == .null { return }
    guard let object = s.members(value, path: "reconstruction", what: "reconstruction") else { return }
    let perLayer = s.number(object, "secondsPerLayer", path: "reconstruction", entity: nil, default: 0.21)
    let perByte = s.number(object, "secondsPerByte", path: "reconstruction", entity: nil, default: 0)
    instance.reconstruction = Reconstruction(secondsPerLayer: perLayer ?? 0.21, secondsPerByte: perByte ?? 0)
  }

  private static func readOrigin(_ value: JSONValue, into instance: inout Instance, _ s: inout StructureReader) {
    if value == .null { return }
    guard let object = s.members(value, path: "origin", what: "origin") else { return }
    var links: [OriginLink] = []
    switch object["links"] {
    case nil: break
    case .array(let elements)?:
      for (i, element) in elements.enumerated() {
        let path = "origin.links[\(i)]"
        guard let e = s.members(element, path: path, what: "an origin link") else { continue }
        let entity = e["node"].flatMap { v -> String? in
          if case .string(let n) = v { return "origin link of \"\(n)\"" }
          return nil
        }
        let node = s.string(e, "node", path: path, entity: entity)
        let bandwidth = s.number(e, "bandwidthBytesPerSecond", path: path, entity: entity)
        let latency = s.number(e, "latencySeconds", path: path, entity: entity)
        links.append(
          OriginLink(node: node ?? "", bandwidthBytesPerSecond: bandwidth ?? 1, latencySeconds: latency ?? 0))
      }
    case let other?:
      s.issue("origin.links", nil, "links", "must be an array, got \(other.typeName)")
    }
    instance.origin = Origin(links: links)
  }

  private static func readElement(
    _ list: String, _ i: Int, _ element: JSONValue, into instance: inout Instance, _ s: inout StructureReader
  ) {
    let path = "\(list)[\(i)]"
    switch list {
    case "registries":
      guard let e = s.members(element, path: path, what: "a registry") else { return }
      let entity = entityName("registry", e)
      let id = s.string(e, "id", path: path, entity: entity)
      let capacity = s.bytes(e, "capacityBytes", path: path, entity: entity)
      instance.registries.append(Registry(id: id ?? "", capacityBytes: capacity ?? 0))
    case "nodes":
      guard let e = s.members(element, path: path, what: "a node") else { return }
      let id = s.string(e, "id", path: path, entity: entityName("node", e))
      instance.nodes.append(Node(id: id ?? ""))
    case "links":
      guard let e = s.members(element, path: path, what: "a link") else { return }
      var entity: String? = nil
      if case .string(let n)? = e["node"], case .string(let r)? = e["registry"] { entity = "link \"\(n)\" → \"\(r)\"" }
      let node = s.string(e, "node", path: path, entity: entity)
      let registry = s.string(e, "registry", path: path, entity: entity)
      let bandwidth = s.number(e, "bandwidthBytesPerSecond", path: path, entity: entity)
      let latency = s.number(e, "latencySeconds", path: path, entity: entity)
      instance.links.append(
        Link(
          node: node ?? "", registry: registry ?? "", bandwidthBytesPerSecond: bandwidth ?? 1,
          latencySeconds: latency ?? 0))
    case "files":
      guard let e = s.members(element, path: path, what: "a file") else { return }
      let entity = entityName("file", e)
      let id = s.string(e, "id", path: path, entity: entity)
      let size = s.bytes(e, "sizeBytes", path: path, entity: entity)
      instance.files.append(File(id: id ?? "", sizeBytes: size ?? 0))
    case "layers":
      guard let e = s.members(element, path: path, what: "a layer") else { return }
      let entity = entityName("layer", e)
      let id = s.string(e, "id", path: path, entity: entity)
      let size = s.bytes(e, "sizeBytes", path: path, entity: entity)
      let files = s.stringArray(e, "files", path: path, entity: entity)
      instance.layers.append(Layer(id: id ?? "", sizeBytes: size ?? 0, files: files ?? []))
    case "images":
      guard let e = s.members(element, path: path, what: "an image") else { return }
      let entity = entityName("image", e)
      let id = s.string(e, "id", path: path, entity: entity)
      let layers = s.stringArray(e, "layers", path: path, entity: entity)
      instance.images.append(Image(id: id ?? "", layers: layers ?? []))
    case "demands":
      guard let e = s.members(element, path: path, what: "a demand") else { return }
      var entity: String? = nil
      if case .string(let n)? = e["node"], case .string(let im)? = e["image"] {
        entity = "demand of \"\(n)\" for \"\(im)\""
      }
      let node = s.string(e, "node", path: path, entity: entity)
      let image = s.string(e, "image", path: path, entity: entity)
      let pulls = s.number(e, "pulls", path: path, entity: entity)
      instance.demands.append(Demand(node: node ?? "", image: image ?? "", pulls: pulls ?? 0))
    default:
      break
    }
  }
}

/// Reads a whole file as bytes, mapping failures to ``ModelError/io(path:message:)``.
func readBytes(_ path: String) throws(ModelError) -> [UInt8] {
  do {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return [UInt8](data)
  } catch {
    throw .io(path: path, message: (error as NSError).localizedDescription)
  }
}

/// Writes bytes to a file atomically, mapping failures to ``ModelError/io(path:message:)``.
public func writeBytes(_ bytes: [UInt8], to path: String) throws(ModelError) {
  do {
    try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
  } catch {
    throw .io(path: path, message: (error as NSError).localizedDescription)
  }
}
