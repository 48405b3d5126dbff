import Foundation
import MISModel

/// Human-readable text for metrics, solver reports and tables.
enum Report {
  /// A number with at most `digits` decimals, without trailing zeros (`733.11`, `40`).
  static func number(_ value: Double, digits: Int = 6) -> String {
    guard value.isFinite else { return "\(value)" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    var text = String(format: "%.\(digits)f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }

  /// An optional number, `—` when absent.
  static func number(_ value: Double?, digits: Int = 6) -> String {
    value.map { number($0, digits: digits) } ?? "—"
  }

  /// Bytes in decimal megabytes, as in `35.0 MB`.
  static func megabytes(_ bytes: Int64) -> String {
    String(format: "%.1f MB", Double(bytes) / 1e6)
  }

  /// A fraction as a percentage, as in `12.5%`.
  static func percent(_ fraction: Double) -> String {
    String(format: "%.1f%%", fraction * 100)
  }

  /// The metrics of a plan, one fact per line, violations last.
  static func metrics(_ m: PlanMetrics) -> [String] {
    var lines = [
      "feasible:               \(m.feasible)",
      "total latency (s):      \(number(m.totalLatencySeconds))",
      "total pulls:            \(number(m.totalPulls))",
      "mean image pull (s):    \(number(m.meanImagePullSeconds))",
      "reconstruction (s):     \(number(m.reconstructionSeconds))",
      "origin share:           \(percent(m.originShare))",
      "registries:",
    ]
    let width = max(8, m.registries.map(\.registry.count).max() ?? 0)
    for r in m.registries {
      lines.append(
        "  \(r.registry.padding(toLength: width, withPad: " ", startingAt: 0))  "
          + "used \(megabytes(r.usedBytes)) of \(megabytes(r.capacityBytes)), "
          + "\(r.layerLevelLayers) layer-level, \(r.fileLevelLayers) file-level layers, "
          + "\(r.storedFiles) files, dedup saved \(megabytes(r.dedupSavedBytes))")
    }
    if !m.violations.isEmpty {
      lines.append("violations (\(m.violations.count)):")
      for v in m.violations { lines.append("  [\(v.kind)] \(v)") }
    }
    return lines
  }

  /// The solver block in words.
  static func solver(_ s: SolverReport) -> [String] {
    var lines = [
      "method:                 \(s.method)",
      "status:                 \(s.status.rawValue)",
      "termination:            \(s.termination.rawValue)",
      "objective (s):          \(number(s.objective))",
      "lower bound (s):        \(number(s.bound))",
      "gap:                    \(s.gap.map(percent) ?? "—")",
      "certified ratio:        \(number(s.certifiedRatio))",
      "seconds:                \(number(s.seconds, digits: 3))",
    ]
    if let seed = s.seed { lines.append("seed:                   \(seed)") }
    for key in ["autoChoice", "autoReason", "restrictedBound", "warmStart", "start", "fallback"] {
      guard let value = s.detail(key) else { continue }
      let text: String
      switch value {
      case .string(let string): text = string
      case .number(let number): text = Self.number(number)
      default: continue
      }
      lines.append("\(key + ":")\(String(repeating: " ", count: max(1, 24 - key.count - 1)))\(text)")
    }
    if let prices = s.capacityPrices, !prices.isEmpty {
      lines.append("capacity prices (s/GiB):")
      for p in prices { lines.append("  \(p.registry)  \(number(p.secondsPerGiB, digits: 4))") }
    }
    return lines
  }
}
