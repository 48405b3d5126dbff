/// A JSON value, as the library's own JSON reader and writer handle it.
///
/// It is public because method-specific figures of a ``SolverReport`` (`details`) and the
/// document trees of ``InstanceCodec/encodeValue(_:)`` and ``PlanCodec`` are JSON values.
///
/// Objects keep their keys in document order (an array of pairs), so that what the
/// library writes is byte-for-byte stable and reads the way the specification lays it
/// out. Numbers are `Double`: every integer the model allows (≤ 2^53) is exact.
public enum JSONValue: Sendable, Hashable {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number.
  case number(Double)
  /// A string.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object, keys in document order. Duplicate keys are kept as read.
  case object([(key: String, value: JSONValue)])

  /// The value for `key` in an object (the first one, if the key is repeated), else `nil`.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let pairs) = self else { return nil }
    for pair in pairs where pair.key == key { return pair.value }
    return nil
  }

  /// A short name of the value's JSON type, for error messages.
  public var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }

  /// Structural equality; object keys compared in order.
  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.number(let a), .number(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }

  /// Hashes the structure, object keys in order.
  public func hash(into hasher: inout Hasher) {
    switch self {
    case .null: hasher.combine(0)
    case .bool(let b): hasher.combine(b)
    case .number(let d): hasher.combine(d)
    case .string(let s): hasher.combine(s)
    case .array(let a): hasher.combine(a)
    case .object(let pairs):
      hasher.combine(pairs.count)
      for pair in pairs {
        hasher.combine(pair.key)
        hasher.combine(pair.value)
      }
    }
  }
}
