import Foundation

/// Reads and writes `mis-instance/1` documents (`Docs/formats.md`).
///
/// Reading streams the top-level arrays element by element, so a million-file instance is
/// never held as a JSON tree; it reports malformed JSON with its line and column, and
/// otherwise **every** structural and semantic problem, each naming the entity and field.
/// Unknown keys are not errors, but never silent: ``decodeWithWarnings(_:strict:)`` returns
/// them as ``ValidationWarning``s with the key that was probably meant.
///
/// ```swift
/// let instance = try InstanceCodec.decode(Array(data))
/// let bytes = InstanceCodec.encode(instance)
/// let (checked, warnings) = try InstanceCodec.decodeWithWarnings(bytes)
/// for warning in warnings { print("warning:", warning) }
/// ```
///
/// `Instance` is also `Codable` (the same document through `JSONDecoder`/`JSONEncoder`), and
/// ``Instance/init(contentsOf:strict:)`` / ``Instance/jsonData(pretty:)`` read and write it
/// with `URL` and `Data`.
public enum InstanceCodec {
  /// Decodes and validates an instance; warnings are dropped (see
  /// ``decodeWithWarnings(_:strict:)``).
  ///
  /// Missing entity lists are empty; a missing `reconstruction` (or a missing field of it)
  /// takes the default 0.21 s per layer, 0 s per byte.
  ///
  /// - Throws: ``ModelError/malformedJSON(line:column:message:)`` or
  ///   ``ModelError/invalidInstance(_:)`` with every problem found.
  /// - Complexity: O(n) in the document's length, expected.
  public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Instance {
    try decodeWithWarnings(bytes).instance
  }

  /// Decodes and validates an instance and reports its warnings: every unknown key with its
  /// path and the nearest known key (one warning per key and kind of object, with a count),
  /// then the structural warnings of ``Instance/warnings``.
  ///
  /// ```swift
  /// let (instance, warnings) = try InstanceCodec.decodeWithWarnings(Array(#"{"format": "mis-instance/1", "demand": []}"#.utf8))
  /// // warnings[0].description == #"demand: unknown key "demand" ignored; did you mean "demands"?"#
  /// ```
  ///
  /// - Parameters:
  ///   - bytes: the UTF-8 JSON document.
  ///   - strict: when `true`, warnings are errors: the call throws
  ///     ``ModelError/invalidInstance(_:)`` listing each as a ``ValidationIssue`` (after the
  ///     instance's own problems, if any).
  /// - Returns: the instance and its warnings (empty when there is nothing to say).
  /// - Throws: as ``decode(_:)``; in strict mode also for warnings.
  /// - Complexity: O(n) in the document's length, expected.
  public static func decodeWithWarnings(_ bytes: [UInt8], strict: Bool = false) throws(ModelError) -> (
    instance: Instance, warnings: [ValidationWarning]
  ) {
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
          // Unknown keys are allowed (newer documents still load) but reported.
          structure.unknownKey(key, at: "", known: KnownKeys.instance)
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
    var warnings = structure.warnings
    if !issues.isEmpty {
      if strict { issues += warnings.map(ValidationIssue.init) }
      throw .invalidInstance(issues)
    }
    warnings += instance.warnings
    if strict, !warnings.isEmpty { throw .invalidInstance(warnings.map(ValidationIssue.init)) }
    return (instance, warnings)
  }

  /// Decodes an instance from a file; warnings are dropped.
  ///
  /// - Throws: ``ModelError/io(path:message:)`` when the file cannot be read (missing, a
  ///   directory, not readable), else as ``decode(_:)``.
  public static func read(contentsOf path: String) throws(ModelError) -> Instance {
    try decode(try readBytes(path))
  }

  /// Decodes an instance from a file and reports its warnings, as
  /// ``decodeWithWarnings(_:strict:)``.
  ///
  /// - Throws: ``ModelError/io(path:message:)`` when the file cannot be read, else as
  ///   ``decodeWithWarnings(_:strict:)``.
  public static func readWithWarnings(contentsOf path: String, strict: Bool = false) throws(ModelError) -> (
    instance: Instance, warnings: [ValidationWarning]
  ) {
    try decodeWithWarnings(try readBytes(path), strict: strict)
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
    s.unknownKeys(of: object, at: "reconstruction", known: KnownKeys.reconstruction)
    let perLayer = s.number(object, "secondsPerLayer", path: "reconstruction", entity: nil, default: 0.21)
    let perByte = s.number(object, "secondsPerByte", path: "reconstruction", entity: nil, default: 0)
    instance.reconstruction = Reconstruction(secondsPerLayer: perLayer ?? 0.21, secondsPerByte: perByte ?? 0)
  }

  private static func readOrigin(_ value: JSONValue, into instance: inout Instance, _ s: inout StructureReader) {
    if value == .null { return }
    guard let object = s.members(value, path: "origin", what: "origin") else { return }
    s.unknownKeys(of: object, at: "origin", known: KnownKeys.origin)
    var links: [OriginLink] = []
    switch object["links"] {
    case nil: break
    case .array(let elements)?:
      for (i, element) in elements.enumerated() {
        let path = "origin.links[\(i)]"
        guard let e = s.members(element, path: path, what: "an origin link") else { continue }
        s.unknownKeys(of: e, at: path, list: "origin.links", known: KnownKeys.originLink)
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
    if case .object = element { s.unknownKeys(of: element, at: path, list: list, known: KnownKeys.element(of: list)) }
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

/// Reads a whole file as bytes, mapping failures to ``ModelError/io(path:message:)`` with a
/// plain reason ("no such file", "is a directory, not a file", "permission denied").
func readBytes(_ path: String) throws(ModelError) -> [UInt8] {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
    throw .io(path: path, message: "no such file")
  }
  if isDirectory.boolValue { throw .io(path: path, message: "is a directory, not a file") }
  guard FileManager.default.isReadableFile(atPath: path) else { throw .io(path: path, message: "permission denied") }
  do {
    let type = try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
    if type == .typeRegular {
      return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
    // A pipe or a device (`/dev/stdin`, `<(…)`): read until the end.
    guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadUnknown) }
    defer { try? handle.close() }
    return [UInt8](try handle.readToEnd() ?? Data())
  } catch {
    throw .io(path: path, message: fileErrorReason(error))
  }
}

/// Writes bytes to a file atomically, mapping failures to ``ModelError/io(path:message:)``.
///
/// Package plumbing for the `mis` tool; library users call ``Instance/write(to:pretty:)`` or
/// ``Plan/write(to:pretty:)``.
package func writeBytes(_ bytes: [UInt8], to path: String) throws(ModelError) {
  var isDirectory: ObjCBool = false
  if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
    throw .io(path: path, message: "is a directory, not a file")
  }
  let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
  if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) {
    throw .io(path: path, message: "no such directory \(parent)")
  }
  do {
    try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
  } catch {
    throw .io(path: path, message: fileErrorReason(error))
  }
}

/// A short reason for a Foundation file error: the POSIX reason when one is underneath
/// (Foundation on Linux otherwise says only "NSCocoaErrorDomain error 256").
func fileErrorReason(_ error: any Error) -> String {
  var current: NSError? = error as NSError
  while let e = current {
    if e.domain == NSPOSIXErrorDomain, let reason = strerror(Int32(e.code)) {
      return String(cString: reason).lowercased()
    }
    current = e.userInfo[NSUnderlyingErrorKey] as? NSError
  }
  if let cocoa = error as? CocoaError {
    switch cocoa.code {
    case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file"
    case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
    case .fileWriteOutOfSpace: return "no space left on the device"
    case .fileWriteVolumeReadOnly: return "read-only file system"
    case .fileReadTooLarge: return "the file is too large"
    case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: return "the file cannot be read"
    default: break
    }
  }
  return (error as NSError).localizedDescription
}
