import ArgumentParser

/// `mis-bench`: benchmarks of the MIS planners. Every subcommand writes CSV (and some SVG)
/// under `Benchmarks/results/` and prints a table.
@main
struct MISBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mis-bench",
    abstract: "Benchmarks of the MIS layer-placement planners.",
    subcommands: [
      ReportBench.self, ExactBench.self, ApproxBench.self, ScaleBench.self, ExportMPS.self, ChildSolve.self,
      ChildScale.self,
    ],
    defaultSubcommand: ReportBench.self)
}
