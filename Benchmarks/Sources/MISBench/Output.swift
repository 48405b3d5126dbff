import Foundation

/// Writes a line to standard output at once (unbuffered), so that progress of long runs
/// shows up even when the output is piped to a file.
func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Writes a line to standard error (progress notes that are not part of the table).
func note(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A result table: printed aligned on the console, written as CSV.
///
/// Cells are strings already formatted for people; CSV cells containing a comma, a quote
/// or a newline are quoted per RFC 4180.
struct Table {
  /// Column headers.
  var columns: [String]
  /// Rows of cells, each as long as ``columns``.
  var rows: [[String]] = []

  /// Creates an empty table with these column headers.
  init(_ columns: [String]) { self.columns = columns }

  /// Appends a row (padded or cut to the number of columns).
  mutating func append(_ cells: [String]) {
    var row = Array(cells.prefix(columns.count))
    while row.count < columns.count { row.append("") }
    rows.append(row)
  }

  /// The table as aligned text with a header rule.
  var text: String {
    var widths = columns.map(\.count)
    for row in rows { for (k, cell) in row.enumerated() { widths[k] = max(widths[k], cell.count) } }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { k, cell in
        cell + String(repeating: " ", count: widths[k] - cell.count)
      }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    var out = [line(columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
    for row in rows { out.append(line(row)) }
    return out.joined(separator: "\n")
  }

  /// The table as a Markdown pipe table.
  var markdown: String {
    var out = ["| " + columns.joined(separator: " | ") + " |", "|" + columns.map { _ in "---|" }.joined()]
    for row in rows { out.append("| " + row.joined(separator: " | ") + " |") }
    return out.joined(separator: "\n")
  }

  /// The table as CSV text.
  var csv: String {
    func quote(_ cell: String) -> String {
      guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return cell }
      return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return ([columns] + rows).map { $0.map(quote).joined(separator: ",") }.joined(separator: "\n") + "\n"
  }
}

/// Where results go: `Benchmarks/results/` by default (relative to the benchmark package,
/// found from this source file's location so that `swift run --package-path Benchmarks`
/// works from any directory), or the directory given by `--results`.
enum ResultsDirectory {
  /// The default results directory, `Benchmarks/results`.
  static var defaultPath: String {
    let here = URL(fileURLWithPath: #filePath)  // …/Benchmarks/Sources/MISBench/Output.swift
    return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("results").path
  }

  /// The repository root (parent of `Benchmarks/`), for `Docs/`.
  static var repositoryRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().path
  }

  /// Creates `directory` if needed and writes `text` to `directory/name`.
  static func write(_ text: String, name: String, in directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = (directory as NSString).appendingPathComponent(name)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    note("wrote \(path)")
  }
}

/// Number formatting for tables and CSV.
enum Format {
  /// `value` with `digits` decimals, or `-` for `nil`/non-finite.
  static func fixed(_ value: Double?, _ digits: Int = 2) -> String {
    guard let value, value.isFinite else { return "-" }
    return String(format: "%.\(digits)f", value)
  }

  /// Seconds with 3 significant-ish decimals.
  static func seconds(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "-" }
    return value < 10 ? String(format: "%.3f", value) : String(format: "%.1f", value)
  }

  /// A ratio with 4 decimals.
  static func ratio(_ value: Double?) -> String { fixed(value, 4) }

  /// A percentage with 2 decimals.
  static func percent(_ value: Double?) -> String { fixed(value.map { $0 * 100 }, 2) }

  /// Mebibytes with one decimal.
  static func mib(_ bytes: Double?) -> String { fixed(bytes.map { $0 / 1_048_576 }, 1) }
}

/// Small statistics helpers.
enum Stats {
  /// The median of `values` (mean of the middle two for an even count), `nil` if empty.
  static func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  }

  /// The arithmetic mean, `nil` if empty.
  static func mean(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
  }

  /// The geometric mean of positive values, `nil` if empty.
  static func geometricMean(_ values: [Double]) -> Double? {
    let positive = values.filter { $0 > 0 }
    guard !positive.isEmpty else { return nil }
    return exp(positive.reduce(0) { $0 + log($1) } / Double(positive.count))
  }
}

/// Process memory figures from `/proc/self/status` (Linux).
enum Memory {
  /// Peak resident set size (`VmHWM`) in bytes, `nil` where `/proc` is unavailable.
  static var peakResidentBytes: Double? { field("VmHWM:") }
  /// Current resident set size (`VmRSS`) in bytes.
  static var residentBytes: Double? { field("VmRSS:") }

  private static func field(_ name: String) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(name) {
      let parts = line.split(separator: " ", omittingEmptySubsequences: true)
      if parts.count >= 2, let kib = Double(parts[1]) { return kib * 1024 }
    }
    return nil
  }
}
