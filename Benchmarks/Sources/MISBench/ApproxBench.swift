import ArgumentParser
import Foundation
import MISModel
import MISSolver

/// `mis-bench approx`: the approximate planner against the exact one on paper instances,
/// and alone on a large fleet, with its time breakdown.
struct ApproxBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "approx", abstract: "Approx vs exact (ratio, certified ratio, speed-up) and the large instance.")

  @Option(help: "Sizes RxNxI, comma-separated.") var sizes = "2x4x5,3x6x10,4x8x20,5x10x50"
  @Option(help: "Seeds, comma-separated.") var seeds = "1,2"
  @Option(help: "Exact time limit per solve, seconds.") var timeLimit = 30.0
  @Option(help: "The large instance RxNxI.") var largeSize = "20x50x2000"
  @Option(help: "Wall-clock limit of the large approx run, seconds.") var largeLimit = 240.0
  @Flag(help: "Also run the large instance with the interior-point LP.") var largeInterior = false
  @Flag(help: "Skip the large instance.") var skipLarge = false
  @Flag(help: "Only the large instance (keeps approx-vs-exact.csv as it is).") var largeOnly = false
  @Option(help: "Results directory.") var results = ResultsDirectory.defaultPath

  func run() throws {
    if !largeOnly {
      try runComparison()
    }
    if !skipLarge {
      try runLarge()
    }
  }

  func runComparison() throws {
    let table = ApproxBench.compare(
      sizes: try parseList(sizes, InstanceSize.init(argument:)), seeds: try parseList(seeds) { UInt64($0) },
      timeLimit: timeLimit)
    try ResultsDirectory.write(table.csv, name: "approx-vs-exact.csv", in: results)
    say("\nApprox vs exact (exact limit \(Format.seconds(timeLimit)) s)\n" + table.text)
  }

  func runLarge() throws {
    guard let size = InstanceSize(argument: largeSize) else { throw ValidationError("bad --large-size") }
    var large = ApproxBench.large(size: size, limit: largeLimit, interior: false)
    if largeInterior {
      large.rows += ApproxBench.large(size: size, limit: largeLimit, interior: true).rows
    }
    try ResultsDirectory.write(large.csv, name: "approx-large.csv", in: results)
    say("\nApprox on the large instance \(size) (limit \(Format.seconds(largeLimit)) s)\n" + large.text)
  }

  /// Exact and approx on every size × seed.
  static func compare(sizes: [InstanceSize], seeds: [UInt64], timeLimit: Double) -> Table {
    var table = Table([
      "size", "seed", "exact_status", "exact_s", "exact_objective", "exact_bound", "approx_objective", "approx/exact",
      "certified_ratio", "approx_s", "lp_s", "speedup",
    ])
    for size in sizes {
      for seed in seeds {
        let spec = InstanceSpec(size: size, seed: seed)
        note("approx vs exact \(spec)…")
        let exact = solveInChild(spec, method: "exact", limitSeconds: timeLimit)
        let approx = solveInChild(spec, method: "approx", limitSeconds: max(timeLimit, 120))
        let ratio = exact.status == "optimal" ? approx.objective.flatMap { a in exact.objective.map { a / $0 } } : nil
        table.append([
          "\(size)", "\(seed)", exact.shortStatus, Format.seconds(exact.seconds), Format.fixed(exact.objective, 2),
          Format.fixed(exact.bound, 2), Format.fixed(approx.objective, 2), Format.ratio(ratio),
          Format.ratio(approx.certifiedRatio), Format.seconds(approx.seconds),
          Format.seconds(approx.raw.double("lpSeconds")),
          exact.status == "optimal" ? Format.fixed(exact.seconds / max(approx.seconds, 1e-6), 1) : "-",
        ])
        say(
          "  \(spec): exact \(exact.shortStatus) \(Format.seconds(exact.seconds)) s, approx \(Format.seconds(approx.seconds)) s, "
            + "certified \(Format.ratio(approx.certifiedRatio))")
      }
    }
    return table
  }

  /// The approx planner on one large instance: model size and the time breakdown.
  static func large(size: InstanceSize, limit: Double, interior: Bool) -> Table {
    var table = Table([
      "size", "lp_method", "layers", "files", "rows", "cols", "nnz", "status", "objective", "certified_ratio",
      "build_s", "lp_s", "rounding_s", "repair_s", "total_s", "peak_rss_mib", "parent_rss_after_build_mib",
    ])
    let spec = InstanceSpec(size: size, seed: 1)
    // The model size, measured here so that it is known even if the solve is cut off.
    let watch = Stopwatch()
    let instance = InstanceGenerator.generate(spec.options)
    guard let index = try? ProblemIndex(instance) else { return table }
    let generated = watch.seconds
    let build = Stopwatch()
    let model = Formulation(index).size
    let buildSeconds = build.seconds
    let parentRSS = Memory.peakResidentBytes
    note(
      "large \(size): generated in \(Format.seconds(generated)) s, model \(model) built in \(Format.seconds(buildSeconds)) s"
    )
    // The hard cap is the limit itself here (no exact-solver grace).
    let f = SolveFigures(
      method: "approx",
      outcome: Child.run(
        ["child-solve", "--method", "approx"] + spec.arguments + (interior ? ["--interior"] : []), limitSeconds: limit))
    let a = f.raw
    table.append([
      "\(size)", interior ? "interior" : "simplex", "\(index.layerCount)", "\(index.fileCount)", "\(model.rows)",
      "\(model.columns)", "\(model.nonzeros)", f.killed ? "killed after \(Format.seconds(f.seconds)) s" : f.status,
      Format.fixed(f.objective, 2), Format.ratio(f.certifiedRatio),
      Format.seconds(a.double("buildSeconds") ?? buildSeconds),
      f.killed ? ">\(Format.seconds(f.seconds - buildSeconds))" : Format.seconds(a.double("lpSeconds")),
      Format.seconds(a.double("roundingSeconds")), Format.seconds(a.double("repairSeconds")),
      Format.seconds(a.double("totalSeconds") ?? (f.killed ? f.seconds : nil)), Format.mib(a.double("peakRSSBytes")),
      Format.mib(parentRSS),
    ])
    return table
  }
}
