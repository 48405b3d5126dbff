import Foundation

/// A small, dependency-free SVG chart writer for the benchmark figures: line charts
/// (numeric x) and grouped bar charts (categorical x), with a title, axis labels with
/// units, "nice" ticks, gridlines and a legend.
///
/// ```swift
/// var chart = SVGChart(title: "Latency", xLabel: "capacity fraction", yLabel: "latency (s)")
/// chart.series.append(.init(name: "approx", points: [(0.1, 900), (0.3, 700)]))
/// let svg = chart.lineChart()
/// ```
struct SVGChart {
  /// One named series of (x, y) points; `nil` y values are gaps (e.g. a timeout).
  struct Series {
    /// Legend name.
    var name: String
    /// Points in x order.
    var points: [(x: Double, y: Double?)]
  }

  /// Chart title.
  var title: String
  /// X-axis label, with unit.
  var xLabel: String
  /// Y-axis label, with unit.
  var yLabel: String
  /// The series, drawn in order with the palette's colours.
  var series: [Series] = []
  /// Category names of a bar chart (x positions 0, 1, 2… of the series' points).
  var categories: [String] = []
  /// Whether the y axis starts at zero (default true).
  var yFromZero = true
  /// A logarithmic y axis (base 10); overrides ``yFromZero``.
  var logY = false
  /// Canvas size.
  var width = 880.0
  var height = 500.0

  /// Colour-blind-safe palette (Okabe–Ito), distinct line dashes as a second cue.
  static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
  static let dashes = ["", "6,3", "2,3", "8,3,2,3", "10,4", "4,2,1,2", "1,2", ""]
  static let markers = ["circle", "square", "diamond", "triangle", "circle", "square", "diamond", "triangle"]

  private let left = 88.0, right = 240.0, top = 48.0, bottom = 62.0

  /// "Nice" tick values covering `[low, high]` (about `count` of them).
  static func ticks(_ low: Double, _ high: Double, count: Int = 6) -> [Double] {
    guard high > low, low.isFinite, high.isFinite else { return [low] }
    let rough = (high - low) / Double(max(count - 1, 1))
    let magnitude = pow(10, floor(log10(rough)))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
    var values: [Double] = []
    var v = (low / step).rounded(.down) * step
    while v <= high + step * 1e-9 {
      if v >= low - step * 1e-9 { values.append(abs(v) < step * 1e-9 ? 0 : v) }
      v += step
    }
    return values
  }

  /// A tick label: compact, without trailing zeros.
  static func label(_ v: Double) -> String {
    let a = abs(v)
    if a >= 1e6 { return trim(String(format: "%.2f", v / 1e6)) + "M" }
    if a >= 1e4 { return trim(String(format: "%.1f", v / 1e3)) + "k" }
    if a >= 100 || v == v.rounded() { return String(format: "%.0f", v) }
    if a >= 1 { return trim(String(format: "%.2f", v)) }
    return trim(String(format: "%.3f", v))
  }

  private static func trim(_ s: String) -> String {
    guard s.contains(".") else { return s }
    var t = s
    while t.hasSuffix("0") { t.removeLast() }
    if t.hasSuffix(".") { t.removeLast() }
    return t
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }

  private var plotWidth: Double { width - left - right }
  private var plotHeight: Double { height - top - bottom }

  private func yRange() -> (Double, Double) {
    let ys = series.flatMap { $0.points.compactMap(\.y) }.filter(\.isFinite)
    guard var low = ys.min(), var high = ys.max() else { return (0, 1) }
    if logY {
      low = max(low, 1e-9)
      return (pow(10, floor(log10(low))), pow(10, ceil(log10(max(high, low * 10)))))
    }
    if yFromZero { low = min(0, low) }
    if high == low { high = low + 1 }
    let pad = (high - low) * 0.05
    if !yFromZero { low -= pad }
    high += pad
    let t = Self.ticks(low, high)
    return (min(low, t.first ?? low), max(high, t.last ?? high))
  }

  private func yPos(_ y: Double, _ range: (Double, Double)) -> Double {
    if logY {
      let (a, b) = (log10(range.0), log10(range.1))
      return top + plotHeight * (1 - (log10(max(y, range.0)) - a) / (b - a))
    }
    return top + plotHeight * (1 - (y - range.0) / (range.1 - range.0))
  }

  private func frame(_ range: (Double, Double), xTicks: [(pos: Double, label: String)]) -> [String] {
    var s: [String] = []
    s.append(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\">")
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
    s.append(
      "<text x=\"\(left + plotWidth / 2)\" y=\"28\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\">"
        + Self.escape(title) + "</text>")
    // Y ticks and grid.
    let yTicks: [Double]
    if logY {
      let (a, b) = (Int(log10(range.0).rounded()), Int(log10(range.1).rounded()))
      yTicks = (a...max(a, b)).map { pow(10, Double($0)) }
    } else {
      yTicks = Self.ticks(range.0, range.1)
    }
    for t in yTicks {
      let y = yPos(t, range)
      s.append("<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotWidth)\" y2=\"\(y)\" stroke=\"#e3e3e3\"/>")
      s.append(
        "<text x=\"\(left - 8)\" y=\"\(y + 4)\" text-anchor=\"end\" font-size=\"12\">\(Self.label(t))</text>")
    }
    for t in xTicks {
      s.append(
        "<line x1=\"\(t.pos)\" y1=\"\(top + plotHeight)\" x2=\"\(t.pos)\" y2=\"\(top + plotHeight + 5)\" stroke=\"#333\"/>"
      )
      s.append(
        "<text x=\"\(t.pos)\" y=\"\(top + plotHeight + 20)\" text-anchor=\"middle\" font-size=\"12\">"
          + Self.escape(t.label) + "</text>")
    }
    s.append(
      "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#333\"/>"
    )
    s.append(
      "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 16)\" text-anchor=\"middle\" font-size=\"14\">"
        + Self.escape(xLabel) + "</text>")
    s.append(
      "<text transform=\"translate(22 \(top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\" font-size=\"14\">"
        + Self.escape(yLabel) + "</text>")
    return s
  }

  private func legend(bars: Bool) -> [String] {
    var s: [String] = []
    let x = left + plotWidth + 16
    for (k, serie) in series.enumerated() {
      let y = top + 10 + Double(k) * 22
      let colour = Self.palette[k % Self.palette.count]
      if bars {
        s.append("<rect x=\"\(x)\" y=\"\(y - 9)\" width=\"18\" height=\"12\" fill=\"\(colour)\"/>")
      } else {
        s.append(
          "<line x1=\"\(x)\" y1=\"\(y - 3)\" x2=\"\(x + 24)\" y2=\"\(y - 3)\" stroke=\"\(colour)\" stroke-width=\"2.5\" "
            + "stroke-dasharray=\"\(Self.dashes[k % Self.dashes.count])\"/>")
        s.append(marker(k, x + 12, y - 3, colour))
      }
      s.append("<text x=\"\(x + 30)\" y=\"\(y + 1)\" font-size=\"13\">\(Self.escape(serie.name))</text>")
    }
    return s
  }

  private func marker(_ k: Int, _ x: Double, _ y: Double, _ colour: String) -> String {
    let r = 4.0
    switch Self.markers[k % Self.markers.count] {
    case "square":
      return "<rect x=\"\(x - r)\" y=\"\(y - r)\" width=\"\(2 * r)\" height=\"\(2 * r)\" fill=\"\(colour)\"/>"
    case "diamond":
      return
        "<polygon points=\"\(x),\(y - r - 1) \(x + r + 1),\(y) \(x),\(y + r + 1) \(x - r - 1),\(y)\" fill=\"\(colour)\"/>"
    case "triangle":
      return "<polygon points=\"\(x),\(y - r - 1) \(x + r + 1),\(y + r) \(x - r - 1),\(y + r)\" fill=\"\(colour)\"/>"
    default:
      return "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"\(r)\" fill=\"\(colour)\"/>"
    }
  }

  /// A line chart over numeric x; gaps (`nil` y) break the line.
  func lineChart() -> String {
    let xs = series.flatMap { $0.points.map(\.x) }
    let xLow = xs.min() ?? 0, xHigh = max(xs.max() ?? 1, (xs.min() ?? 0) + 1e-12)
    func xPos(_ x: Double) -> Double { left + plotWidth * (x - xLow) / (xHigh - xLow) }
    let range = yRange()
    let distinctX = Array(Set(xs)).sorted()
    let xTicks: [(pos: Double, label: String)] =
      distinctX.count <= 12
      ? distinctX.map { (xPos($0), Self.label($0)) } : Self.ticks(xLow, xHigh).map { (xPos($0), Self.label($0)) }
    var s = frame(range, xTicks: xTicks)
    for (k, serie) in series.enumerated() {
      let colour = Self.palette[k % Self.palette.count]
      var segments: [[(Double, Double)]] = [[]]
      for p in serie.points {
        if let y = p.y, y.isFinite {
          segments[segments.count - 1].append((xPos(p.x), yPos(y, range)))
        } else if !(segments.last?.isEmpty ?? true) {
          segments.append([])
        }
      }
      for segment in segments where segment.count > 1 {
        let points = segment.map { "\($0.0),\($0.1)" }.joined(separator: " ")
        s.append(
          "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.5\" "
            + "stroke-dasharray=\"\(Self.dashes[k % Self.dashes.count])\"/>")
      }
      for segment in segments { for p in segment { s.append(marker(k, p.0, p.1, colour)) } }
    }
    s += legend(bars: false)
    s.append("</svg>")
    return s.joined(separator: "\n") + "\n"
  }

  /// A grouped bar chart: one group per category, one bar per series (`nil` y: no bar,
  /// marked "n/a").
  func barChart() -> String {
    let range = yRange()
    let groups = max(categories.count, 1)
    let groupWidth = plotWidth / Double(groups)
    let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
    let xTicks = categories.enumerated().map { (left + groupWidth * (Double($0.offset) + 0.5), $0.element) }
    var s = frame(range, xTicks: xTicks)
    for (k, serie) in series.enumerated() {
      let colour = Self.palette[k % Self.palette.count]
      for p in serie.points {
        let x = left + groupWidth * (p.x + 0.1) + barWidth * Double(k)
        guard let y = p.y, y.isFinite else {
          s.append(
            "<text x=\"\(x + barWidth / 2)\" y=\"\(top + plotHeight - 4)\" text-anchor=\"middle\" font-size=\"10\">n/a</text>"
          )
          continue
        }
        let y0 = yPos(logY ? range.0 : max(range.0, 0), range)
        let y1 = yPos(y, range)
        s.append(
          "<rect x=\"\(x)\" y=\"\(min(y0, y1))\" width=\"\(barWidth * 0.92)\" height=\"\(abs(y0 - y1))\" fill=\"\(colour)\">"
            + "<title>\(Self.escape(serie.name)): \(Self.label(y))</title></rect>")
      }
    }
    s += legend(bars: true)
    s.append("</svg>")
    return s.joined(separator: "\n") + "\n"
  }
}
