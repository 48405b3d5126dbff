import ArgumentParser
import Foundation
import MISModel

/// `mis-bench exact`: the exact solver on growing paper instances, a reduction ablation and
/// the warm start.
struct ExactBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exact",
    abstract: "Exact solver: seconds to optimality vs size, reduction ablation, warm start.")

  @Option(help: "Sizes RxNxI (registries x nodes x images), comma-separated.")
  var sizes = "2x4x5,3x6x10,4x8x20,5x10x50"
  @Option(help: "Seeds, comma-separated.") var seeds = "1,2"
  @Option(help: "Time limit per exact solve, seconds.") var timeLimit = 30.0
  @Option(help: "Instance of the ablation and warm-start runs (RxNxI).") var ablationSize = "2x4x5"
  @Option(help: "Seeds of the ablation, comma-separated.") var ablationSeeds = "1,2,3"
  @Flag(help: "Skip the ablation.") var skipAblation = false
  @Option(help: "Results directory.") var results = ResultsDirectory.defaultPath

  func run() throws {
    let sizeList = try parseList(sizes, InstanceSize.init(argument:))
    let seedList = try parseList(seeds) { UInt64($0) }
    let all = ExactBench.sweep(sizes: sizeList, seeds: seedList, timeLimit: timeLimit)
    try ResultsDirectory.write(all.runs.csv, name: "exact-runs.csv", in: results)
    try ResultsDirectory.write(all.summary.csv, name: "exact-summary.csv", in: results)
    say("\nExact solver (time limit \(Format.seconds(timeLimit)) s per solve)\n" + all.summary.text)
    if !skipAblation {
      guard let size = InstanceSize(argument: ablationSize) else { throw ValidationError("bad --ablation-size") }
      let ablation = ExactBench.ablation(
        size: size, seeds: try parseList(ablationSeeds) { UInt64($0) }, timeLimit: timeLimit)
      try ResultsDirectory.write(ablation.csv, name: "exact-ablation.csv", in: results)
      say("\nReductions and warm start (\(size), time limit \(Format.seconds(timeLimit)) s)\n" + ablation.text)
    }
  }

  /// Runs the exact solver over sizes × seeds; returns per-run and per-size tables.
  static func sweep(sizes: [InstanceSize], seeds: [UInt64], timeLimit: Double) -> (runs: Table, summary: Table) {
    var runs = Table([
      "size", "seed", "layers", "files", "status", "seconds", "nodes", "objective", "bound", "gap_pct",
      "rows_unreduced", "cols_unreduced", "nnz_unreduced", "rows", "cols", "binaries", "nnz", "peak_rss_mib",
    ])
    var summary = Table([
      "size", "layers", "files", "solved", "median_s", "max_s", "median_nodes", "median_gap_pct",
      "rows×cols unreduced", "rows×cols reduced", "binaries", "nnz reduced",
    ])
    for size in sizes {
      var times: [Double] = []
      var nodes: [Double] = []
      var gaps: [Double] = []
      var solved = 0
      var last: [String: Any] = [:]
      for seed in seeds {
        let spec = InstanceSpec(size: size, seed: seed)
        note("exact \(spec)…")
        let f = solveInChild(spec, method: "exact", limitSeconds: timeLimit)
        let a = f.raw
        if !a.isEmpty { last = a }
        let gap = f.objective.flatMap { o in f.bound.map { b in o > 0 ? (o - b) / o * 100 : 0 } }
        if f.status == "optimal" { solved += 1 }
        times.append(f.status == "optimal" ? f.seconds : .infinity)
        if let n = a.double("nodes") { nodes.append(n) }
        if let gap { gaps.append(gap) }
        runs.append([
          "\(size)", "\(seed)", Format.fixed(a.double("layers"), 0), Format.fixed(a.double("files"), 0), f.shortStatus,
          Format.seconds(f.seconds), Format.fixed(a.double("nodes"), 0), Format.fixed(f.objective, 2),
          Format.fixed(f.bound, 2), Format.fixed(gap, 3), Format.fixed(a.double("unreducedRows"), 0),
          Format.fixed(a.double("unreducedColumns"), 0), Format.fixed(a.double("unreducedNonzeros"), 0),
          Format.fixed(a.double("rows"), 0), Format.fixed(a.double("columns"), 0),
          Format.fixed(a.double("binaries"), 0),
          Format.fixed(a.double("nonzeros"), 0), Format.mib(a.double("peakRSSBytes")),
        ])
        say("  \(spec): \(f.shortStatus) in \(Format.seconds(f.seconds)) s, gap \(Format.fixed(gap, 3)) %")
      }
      let median = Stats.median(times)
      summary.append([
        "\(size)", Format.fixed(last.double("layers"), 0), Format.fixed(last.double("files"), 0),
        "\(solved)/\(seeds.count)", median.map { $0.isFinite ? Format.seconds($0) : "timeout" } ?? "-",
        times.max().map { $0.isFinite ? Format.seconds($0) : "timeout" } ?? "-",
        Format.fixed(Stats.median(nodes), 0), Format.fixed(Stats.median(gaps), 3),
        "\(Format.fixed(last.double("unreducedRows"), 0))×\(Format.fixed(last.double("unreducedColumns"), 0))",
        "\(Format.fixed(last.double("rows"), 0))×\(Format.fixed(last.double("columns"), 0))",
        Format.fixed(last.double("binaries"), 0), Format.fixed(last.double("nonzeros"), 0),
      ])
    }
    return (runs, summary)
  }

  /// Every reduction on, each one off, none; and all reductions with the approximate plan
  /// as the start incumbent.
  static func ablation(size: InstanceSize, seeds: [UInt64], timeLimit: Double) -> Table {
    var table = Table([
      "variant", "seed", "status", "seconds", "nodes", "rows", "cols", "binaries", "nnz", "objective", "gap_pct",
      "vs_all_objective", "warm_start_s", "start_plan",
    ])
    for seed in seeds {
      let spec = InstanceSpec(size: size, seed: seed)
      var reference: Double?
      var variants: [(String, [String])] = ReductionVariant.allCases.map {
        ($0.rawValue, ["--reductions", $0.rawValue])
      }
      variants.append(("all+warm-start", ["--warm-start"]))
      for (name, extra) in variants {
        note("ablation \(spec) \(name)…")
        let f = solveInChild(spec, method: "exact", limitSeconds: timeLimit, extra: extra)
        let a = f.raw
        if name == "all" { reference = f.objective }
        let gap = f.objective.flatMap { o in f.bound.map { b in o > 0 ? (o - b) / o * 100 : 0 } }
        table.append([
          name, "\(seed)", f.shortStatus, Format.seconds(f.seconds), Format.fixed(a.double("nodes"), 0),
          Format.fixed(a.double("rows"), 0), Format.fixed(a.double("columns"), 0),
          Format.fixed(a.double("binaries"), 0),
          Format.fixed(a.double("nonzeros"), 0), Format.fixed(f.objective, 2), Format.fixed(gap, 3),
          Format.ratio(f.objective.flatMap { o in reference.map { o / $0 } }),
          Format.seconds(a.double("warmStartSeconds")),
          a.string("startPlan") ?? "",
        ])
        say("  \(spec) \(name): \(f.shortStatus) in \(Format.seconds(f.seconds)) s")
      }
    }
    return table
  }
}
