/// A strict, linear-time JSON reader (RFC 8259) over UTF-8 bytes that reports the line
/// and column of the first syntax error.
///
/// It can read a whole document into a ``JSONValue`` (``parseDocument()``), or stream
/// the elements of a top-level object's array members one at a time
/// (``readObjectStreaming(_:)``), so that loading a million-file instance never holds
/// the whole document tree in memory.
///
/// Nesting is limited (``maximumDepth``) so that hostile input cannot exhaust the stack.
///
/// Package plumbing: library users read documents with ``InstanceCodec``, ``PlanCodec`` or
/// `Codable`.
package struct JSONReader {
  /// A syntax error with its 1-based position.
  package struct SyntaxError: Error, Sendable, Hashable {
    /// 1-based line of the offending byte.
    package var line: Int
    /// 1-based column (in bytes) of the offending byte.
    package var column: Int
    /// What was wrong.
    package var message: String
  }

  /// Maximum nesting depth of arrays and objects.
  package static let maximumDepth = 512

  private let bytes: [UInt8]
  private var position = 0
  private var depth = 0

  /// Creates a reader over `bytes`.
  package init(bytes: [UInt8]) { self.bytes = bytes }

  /// Reads exactly one JSON value followed only by whitespace.
  ///
  /// - Complexity: O(n) in the document's length.
  package mutating func parseDocument() throws(SyntaxError) -> JSONValue {
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    if position < bytes.count { throw error("unexpected content after the JSON value") }
    return value
  }

  /// Reads a document whose top level is an object; `handler` is called for every member
  /// with the key and a ``MemberReader`` that can stream an array or read the value whole.
  /// Members the handler does not consume are read (and dropped) by the reader.
  package mutating func readObjectStreaming(
    _ handler: (String, inout MemberReader) throws(SyntaxError) -> Void
  ) throws(SyntaxError) {
    skipWhitespace()
    guard peek() == UInt8(ascii: "{") else {
      if position >= bytes.count { throw error("the document is empty") }
      throw error("expected an object at the top level")
    }
    position += 1
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      position += 1
    } else {
      while true {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
        let key = try parseString()
        skipWhitespace()
        try expect(UInt8(ascii: ":"))
        skipWhitespace()
        var member = MemberReader(reader: self)
        try handler(key, &member)
        if !member.consumed { _ = try member.readValue() }
        self = member.reader
        skipWhitespace()
        if peek() == UInt8(ascii: ",") {
          position += 1
          continue
        }
        try expect(UInt8(ascii: "}"))
        break
      }
    }
    skipWhitespace()
    if position < bytes.count { throw error("unexpected content after the JSON value") }
  }

  /// Gives access to one member's value during ``readObjectStreaming(_:)``.
  package struct MemberReader {
    fileprivate var reader: JSONReader
    fileprivate var consumed = false

    /// Reads the member's value whole.
    package mutating func readValue() throws(SyntaxError) -> JSONValue {
      consumed = true
      return try reader.parseValue()
    }

    /// If the value is an array, calls `body` with each element in order and returns
    /// `true`; otherwise reads the value whole, passes it to `other`, and returns `false`.
    package mutating func forEachElement(
      _ body: (Int, JSONValue) throws(SyntaxError) -> Void,
      other: (JSONValue) -> Void
    ) throws(SyntaxError) -> Bool {
      consumed = true
      guard reader.peek() == UInt8(ascii: "[") else {
        other(try reader.parseValue())
        return false
      }
      reader.position += 1
      reader.skipWhitespace()
      if reader.peek() == UInt8(ascii: "]") {
        reader.position += 1
        return true
      }
      var index = 0
      while true {
        reader.skipWhitespace()
        let element = try reader.parseValue()
        try body(index, element)
        index += 1
        reader.skipWhitespace()
        if reader.peek() == UInt8(ascii: ",") {
          reader.position += 1
          continue
        }
        try reader.expect(UInt8(ascii: "]"))
        return true
      }
    }
  }

  // MARK: - Values

  fileprivate mutating func parseValue() throws(SyntaxError) -> JSONValue {
    skipWhitespace()
    guard let byte = peek() else { throw error("unexpected end of input, expected a value") }
    switch byte {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return .number(try parseNumber())
    default:
      throw error("unexpected character '\(printable(byte))', expected a value")
    }
  }

  private mutating func parseObject() throws(SyntaxError) -> JSONValue {
    depth += 1
    defer { depth -= 1 }
    if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
    position += 1
    var pairs: [(key: String, value: JSONValue)] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      position += 1
      return .object(pairs)
    }
    while true {
      skipWhitespace()
      guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
      let key = try parseString()
      skipWhitespace()
      try expect(UInt8(ascii: ":"))
      let value = try parseValue()
      pairs.append((key, value))
      skipWhitespace()
      if peek() == UInt8(ascii: ",") {
        position += 1
        continue
      }
      try expect(UInt8(ascii: "}"))
      return .object(pairs)
    }
  }

  private mutating func parseArray() throws(SyntaxError) -> JSONValue {
    depth += 1
    defer { depth -= 1 }
    if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
    position += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "]") {
      position += 1
      return .array(elements)
    }
    while true {
      elements.append(try parseValue())
      skipWhitespace()
      if peek() == UInt8(ascii: ",") {
        position += 1
        continue
      }
      try expect(UInt8(ascii: "]"))
      return .array(elements)
    }
  }

  private mutating func parseString() throws(SyntaxError) -> String {
    position += 1  // opening quote
    let start = position
    // Fast path: no escapes.
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        let string = try decodeUTF8(start, position)
        position += 1
        return string
      }
      if byte == UInt8(ascii: "\\") { break }
      if byte < 0x20 { throw error("control character in a string") }
      position += 1
    }
    var buffer = Array(bytes[start..<position])
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        position += 1
        guard let string = String(validating: buffer, as: UTF8.self) else {
          throw error("invalid UTF-8 in a string")
        }
        return string
      }
      if byte < 0x20 { throw error("control character in a string") }
      if byte == UInt8(ascii: "\\") {
        position += 1
        guard let escape = peek() else { break }
        position += 1
        switch escape {
        case UInt8(ascii: "\""): buffer.append(0x22)
        case UInt8(ascii: "\\"): buffer.append(0x5C)
        case UInt8(ascii: "/"): buffer.append(0x2F)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try parseHex4()
          if (0xD800...0xDBFF).contains(scalar) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
              bytes[position + 1] == UInt8(ascii: "u")
            else { throw error("unpaired surrogate in a \\u escape") }
            position += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else if (0xDC00...0xDFFF).contains(scalar) {
            throw error("unpaired surrogate in a \\u escape")
          }
          guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
          buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
          position -= 1
          throw error("invalid escape '\\\(printable(escape))'")
        }
        continue
      }
      buffer.append(byte)
      position += 1
    }
    throw error("unterminated string")
  }

  private func decodeUTF8(_ start: Int, _ end: Int) throws(SyntaxError) -> String {
    let string: String? = bytes.withUnsafeBufferPointer { buffer in
      String(validating: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
    }
    guard let string else { throw errorAt(start, "invalid UTF-8 in a string") }
    return string
  }

  private mutating func parseHex4() throws(SyntaxError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = peek() else { throw error("unterminated \\u escape") }
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
      default: throw error("invalid hex digit in a \\u escape")
      }
      value = value << 4 | digit
      position += 1
    }
    return value
  }

  private mutating func parseNumber() throws(SyntaxError) -> Double {
    let start = position
    if peek() == UInt8(ascii: "-") { position += 1 }
    guard let first = peek(), isDigit(first) else { throw error("invalid number") }
    if first == UInt8(ascii: "0") {
      position += 1
      if let next = peek(), isDigit(next) { throw error("leading zeros are not allowed in numbers") }
    } else {
      while let byte = peek(), isDigit(byte) { position += 1 }
    }
    if peek() == UInt8(ascii: ".") {
      position += 1
      guard let byte = peek(), isDigit(byte) else { throw error("expected a digit after '.'") }
      while let byte = peek(), isDigit(byte) { position += 1 }
    }
    if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
      position += 1
      if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
      guard let digit = peek(), isDigit(digit) else { throw error("expected a digit in the exponent") }
      while let byte = peek(), isDigit(byte) { position += 1 }
    }
    let text = bytes.withUnsafeBufferPointer { buffer in
      String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<position]), as: UTF8.self)
    }
    guard let value = Double(text) else { throw errorAt(start, "invalid number") }
    // Integers above 2^53 round to a neighbour when read as a Double, which could make an
    // out-of-range 2^53 + 1 look like 2^53. Keep such literals strictly out of range.
    if abs(value) >= 9_007_199_254_740_992, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
      if let exact = Int64(text), Double(exact) == value, Int64(exactly: value) != exact {
        return value < 0 ? value.nextDown : value.nextUp
      }
    }
    return value
  }

  private mutating func literal(_ word: String) throws(SyntaxError) {
    let expected = Array(word.utf8)
    let count = expected.count
    let matches = position + count <= bytes.count && (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
    guard matches else { throw error("invalid literal, expected '\(word)'") }
    position += count
  }

  // MARK: - Helpers

  fileprivate func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

  private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

  fileprivate mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x09, 0x0A, 0x0D: position += 1
      default: return
      }
    }
  }

  fileprivate mutating func expect(_ byte: UInt8) throws(SyntaxError) {
    guard let actual = peek() else {
      throw error("unexpected end of input, expected '\(printable(byte))'")
    }
    guard actual == byte else {
      throw error("unexpected character '\(printable(actual))', expected '\(printable(byte))'")
    }
    position += 1
  }

  private func printable(_ byte: UInt8) -> String {
    (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
  }

  private func error(_ message: String) -> SyntaxError { errorAt(position, message) }

  private func errorAt(_ offset: Int, _ message: String) -> SyntaxError {
    var line = 1
    var lineStart = 0
    let end = min(offset, bytes.count)
    for index in 0..<end where bytes[index] == 0x0A {
      line += 1
      lineStart = index + 1
    }
    return SyntaxError(line: line, column: end - lineStart + 1, message: message)
  }
}
