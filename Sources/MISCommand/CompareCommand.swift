import ArgumentParser
import MISApprox
import MISModel
import MISSolver

/// `mis compare INSTANCE.json [--time-limit S] [--json]`: every method on the user's
/// instance, as the comparison table of `mis demo`.
///
/// Each method runs under `--time-limit` (default: 10 s for `exact` and `auto`, none for
/// the others, which end on their own); a method stopped by the limit shows its best plan
/// with termination `timeLimit`. `--json` prints a JSON array with one `solver` block per
/// method (in the order of the table). Exit 0 when every method ran (whatever it found),
/// 2 for invalid input.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Run every method on an instance and print a comparison table.",
    discussion: """
      Methods: \(PlanningMethod.allCases.map(\.rawValue).joined(separator: ", ")). Each runs \
      under --time-limit (default \(Report.number(CompareCommand.defaultExactSeconds)) s for \
      exact and auto). Columns as in `mis demo`.
      """
  )

  /// The exact methods' limit when `--time-limit` is not given.
  static let defaultExactSeconds = 10.0

  @OptionGroup var input: InstanceArgument

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("Time limit of each method, in seconds (≥ 0).", valueName: "seconds"))
  var timeLimit: Double?

  @Option(parsing: .unconditional, help: "Seed of the randomized methods. Default 0.")
  var seed: UInt64?

  @OptionGroup var json: JSONOption

  func run() throws {
    var options = PlannerOptions()
    if let seed { options.seed = seed }
    options.timeLimitSeconds = timeLimit
    do {
      try options.validate()
    } catch {
      throw CommandFailure.solver(error, file: input.instance)
    }
    let index = try input.load()
    var results: [PlanningResult] = []
    for method in PlanningMethod.allCases {
      var own = options
      if timeLimit == nil, method == .exact || method == .auto { own.timeLimitSeconds = Self.defaultExactSeconds }
      let watch = Stopwatch()
      do {
        results.append(try Planner.solve(index, method: method, options: own))
      } catch .tooLarge(let reason) {
        // A method that cannot run on a model this size is a row of the comparison, not
        // the end of it: no plan, completed, and why (`notRun`).
        let report = SolverReport(
          method: method.rawValue, status: .timeLimitNoSolution, termination: .completed, objective: nil,
          bound: nil, seconds: watch.seconds, details: [("notRun", .string("model too large: \(reason)"))])
        results.append(PlanningResult(index: index, matrix: nil, metrics: nil, report: report))
      } catch {
        throw CommandFailure.solver(error, file: input.instance)
      }
    }
    if json.json {
      let blocks = JSONValue.array(results.map { PlanCodec.encodeSolver($0.report) })
      Console.write(JSONWriter(pretty: true).bytes(of: blocks))
      return
    }
    Console.out(
      "\(index.instance.name ?? input.instance): \(index.registryCount) registries, \(index.nodeCount) nodes, "
        + "\(index.layerCount) layers, \(index.fileCount) files, \(Report.number(index.totalPulls)) pulls")
    for line in ComparisonTable.lines(results) { Console.out(line) }
    for result in results {
      if case .string(let why)? = result.report.detail("notRun") {
        Console.out("\(result.report.method): not run, \(why)")
      }
    }
  }
}
