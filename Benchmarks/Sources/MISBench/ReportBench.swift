import ArgumentParser
import Foundation
import MISModel

/// `mis-bench report` (the default): reproduces the research's evaluation on seeded paper
/// instances — latency vs capacity and vs connection number for every method,
/// reconstruction time and storage per method, exact vs approx, and the latency reduction
/// of MIS against each baseline — as CSV, SVG and `Docs/benchmarks.md`.
struct ReportBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report", abstract: "The research's figures as CSV + SVG, and Docs/benchmarks.md.")

  @Flag(help: "Small instances, one seed, short limits (about a minute).") var quick = false
  @Flag(help: "Only rewrite Docs/benchmarks.md from the CSV files of the last report run (no solving).")
  var docsOnly = false
  @Option(help: "Base instance RxNxI (default 4x8x20; quick 3x6x10).") var size: String?
  @Option(help: "Seeds, comma-separated (default 1,2; quick 1).") var seeds: String?
  @Option(help: "Exact time limit per solve, seconds (default 10; quick 3).") var exactLimit: Double?
  @Option(help: "Results directory.") var results = ResultsDirectory.defaultPath
  @Option(help: "Docs directory (benchmarks.md and benchmarks/*.svg).")
  var docs = (ResultsDirectory.repositoryRoot as NSString).appendingPathComponent("Docs")

  /// Every method, in plotting order.
  static let methods = ["approx", "exact", "layer-only", "file-only", "popularity", "origin-only"]
  static let label = [
    "approx": "MIS-approx", "exact": "MIS-exact (if optimal)", "layer-only": "layer-only",
    "file-only": "file-only", "popularity": "popularity", "origin-only": "origin-only",
  ]

  func run() throws {
    if docsOnly {
      try rewriteDocs()
      return
    }
    let started = Date()
    let clock = Stopwatch()
    guard let base = InstanceSize(argument: size ?? (quick ? "3x6x10" : "4x8x20")) else {
      throw ValidationError("bad --size")
    }
    let seedList = try parseList(seeds ?? (quick ? "1" : "1,2")) { UInt64($0) }
    let limit = exactLimit ?? (quick ? 3 : 10)
    let fractions = quick ? [0.05, 0.15, 0.3, 0.6] : [0.05, 0.1, 0.2, 0.3, 0.5, 0.8]
    let connections = Array(1...base.registries)
    let svgDirectory = (docs as NSString).appendingPathComponent("benchmarks")

    // (a) latency vs capacity; (c) per-method figures at the default capacity 0.3.
    var capacityRuns: [(Double, UInt64, [String: SolveFigures])] = []
    for fraction in fractions {
      for seed in seedList {
        let spec = InstanceSpec(size: base, seed: seed, capacityFraction: fraction)
        capacityRuns.append((fraction, seed, runAll(spec, limit: limit)))
      }
    }
    // (b) latency vs connection number.
    var connectionRuns: [(Double, UInt64, [String: SolveFigures])] = []
    for c in connections {
      for seed in seedList {
        let spec = InstanceSpec(size: base, seed: seed, connections: c)
        connectionRuns.append((Double(c), seed, runAll(spec, limit: limit)))
      }
    }
    let capacityTable = sweepTable("capacity_fraction", capacityRuns)
    let connectionTable = sweepTable("connections", connectionRuns)
    try ResultsDirectory.write(capacityTable.csv, name: "report-latency-vs-capacity.csv", in: results)
    try ResultsDirectory.write(connectionTable.csv, name: "report-latency-vs-connections.csv", in: results)
    try ResultsDirectory.write(
      sweepChart(
        capacityRuns, title: "Total pulling latency vs storage capacity (\(base), mean of \(seedList.count) seed(s))",
        xLabel: "registry capacity (fraction of the demanded layers' bytes)"
      ).lineChart(), name: "latency-vs-capacity.svg", in: svgDirectory)
    try ResultsDirectory.write(
      sweepChart(
        connectionRuns, title: "Total pulling latency vs connection number (\(base), capacity 0.3)",
        xLabel: "connection number (registries linked per node)"
      ).lineChart(), name: "latency-vs-connections.svg", in: svgDirectory)

    // (c) reconstruction and storage per method at the default setting (capacity 0.3).
    let defaultRuns = capacityRuns.filter { $0.0 == 0.3 }.map(\.2)
    let methodTable = perMethodTable(defaultRuns)
    try ResultsDirectory.write(methodTable.csv, name: "report-per-method.csv", in: results)
    try ResultsDirectory.write(
      perMethodChart(
        defaultRuns, key: "reconstructionSeconds", scale: 1,
        title: "Total reconstruction time per method (\(base), capacity 0.3)", yLabel: "reconstruction time (s)"
      ).barChart(), name: "reconstruction-per-method.svg", in: svgDirectory)
    try ResultsDirectory.write(
      storageChart(defaultRuns, title: "Storage per method (\(base), capacity 0.3)").barChart(),
      name: "storage-per-method.svg", in: svgDirectory)

    // (d) exact vs approx across sizes.
    let sizes =
      quick ? [InstanceSize(2, 4, 5), InstanceSize(3, 6, 10)] : [InstanceSize(2, 4, 5), InstanceSize(3, 6, 10), base]
    let comparison = ApproxBench.compare(
      sizes: Array(Set(sizes)).sorted { $0.images < $1.images }, seeds: seedList, timeLimit: limit)
    try ResultsDirectory.write(comparison.csv, name: "report-exact-vs-approx.csv", in: results)
    try ResultsDirectory.write(
      exactApproxChart(comparison).lineChart(), name: "exact-vs-approx-seconds.svg", in: svgDirectory)

    // (e) latency reduction of MIS-approx against each baseline.
    let reduction = reductionTable(capacityRuns + connectionRuns, defaultRuns: defaultRuns)
    try ResultsDirectory.write(reduction.csv, name: "report-reduction.csv", in: results)
    try ResultsDirectory.write(
      reductionChart(reduction).barChart(), name: "reduction-vs-baselines.svg", in: svgDirectory)

    say("\n(a) Total pulling latency (s) vs capacity fraction, mean over seeds\n" + capacityTable.text)
    say("\n(b) Total pulling latency (s) vs connection number\n" + connectionTable.text)
    say("\n(c) Per method at capacity 0.3\n" + methodTable.text)
    say("\n(d) Exact vs approx\n" + comparison.text)
    say("\n(e) Latency reduction of MIS-approx\n" + reduction.text)

    let command =
      "swift run -c release --package-path Benchmarks mis-bench report" + (quick ? " --quick" : "")
      + (size.map { " --size \($0)" } ?? "") + (seeds.map { " --seeds \($0)" } ?? "")
      + (exactLimit.map { " --exact-limit \(Format.fixed($0, 0))" } ?? "")
    let markdown = Markdown.document(
      started: started, seconds: clock.seconds, command: command, base: base, seeds: seedList, limit: limit,
      tables: (capacityTable, connectionTable, methodTable, comparison, reduction), results: results,
      docsOnly: false)
    try ResultsDirectory.write(markdown, name: "benchmarks.md", in: docs)
    note("report done in \(Format.seconds(clock.seconds)) s")
  }

  /// Rewrites `Docs/benchmarks.md` from `report-*.csv` (e.g. after `exact`, `approx`, `scale`
  /// or the HiGHS comparison wrote new results), keeping the figures of the last full run.
  func rewriteDocs() throws {
    func load(_ name: String) throws -> Table {
      let path = (results as NSString).appendingPathComponent(name)
      let text = try String(contentsOfFile: path, encoding: .utf8)
      let lines = text.split(separator: "\n").map { Markdown.parseCSVLine(String($0)) }
      var table = Table(lines.first ?? [])
      for row in lines.dropFirst() { table.append(row) }
      return table
    }
    let previous =
      (try? String(contentsOfFile: (docs as NSString).appendingPathComponent("benchmarks.md"), encoding: .utf8)) ?? ""
    // The command and settings of the last full run are kept from the page itself.
    let command =
      previous.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      .first { $0.hasPrefix("swift run") && $0.contains("mis-bench report") && !$0.contains("--docs-only") }
      ?? "swift run -c release --package-path Benchmarks mis-bench report"
    guard let base = InstanceSize(argument: size ?? (command.contains("--quick") ? "3x6x10" : "4x8x20")) else {
      throw ValidationError("bad --size")
    }
    let tables = (
      try load("report-latency-vs-capacity.csv"), try load("report-latency-vs-connections.csv"),
      try load("report-per-method.csv"), try load("report-exact-vs-approx.csv"), try load("report-reduction.csv")
    )
    // The report tables were measured on the machine of the last full run, not this one.
    let machine = previous.split(separator: "\n").first { $0.hasPrefix("* Machine: ") }
      .map { String($0.dropFirst("* Machine: ".count)) }
    let markdown = Markdown.document(
      started: Date(), seconds: 0, command: command, base: base,
      seeds: try parseList(seeds ?? (command.contains("--quick") ? "1" : "1,2")) { UInt64($0) },
      limit: exactLimit ?? (command.contains("--quick") ? 3 : 10), tables: tables, results: results,
      docsOnly: true, machine: machine)
    try ResultsDirectory.write(markdown, name: "benchmarks.md", in: docs)
  }

  /// Runs every method on one instance (each in its own child process).
  func runAll(_ spec: InstanceSpec, limit: Double) -> [String: SolveFigures] {
    var figures: [String: SolveFigures] = [:]
    for method in Self.methods {
      note("report \(spec) \(method)…")
      figures[method] = solveInChild(spec, method: method, limitSeconds: method == "exact" ? limit : max(limit, 120))
    }
    return figures
  }

  /// The objective plotted for a method: exact only where proven optimal.
  static func plotted(_ f: SolveFigures?) -> Double? {
    guard let f else { return nil }
    if f.method == "exact" && f.status != "optimal" { return nil }
    return f.objective
  }

  /// Mean objective per (x, method) over seeds; a method's mean is `nil` unless every seed has a value.
  func means(_ runs: [(Double, UInt64, [String: SolveFigures])]) -> [(x: Double, values: [String: Double?])] {
    let xs = Array(Set(runs.map(\.0))).sorted()
    return xs.map { x in
      let group = runs.filter { $0.0 == x }.map(\.2)
      var values: [String: Double?] = [:]
      for method in Self.methods {
        let v = group.map { Self.plotted($0[method]) }
        values[method] = v.contains { $0 == nil } ? nil : Stats.mean(v.compactMap { $0 })
      }
      return (x, values)
    }
  }

  func sweepTable(_ xName: String, _ runs: [(Double, UInt64, [String: SolveFigures])]) -> Table {
    var table = Table([xName] + Self.methods + ["exact_solved", "approx_certified_ratio"])
    let xs = Array(Set(runs.map(\.0))).sorted()
    for (x, values) in means(runs) {
      let group = runs.filter { $0.0 == x }.map(\.2)
      let solved = group.filter { $0["exact"]?.status == "optimal" }.count
      let certified = Stats.mean(group.compactMap { $0["approx"]?.certifiedRatio })
      table.append(
        [SVGChart.label(x)] + Self.methods.map { Format.fixed(values[$0] ?? nil, 1) }
          + ["\(solved)/\(group.count)", Format.ratio(certified)])
    }
    _ = xs
    return table
  }

  func sweepChart(_ runs: [(Double, UInt64, [String: SolveFigures])], title: String, xLabel: String) -> SVGChart {
    var chart = SVGChart(title: title, xLabel: xLabel, yLabel: "total pulling latency (s)")
    let rows = means(runs)
    for method in Self.methods {
      chart.series.append(
        .init(name: Self.label[method] ?? method, points: rows.map { ($0.x, $0.values[method] ?? nil) }))
    }
    return chart
  }

  func perMethodTable(_ runs: [[String: SolveFigures]]) -> Table {
    var table = Table([
      "method", "status", "latency_s", "mean_pull_s", "reconstruction_s", "origin_share_pct", "used_gib",
      "capacity_gib", "utilisation_pct", "dedup_saved_gib", "layer_level", "file_level", "seconds",
    ])
    for method in Self.methods {
      let f = runs.compactMap { $0[method] }
      func mean(_ key: String) -> Double? { Stats.mean(f.compactMap { $0.raw.double(key) }) }
      let used = mean("usedBytes"), capacity = mean("capacityBytes")
      table.append([
        method, f.map(\.shortStatus).joined(separator: "/"), Format.fixed(Stats.mean(f.compactMap(\.objective)), 1),
        Format.fixed(mean("meanImagePullSeconds"), 3), Format.fixed(mean("reconstructionSeconds"), 1),
        Format.percent(mean("originShare")), Format.fixed(used.map { $0 / 1_073_741_824 }, 2),
        Format.fixed(capacity.map { $0 / 1_073_741_824 }, 2),
        Format.percent(used.flatMap { u in capacity.map { $0 > 0 ? u / $0 : 0 } }),
        Format.fixed(mean("dedupSavedBytes").map { $0 / 1_073_741_824 }, 3),
        Format.fixed(mean("layerLevelPlacements"), 1),
        Format.fixed(mean("fileLevelPlacements"), 1), Format.seconds(Stats.mean(f.map(\.seconds))),
      ])
    }
    return table
  }

  func perMethodChart(_ runs: [[String: SolveFigures]], key: String, scale: Double, title: String, yLabel: String)
    -> SVGChart
  {
    var chart = SVGChart(title: title, xLabel: "method", yLabel: yLabel)
    chart.categories = ["mean over seeds"]
    for method in Self.methods {
      let values = runs.compactMap { $0[method] }.filter {
        $0.method != "exact" || $0.status == "optimal" || $0.objective != nil
      }
      .compactMap { $0.raw.double(key) }
      chart.series.append(
        .init(name: Self.label[method] ?? method, points: [(0, Stats.mean(values).map { $0 * scale })]))
    }
    return chart
  }

  func storageChart(_ runs: [[String: SolveFigures]], title: String) -> SVGChart {
    var chart = SVGChart(title: title, xLabel: "", yLabel: "GiB (summed over registries)")
    chart.categories = ["used storage", "dedup savings (file level)", "capacity"]
    for method in Self.methods where method != "origin-only" {
      let f = runs.compactMap { $0[method] }
      func mean(_ key: String) -> Double? { Stats.mean(f.compactMap { $0.raw.double(key) }).map { $0 / 1_073_741_824 } }
      chart.series.append(
        .init(
          name: Self.label[method] ?? method,
          points: [(0, mean("usedBytes")), (1, mean("dedupSavedBytes")), (2, mean("capacityBytes"))]))
    }
    return chart
  }

  func exactApproxChart(_ table: Table) -> SVGChart {
    var chart = SVGChart(
      title: "Solve time: exact (GLPK branch-and-cut) vs approx", xLabel: "layers in the instance",
      yLabel: "seconds (log scale; exact capped at its limit)")
    chart.logY = true
    // Columns: size, seed, exact_status, exact_s, …, approx_s at 9.
    var exact: [(Double, Double?)] = []
    var approx: [(Double, Double?)] = []
    for row in table.rows {
      guard let size = InstanceSize(argument: row[0]) else { continue }
      let x = Double(size.images)
      exact.append((x, Double(row[3])))
      approx.append((x, Double(row[9])))
    }
    func medians(_ points: [(Double, Double?)]) -> [(x: Double, y: Double?)] {
      Array(Set(points.map(\.0))).sorted().map { x in (x, Stats.median(points.filter { $0.0 == x }.compactMap(\.1))) }
    }
    chart.xLabel = "images in the instance (sizes of the table)"
    chart.series = [
      .init(name: "exact (median)", points: medians(exact)), .init(name: "approx (median)", points: medians(approx)),
    ]
    return chart
  }

  /// Research figures: latency reduction of MIS against its three comparison strategies.
  static let research: [(baseline: String, reported: Double, note: String)] = [
    ("layer-only", 28.67, "analogue of a layer-level-only placement strategy"),
    ("file-only", 21.69, "analogue of a file-level (dedup) placement strategy"),
    ("popularity", 28.94, "analogue of a popularity-driven caching strategy"),
  ]

  func reductionTable(_ runs: [(Double, UInt64, [String: SolveFigures])], defaultRuns: [[String: SolveFigures]])
    -> Table
  {
    var table = Table([
      "baseline", "mean_reduction_pct_all_points", "min_pct", "max_pct", "reduction_pct_at_capacity_0.3",
      "research_reported_pct", "mapping",
    ])
    func reductions(_ group: [[String: SolveFigures]], _ baseline: String) -> [Double] {
      group.compactMap { r in
        guard let a = r["approx"]?.objective, let b = r[baseline]?.objective, b > 0 else { return nil }
        return (b - a) / b * 100
      }
    }
    let everything = runs.map(\.2)
    for (baseline, reported, mapping) in Self.research + [("origin-only", Double.nan, "no edge storage (reference)")] {
      let all = reductions(everything, baseline)
      let atDefault = reductions(defaultRuns, baseline)
      table.append([
        baseline, Format.fixed(Stats.mean(all), 2), Format.fixed(all.min(), 2), Format.fixed(all.max(), 2),
        Format.fixed(Stats.mean(atDefault), 2), reported.isNaN ? "-" : Format.fixed(reported, 2), mapping,
      ])
    }
    return table
  }

  func reductionChart(_ table: Table) -> SVGChart {
    var chart = SVGChart(
      title: "Latency reduction of MIS-approx vs each baseline", xLabel: "baseline",
      yLabel: "latency reduction (%)")
    chart.categories = table.rows.map { $0[0] }
    chart.series = [
      .init(
        name: "measured (mean, all points)",
        points: table.rows.enumerated().map { (Double($0.offset), Double($0.element[1])) }),
      .init(
        name: "measured (capacity 0.3)",
        points: table.rows.enumerated().map { (Double($0.offset), Double($0.element[4])) }),
      .init(
        name: "research reported", points: table.rows.enumerated().map { (Double($0.offset), Double($0.element[5])) }),
    ]
    return chart
  }
}
