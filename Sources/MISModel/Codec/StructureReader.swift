/// Reads typed fields out of JSON objects, recording a ``ValidationIssue`` for every
/// missing or mistyped field instead of stopping at the first, and a ``ValidationWarning``
/// for every unknown key.
struct StructureReader {
  var issues: [ValidationIssue] = []
  /// Paths of entities whose own fields were broken (semantic checks on them are skipped).
  var brokenEntities: Set<String> = []

  /// One unknown key of one kind of object (e.g. `pull` in the elements of `demands`): the
  /// first place it occurs and how many more objects of that kind have it. A million files
  /// with an extra key give one warning, not a million.
  private struct UnknownKey {
    var path: String
    var key: String
    var list: String?
    var suggestion: String?
    var more: Int
  }
  private var unknownKeys: [UnknownKey] = []
  /// Position in ``unknownKeys`` of each (object kind, key); looked up, never iterated.
  private var unknownKeyPosition: [String: Int] = [:]

  /// Records `key`, found in the object at `path` (`""` for the top level), as unknown.
  ///
  /// - Parameters:
  ///   - list: for an element of a list, the list's path (`demands`, `origin.links`), so that
  ///     the same key in many elements is reported once with a count.
  ///   - known: the keys the object defines, for the suggestion.
  mutating func unknownKey(_ key: String, at path: String, list: String? = nil, known: [String]) {
    let group = (list ?? path) + "\u{0}" + key
    if let position = unknownKeyPosition[group] {
      unknownKeys[position].more += 1
      return
    }
    unknownKeyPosition[group] = unknownKeys.count
    let suggestion = KeySuggestion.nearest(to: key, among: known)
    unknownKeys.append(
      UnknownKey(path: path.isEmpty ? key : "\(path).\(key)", key: key, list: list, suggestion: suggestion, more: 0))
  }

  /// Records every key of `object` (an object value) that is not in `known`.
  mutating func unknownKeys(of object: JSONValue, at path: String, list: String? = nil, known: [String]) {
    guard case .object(let pairs) = object else { return }
    for pair in pairs where !known.contains(pair.key) {
      unknownKey(pair.key, at: path, list: list, known: known)
    }
  }

  /// "missing required field", naming a present key that was probably meant for it
  /// (`"capacity"` for `"capacityBytes"`).
  private func missing(_ key: String, in object: JSONValue) -> String {
    var message = "missing required field \"\(key)\""
    if case .object(let pairs) = object,
      let near = pairs.first(where: { $0.key != key && KeySuggestion.nearest(to: $0.key, among: [key]) != nil })
    {
      message += " (the object has \(IdResolver.quoted(near.key)): a misspelling of \"\(key)\"?)"
    }
    return message
  }

  /// The unknown keys as warnings, in order of first occurrence.
  var warnings: [ValidationWarning] {
    unknownKeys.map { u in
      var message = "unknown key \(IdResolver.quoted(u.key)) ignored"
      if let list = u.list, u.more > 0 {
        message += " (also in \(u.more) more element\(u.more == 1 ? "" : "s") of \(list))"
      }
      return ValidationWarning(kind: .unknownKey, path: u.path, message: message, suggestion: u.suggestion)
    }
  }

  mutating func issue(_ path: String, _ entity: String?, _ field: String, _ message: String, entityPath: String? = nil)
  {
    issues.append(ValidationIssue(path: path, entity: entity, field: field, message: message))
    if let entityPath { brokenEntities.insert(entityPath) }
  }

  /// The members of `value` if it is an object; else records an issue.
  mutating func members(_ value: JSONValue, path: String, what: String) -> JSONValue? {
    guard case .object(let pairs) = value else {
      issue(path, nil, lastComponent(path), "\(what) must be an object, got \(value.typeName)", entityPath: path)
      return nil
    }
    if pairs.count > 1 {
      var seen: Set<String> = []
      for pair in pairs where !seen.insert(pair.key).inserted {
        issue("\(path).\(pair.key)", nil, pair.key, "the key \"\(pair.key)\" appears twice", entityPath: path)
      }
    }
    return value
  }

  private func lastComponent(_ path: String) -> String {
    var s = Substring(path)
    if let dot = s.lastIndex(of: ".") { s = s[s.index(after: dot)...] }
    if let bracket = s.firstIndex(of: "[") { s = s[..<bracket] }
    return String(s)
  }

  /// A string id field, present and non-empty-typed; records an issue otherwise.
  mutating func string(_ object: JSONValue, _ key: String, path: String, entity: String?, required: Bool = true)
    -> String?
  {
    guard let value = object[key], value != .null || required else {
      if required {
        issue("\(path).\(key)", entity, key, missing(key, in: object), entityPath: path)
      }
      return nil
    }
    guard case .string(let s) = value else {
      issue("\(path).\(key)", entity, key, "must be a string, got \(value.typeName)", entityPath: path)
      return nil
    }
    return s
  }

  /// A finite-or-not number; range rules are checked by validation. Missing → default or issue.
  mutating func number(_ object: JSONValue, _ key: String, path: String, entity: String?, default: Double? = nil)
    -> Double?
  {
    guard let value = object[key] else {
      if let d = `default` { return d }
      issue("\(path).\(key)", entity, key, missing(key, in: object), entityPath: path)
      return nil
    }
    guard case .number(let d) = value else {
      issue("\(path).\(key)", entity, key, "must be a number, got \(value.typeName)\(spelled(value))", entityPath: path)
      return nil
    }
    return d
  }

  /// A byte count: an integral number; range 0…2^53 is checked by validation.
  mutating func bytes(_ object: JSONValue, _ key: String, path: String, entity: String?) -> Int64? {
    guard let d = number(object, key, path: path, entity: entity) else { return nil }
    guard d == d.rounded(), abs(d) < 9.2e18 else {
      issue("\(path).\(key)", entity, key, "must be an integer between 0 and 2^53, got \(d)", entityPath: path)
      return nil
    }
    return Int64(d)
  }

  /// An array of strings (ids).
  mutating func stringArray(_ object: JSONValue, _ key: String, path: String, entity: String?) -> [String]? {
    guard let value = object[key] else {
      issue("\(path).\(key)", entity, key, missing(key, in: object), entityPath: path)
      return nil
    }
    guard case .array(let elements) = value else {
      issue("\(path).\(key)", entity, key, "must be an array of ids, got \(value.typeName)", entityPath: path)
      return nil
    }
    var out: [String] = []
    out.reserveCapacity(elements.count)
    for (i, element) in elements.enumerated() {
      if case .string(let s) = element {
        out.append(s)
      } else {
        issue("\(path).\(key)[\(i)]", entity, key, "must be a string id, got \(element.typeName)", entityPath: path)
      }
    }
    return out
  }

  private func spelled(_ value: JSONValue) -> String {
    if case .string(let s) = value, s.count <= 40 {
      return " \"\(s)\" (numbers must not be quoted; NaN and infinities are not allowed)"
    }
    return ""
  }
}
