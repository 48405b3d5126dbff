import Foundation
import MISModel

/// The comparison table of `mis demo` and `mis compare`: one row per result.
///
/// ```swift
/// let results = try PlanningMethod.allCases.map { try Planner.solve(index, method: $0) }
/// print(ComparisonTable.render(results))
/// ```
///
/// Columns: method, status, termination, total expected pulling latency `T`, `T` above
/// the optimum (when some result proves it), the full-model lower bound, reconstruction
/// seconds, storage used over capacity, and wall-clock seconds.
public enum ComparisonTable {
  /// The column titles.
  public static let header = [
    "method", "status", "termination", "total latency s", "vs optimum", "bound s", "reconstruction s",
    "used storage", "seconds",
  ]

  /// The table's lines (header, rule, one row per result), without a trailing newline.
  public static func render(_ results: [PlanningResult]) -> String {
    lines(results).joined(separator: "\n")
  }

  /// The table's lines (header, rule, one row per result).
  public static func lines(_ results: [PlanningResult]) -> [String] {
    // The optimum, where a full-model method proved it.
    let optimum = results.first { $0.status == .optimal }?.objective
    let rows = results.map { result -> [String] in
      let m = result.metrics
      let used = m?.registries.reduce(Int64(0)) { $0 + $1.usedBytes } ?? 0
      let capacity = result.index.capacity.reduce(0, +)
      let versus: String
      if let t = result.objective, let optimum, optimum > 0 {
        versus = String(format: "%+.2f%%", (t - optimum) / optimum * 100)
      } else {
        versus = "—"
      }
      return [
        result.report.method, result.status.rawValue, result.termination.rawValue,
        number(result.objective, digits: 2), versus, number(result.bound, digits: 2),
        number(m?.reconstructionSeconds, digits: 2),
        "\(megabytes(used)) / \(megabytes(capacity))", number(result.report.seconds, digits: 3),
      ]
    }
    return table(header, rows, leftColumns: 3)
  }

  /// A number with at most `digits` decimals, without trailing zeros; `—` when absent.
  static func number(_ value: Double?, digits: Int) -> String {
    guard let value else { return "—" }
    guard value.isFinite else { return "\(value)" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    var text = String(format: "%.\(digits)f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }

  /// Bytes in decimal megabytes, as in `35.0 MB`.
  static func megabytes(_ bytes: Int64) -> String {
    String(format: "%.1f MB", Double(bytes) / 1e6)
  }

  /// A text table with left-aligned first columns and right-aligned other columns.
  static func table(_ header: [String], _ rows: [[String]], leftColumns: Int) -> [String] {
    let all = [header] + rows
    let widths = header.indices.map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { c, cell in
        let pad = String(repeating: " ", count: max(0, widths[c] - cell.count))
        return c < leftColumns ? cell + pad : pad + cell
      }.joined(separator: "  ")
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    return [line(header), rule] + rows.map(line)
  }
}
