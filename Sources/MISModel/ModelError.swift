/// One problem found in an instance or a plan: where it is, which entity, which field, what is wrong.
///
/// ```
/// layers[3] (layer "sha256:bb"): files[1]: unknown file id "f9"
/// ```
public struct ValidationIssue: Sendable, Hashable, CustomStringConvertible {
  /// JSON-style path of the offending value, e.g. `layers[3].files[1]`.
  public var path: String
  /// The entity, e.g. `layer "sha256:bb"`, when it has an id; else `nil`.
  public var entity: String?
  /// The offending field's name, e.g. `files`, `capacityBytes`.
  public var field: String
  /// What is wrong, in plain words.
  public var message: String

  /// Creates an issue.
  public init(path: String, entity: String? = nil, field: String, message: String) {
    self.path = path
    self.entity = entity
    self.field = field
    self.message = message
  }

  /// `path (entity): message`.
  public var description: String {
    if let entity { return "\(path) (\(entity)): \(message)" }
    return "\(path): \(message)"
  }
}

/// Why an instance or a plan could not be read or used.
///
/// Every case carries enough context to point a person at the offending entity and
/// field, or at the JSON line and column.
public enum ModelError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The document is not valid JSON.
  case malformedJSON(line: Int, column: Int, message: String)
  /// The instance breaks one or more rules of `Docs/formats.md` §1 (all of them are listed).
  case invalidInstance([ValidationIssue])
  /// The plan document is malformed (all problems are listed).
  case invalidPlan([ValidationIssue])
  /// A file could not be read or written.
  case io(path: String, message: String)

  /// All issues, one per line.
  public var description: String {
    switch self {
    case .malformedJSON(let line, let column, let message):
      return "malformed JSON at line \(line), column \(column): \(message)"
    case .invalidInstance(let issues):
      return "invalid instance (\(issues.count) problem\(issues.count == 1 ? "" : "s")):\n"
        + issues.map { "  " + $0.description }.joined(separator: "\n")
    case .invalidPlan(let issues):
      return "invalid plan (\(issues.count) problem\(issues.count == 1 ? "" : "s")):\n"
        + issues.map { "  " + $0.description }.joined(separator: "\n")
    case .io(let path, let message):
      return "cannot access \(path): \(message)"
    }
  }

  /// The validation issues, if this is a validation error.
  public var issues: [ValidationIssue] {
    switch self {
    case .invalidInstance(let issues), .invalidPlan(let issues): return issues
    default: return []
    }
  }
}
