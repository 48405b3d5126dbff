/// Something suspicious in a valid instance or plan: not an error, never silent.
///
/// A document with a misspelled key is still valid (unknown keys are allowed so that newer
/// documents load), but the misspelled value is ignored: `"demand"` for `"demands"` gives an
/// instance without demand. Readers therefore report every unknown key as a warning with its
/// JSON path and, when one is close, the known key that was probably meant:
///
/// ```
/// demand: unknown key "demand" ignored; did you mean "demands"?
/// demands[3].pull: unknown key "pull" ignored; did you mean "pulls"?
/// registries[2] (registry "edge-x"): no node links to this registry; it can never serve a pull
/// ```
///
/// Warnings come from ``InstanceCodec/decodeWithWarnings(_:strict:)`` (unknown keys, then the
/// structural checks of ``Instance/warnings``) and ``PlanCodec/decodeWithWarnings(_:strict:)``.
/// In strict mode (`strict: true`, `mis validate --strict`) every warning becomes a
/// ``ValidationIssue`` of a thrown ``ModelError``.
public struct ValidationWarning: Sendable, Hashable, CustomStringConvertible {
  /// What kind of warning this is; compare with the static members, e.g. ``unknownKey``.
  public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The kind's name, e.g. `unknownKey`.
    public var rawValue: String
    /// Creates a kind from its name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The name.
    public var description: String { rawValue }

    /// A key the format does not define; its value was ignored.
    public static let unknownKey = Kind(rawValue: "unknownKey")
    /// The instance has no demand with pulls > 0: every plan is optimal with objective 0.
    public static let noDemand = Kind(rawValue: "noDemand")
    /// A registry no node links to: it can never serve a pull.
    public static let unlinkedRegistry = Kind(rawValue: "unlinkedRegistry")
    /// A node with no link to a registry and no origin link: it can pull nothing.
    public static let isolatedNode = Kind(rawValue: "isolatedNode")
    /// An image no demand entry pulls (pulls > 0).
    public static let unpulledImage = Kind(rawValue: "unpulledImage")
  }

  /// What kind of warning this is.
  public var kind: Kind
  /// JSON-style path of the offending key or entity, e.g. `demands[3].pull`, `demand` (a
  /// top-level key) or `registries[2]`.
  public var path: String
  /// The entity, e.g. `registry "edge-x"`, when the warning is about one; else `nil`.
  public var entity: String?
  /// What is suspicious, in plain words.
  public var message: String
  /// The known key that was probably meant (for ``Kind/unknownKey``), e.g. `demands`.
  public var suggestion: String?

  /// Creates a warning.
  public init(kind: Kind, path: String, entity: String? = nil, message: String, suggestion: String? = nil) {
    self.kind = kind
    self.path = path
    self.entity = entity
    self.message = message
    self.suggestion = suggestion
  }

  /// `path (entity): message; did you mean "suggestion"?`.
  public var description: String {
    var text = path
    if let entity { text += " (\(entity))" }
    text += ": " + message
    if let suggestion { text += "; did you mean \"\(suggestion)\"?" }
    return text
  }

  /// The field a ``ValidationIssue`` made from this warning names.
  var field: String {
    switch kind {
    case .unknownKey:
      var s = Substring(path)
      if let dot = s.lastIndex(of: ".") { s = s[s.index(after: dot)...] }
      return String(s)
    case .noDemand, .unpulledImage: return "demands"
    default: return "links"
    }
  }
}

extension ValidationIssue {
  /// The issue that `warning` becomes in strict mode: same path and entity, the message
  /// (with its suggestion) marked as a warning treated as an error.
  public init(_ warning: ValidationWarning) {
    var message = warning.message
    if let suggestion = warning.suggestion { message += "; did you mean \"\(suggestion)\"?" }
    self.init(
      path: warning.path, entity: warning.entity, field: warning.field,
      message: message + " (a warning, an error in strict mode)")
  }
}

extension Instance {
  /// The structural warnings of this instance, in this order: no demand at all, registries no
  /// node links to, nodes with neither a link nor an origin link, images nobody pulls (the
  /// last only when there is some demand, else every image would be listed).
  ///
  /// A value built in code has no unknown keys; the warnings of a document (its unknown keys
  /// first, then these) come from ``InstanceCodec/decodeWithWarnings(_:strict:)``. Ids that do
  /// not resolve are ignored here (they are errors of ``validate()``).
  ///
  /// ```swift
  /// for warning in instance.warnings { print("warning:", warning) }
  /// ```
  ///
  /// - Complexity: O(size of the instance), expected.
  public var warnings: [ValidationWarning] {
    var out: [ValidationWarning] = []
    // Sets below are used for membership only; every loop runs over the instance's arrays.
    var pulled: Set<String> = []
    for demand in demands where demand.pulls > 0 { pulled.insert(demand.image) }
    if pulled.isEmpty {
      let message =
        demands.isEmpty
        ? "the instance has no demand: every plan is optimal with objective 0"
        : "no demand entry has pulls > 0: every plan is optimal with objective 0"
      out.append(ValidationWarning(kind: .noDemand, path: "demands", message: message))
    }
    var linkedRegistries: Set<String> = []
    var linkedNodes: Set<String> = []
    for link in links {
      linkedRegistries.insert(link.registry)
      linkedNodes.insert(link.node)
    }
    for link in origin?.links ?? [] { linkedNodes.insert(link.node) }
    for (i, registry) in registries.enumerated() where !linkedRegistries.contains(registry.id) {
      out.append(
        ValidationWarning(
          kind: .unlinkedRegistry, path: "registries[\(i)]", entity: IdResolver.entity("registry", registry.id),
          message: "no node links to this registry; it can never serve a pull"))
    }
    for (i, node) in nodes.enumerated() where !linkedNodes.contains(node.id) {
      out.append(
        ValidationWarning(
          kind: .isolatedNode, path: "nodes[\(i)]", entity: IdResolver.entity("node", node.id),
          message: "the node has no link to a registry and no origin link; it can pull nothing"))
    }
    if !pulled.isEmpty {
      for (i, image) in images.enumerated() where !pulled.contains(image.id) {
        out.append(
          ValidationWarning(
            kind: .unpulledImage, path: "images[\(i)]", entity: IdResolver.entity("image", image.id),
            message: "no demand pulls this image"))
      }
    }
    return out
  }
}

/// Finds the known key a misspelled one probably meant.
enum KeySuggestion {
  /// The known key closest to `key`, or `nil` when none is close.
  ///
  /// Keys are compared case-insensitively, ignoring `_`, `-` and other punctuation
  /// (`secondsPerlayer`, `seconds_per_layer` → `secondsPerLayer`); then by edit distance
  /// (insertions, deletions, substitutions and transpositions: `demand` → `demands`,
  /// `origins` → `origin`, `regsitries` → `registries`), at most 1 for keys up to 7
  /// characters, 2 up to 11, else 3; then a prefix of at least 4 characters (`capacity` →
  /// `capacityBytes`, `latency` → `latencySeconds`). Ties go to the first known key.
  static func nearest(to key: String, among known: [String]) -> String? {
    let target = normalized(key)
    guard !target.isEmpty else { return nil }
    var best: (score: Int, key: String)? = nil
    for candidate in known {
      let other = normalized(candidate)
      var score: Int? = nil
      if other == target {
        score = 0
      } else {
        let limit = other.count <= 7 ? 1 : (other.count <= 11 ? 2 : 3)
        if let d = distance(target, other, limit: limit) {
          score = d
        } else if target.count >= 4, other.starts(with: target) || (other.count >= 4 && target.starts(with: other)) {
          score = 10 + abs(other.count - target.count)
        }
      }
      if let score, best.map({ score < $0.score }) ?? true { best = (score, candidate) }
    }
    return best?.key
  }

  private static func normalized(_ s: String) -> [Character] {
    s.lowercased().filter { $0.isLetter || $0.isNumber }.map { $0 }
  }

  /// Optimal-string-alignment distance of `a` and `b` if it is at most `limit`, else `nil`.
  private static func distance(_ a: [Character], _ b: [Character], limit: Int) -> Int? {
    if abs(a.count - b.count) > limit { return nil }
    if a.count > 64 || b.count > 64 { return nil }  // keys are short; bound the work
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) <= limit ? max(a.count, b.count) : nil }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, previous2[j - 2] + 1) }
        current[j] = value
      }
      (previous2, previous, current) = (previous, current, previous2)
    }
    let d = previous[b.count]
    return d <= limit ? d : nil
  }
}

/// The keys each object of the two formats defines, in the specification's order.
enum KnownKeys {
  static let instance = [
    "format", "name", "reconstruction", "registries", "nodes", "links", "origin", "files", "layers", "images",
    "demands",
  ]
  static let reconstruction = ["secondsPerLayer", "secondsPerByte"]
  static let origin = ["links"]
  static let originLink = ["node", "bandwidthBytesPerSecond", "latencySeconds"]
  static let plan = ["format", "instance", "placements", "metrics", "solver"]
  static let placement = ["registry", "layer", "granularity"]

  static let registry = ["id", "capacityBytes"]
  static let node = ["id"]
  static let link = ["node", "registry", "bandwidthBytesPerSecond", "latencySeconds"]
  static let file = ["id", "sizeBytes"]
  static let layer = ["id", "sizeBytes", "files"]
  static let image = ["id", "layers"]
  static let demand = ["node", "image", "pulls"]

  /// The keys of an element of the instance's list `list`.
  static func element(of list: String) -> [String] {
    switch list {
    case "registries": return registry
    case "nodes": return node
    case "links": return link
    case "files": return file
    case "layers": return layer
    case "images": return image
    case "demands": return demand
    default: return []
    }
  }
}
