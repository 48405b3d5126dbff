/// Writes ``JSONValue`` trees as UTF-8 JSON, keys in the order given, numbers in the
/// shortest form that reads back to the same `Double`, so output is byte-for-byte stable.
///
/// Package plumbing: library users write documents with ``InstanceCodec``, ``PlanCodec`` or
/// `Codable`.
package struct JSONWriter: Sendable {
  /// Whether to indent (two spaces, one member per line) or write compactly.
  package var pretty: Bool

  /// Creates a writer.
  package init(pretty: Bool = true) { self.pretty = pretty }

  /// The UTF-8 bytes of `value`, followed by a newline when pretty.
  ///
  /// Non-finite numbers (which JSON cannot represent) are written as `null`.
  package func bytes(of value: JSONValue) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(1024)
    write(value, indent: 0, into: &out)
    if pretty { out.append(0x0A) }
    return out
  }

  /// The text of `value`.
  package func string(of value: JSONValue) -> String {
    String(decoding: bytes(of: value), as: UTF8.self)
  }

  private func write(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
    switch value {
    case .null: out.append(contentsOf: Array("null".utf8))
    case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
    case .number(let d): out.append(contentsOf: Array(Self.format(d).utf8))
    case .string(let s): Self.writeString(s, into: &out)
    case .array(let elements):
      if elements.isEmpty {
        out.append(contentsOf: [0x5B, 0x5D])
        return
      }
      // Arrays of scalars stay on one line: they are lists of ids.
      let scalars = elements.allSatisfy {
        switch $0 {
        case .array, .object: return false
        default: return true
        }
      }
      out.append(0x5B)
      for (i, element) in elements.enumerated() {
        if i > 0 { out.append(0x2C) }
        if pretty {
          if scalars {
            if i > 0 { out.append(0x20) }
          } else {
            newline(indent + 1, into: &out)
          }
        }
        write(element, indent: indent + 1, into: &out)
      }
      if pretty && !scalars { newline(indent, into: &out) }
      out.append(0x5D)
    case .object(let pairs):
      if pairs.isEmpty {
        out.append(contentsOf: [0x7B, 0x7D])
        return
      }
      out.append(0x7B)
      for (i, pair) in pairs.enumerated() {
        if i > 0 { out.append(0x2C) }
        if pretty { newline(indent + 1, into: &out) }
        Self.writeString(pair.key, into: &out)
        out.append(0x3A)
        if pretty { out.append(0x20) }
        write(pair.value, indent: indent + 1, into: &out)
      }
      if pretty { newline(indent, into: &out) }
      out.append(0x7D)
    }
  }

  private func newline(_ indent: Int, into out: inout [UInt8]) {
    out.append(0x0A)
    out.append(contentsOf: repeatElement(0x20, count: indent * 2))
  }

  /// Formats a number: integers up to 2^53 without a fraction, others in Swift's shortest
  /// round-tripping form, non-finite as `null`.
  package static func format(_ d: Double) -> String {
    guard d.isFinite else { return "null" }
    if d == d.rounded(), abs(d) <= 9_007_199_254_740_992 {
      return String(Int64(d))
    }
    return "\(d)"
  }

  private static func writeString(_ s: String, into out: inout [UInt8]) {
    out.append(0x22)
    for byte in s.utf8 {
      switch byte {
      case 0x22: out.append(contentsOf: [0x5C, 0x22])
      case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
      case 0x0D: out.append(contentsOf: [0x5C, 0x72])
      case 0x09: out.append(contentsOf: [0x5C, 0x74])
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
      default: out.append(byte)
      }
    }
    out.append(0x22)
  }
}
