import Foundation
import MISModel

/// Reads a demand table: CSV with the header `node,image,pulls`, one row per (node, image)
/// with a non-negative number of pulls.
///
/// ```text
/// node,image,pulls
/// site-1,debian:bookworm,40
/// site-2,"nginx:1.27",12.5
/// ```
///
/// Fields may be double-quoted (a quote inside doubled); blank lines are skipped; rows for
/// the same (node, image) add up. Every row must name a known node and image.
public enum DemandReader {
  /// Parses `text`.
  ///
  /// - Parameters:
  ///   - path: used in error messages.
  ///   - nodes: the node ids of the fleet.
  ///   - images: the imported image ids.
  /// - Throws: ``ImportError/demand(path:line:reason:)`` naming the line (the header is
  ///   line 1).
  public static func parse(_ text: String, path: String, nodes: Set<String>, images: Set<String>)
    throws(ImportError) -> [Demand]
  {
    var demands: [Demand] = []
    var sawHeader = false
    var lineNumber = 0
    // "\r\n" is one Character in Swift, and a newline like "\n".
    for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      lineNumber += 1
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      let fields = try split(line, path: path, line: lineNumber)
      if !sawHeader {
        let header = fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var first = header
        if let f = first.first, f.hasPrefix("\u{FEFF}") { first[0] = String(f.dropFirst()) }
        guard first == ["node", "image", "pulls"] else {
          throw .demand(
            path: path, line: lineNumber,
            reason: "the header must be node,image,pulls, got \(header.joined(separator: ","))")
        }
        sawHeader = true
        continue
      }
      guard fields.count == 3 else {
        throw .demand(path: path, line: lineNumber, reason: "expected 3 fields (node,image,pulls), got \(fields.count)")
      }
      let node = fields[0].trimmingCharacters(in: .whitespaces)
      let image = fields[1].trimmingCharacters(in: .whitespaces)
      let pullsText = fields[2].trimmingCharacters(in: .whitespaces)
      guard nodes.contains(node) else {
        throw .demand(path: path, line: lineNumber, reason: "node \"\(node)\" is not a node of the fleet")
      }
      guard images.contains(image) else {
        throw .demand(path: path, line: lineNumber, reason: "image \"\(image)\" is not an imported image")
      }
      guard let pulls = Double(pullsText), pulls.isFinite, pulls >= 0 else {
        throw .demand(
          path: path, line: lineNumber, reason: "pulls \"\(pullsText)\" is not a finite number ≥ 0")
      }
      demands.append(Demand(node: node, image: image, pulls: pulls))
    }
    guard sawHeader else {
      throw .demand(path: path, line: max(lineNumber, 1), reason: "empty file: expected the header node,image,pulls")
    }
    return demands
  }

  /// Reads and parses a demand file.
  ///
  /// - Throws: ``ImportError/io(path:reason:)`` when it cannot be read, else as
  ///   ``parse(_:path:nodes:images:)``.
  public static func read(contentsOf path: String, nodes: Set<String>, images: Set<String>) throws(ImportError)
    -> [Demand]
  {
    try parse(try text(contentsOf: path), path: path, nodes: nodes, images: images)
  }

  /// The text of a demand file (read before a long import, so a missing file fails early).
  static func text(contentsOf path: String) throws(ImportError) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .io(path: path, reason: "no such file or not readable")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw .demand(path: path, line: 1, reason: "not UTF-8 text")
    }
    return text
  }

  /// Splits one CSV line into fields (RFC 4180 quoting, within a line).
  private static func split(_ line: Substring, path: String, line number: Int) throws(ImportError) -> [String] {
    var fields: [String] = []
    var field = ""
    var quoted = false
    var wasQuoted = false
    var i = line.startIndex
    while i < line.endIndex {
      let c = line[i]
      if quoted {
        if c == "\"" {
          let next = line.index(after: i)
          if next < line.endIndex, line[next] == "\"" {
            field.append("\"")
            i = next
          } else {
            quoted = false
          }
        } else {
          field.append(c)
        }
      } else if c == "," {
        fields.append(field)
        field = ""
        wasQuoted = false
      } else if c == "\"" && field.trimmingCharacters(in: .whitespaces).isEmpty && !wasQuoted {
        quoted = true
        wasQuoted = true
        field = ""
      } else {
        field.append(c)
      }
      i = line.index(after: i)
    }
    guard !quoted else { throw .demand(path: path, line: number, reason: "unterminated quoted field") }
    fields.append(field)
    return fields
  }
}
