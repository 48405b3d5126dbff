import ArgumentParser
import MISApprox
import MISModel
import MISSolver

/// `mis solve INSTANCE.json --method METHOD …`: plans an instance with one method and
/// writes or prints the `mis-plan/1` document with its `metrics` and `solver` blocks.
///
/// The document is reproducible: the same instance, method and seed give the same bytes.
/// Wall-clock figures (`seconds`, and the method's `…Seconds` details) therefore appear as
/// `null` unless `--timings` asks for them; the human summary always shows the time.
struct SolveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "solve",
    abstract: "Plan an instance with one method and report the plan.",
    discussion: """
      Methods: \(PlanningMethod.allCases.map(\.rawValue).joined(separator: ", ")). Exit 0 \
      when a plan was found (status optimal or feasible), 1 when the instance is \
      infeasible, the method's plan is infeasible, or no plan was found within the limits.
      """
  )

  @OptionGroup var input: InstanceArgument

  @Option(help: "The planning method.")
  var method: PlanningMethod

  @Option(name: .long, help: "Write the mis-plan/1 document to this file.", completion: .file(extensions: ["json"]))
  var output: String?

  @OptionGroup var json: JSONOption

  @Option(name: .long, help: ArgumentHelp("Time limit of the exact method, in seconds.", valueName: "seconds"))
  var timeLimit: Double?

  @Option(help: "Seed of the randomized methods (approx, layer-only, file-only). Default 0.")
  var seed: UInt64?

  @Option(help: ArgumentHelp("Relative MIP gap at which the exact method stops.", valueName: "rel"))
  var gap: Double?

  @Option(help: "Rounding trials of the randomized methods. Default 32.")
  var trials: Int?

  @Option(help: "Threads for rounding trials (never changes the plan). Default: all processors.")
  var threads: Int?

  @Flag(help: "Record wall-clock seconds in the document (it is then no longer byte-reproducible).")
  var timings = false

  func validate() throws {
    if let timeLimit, !(timeLimit.isFinite && timeLimit > 0) {
      throw ValidationError("--time-limit must be a positive number of seconds, got \(timeLimit)")
    }
    if let gap, !(gap.isFinite && gap >= 0) {
      throw ValidationError("--gap must be a finite number ≥ 0, got \(gap)")
    }
    if let trials, trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
  }

  func run() throws {
    let index = try input.load()
    var options = PlannerOptions()
    let randomized: Set<PlanningMethod> = [.approx, .layerOnly, .fileOnly]
    if let seed { options.seed = seed }
    if let trials { options.trials = trials }
    if let threads { options.parallelism = threads }
    options.timeLimitSeconds = timeLimit
    options.relativeGap = gap
    // Options a method does not use are reported, never silently dropped, but not refused:
    // scripts may pass the same options to every method.
    if !randomized.contains(method) {
      for (given, name) in [(seed != nil, "--seed"), (trials != nil, "--trials"), (threads != nil, "--threads")]
      where given {
        Console.error("note: \(name) has no effect with method \(method.rawValue)")
      }
    }
    if method != .exact {
      for (given, name) in [(timeLimit != nil, "--time-limit"), (gap != nil, "--gap")] where given {
        Console.error("note: \(name) has no effect with method \(method.rawValue)")
      }
    }

    let result: PlanningResult
    do {
      result = try Planner.solve(index, method: method, options: options)
    } catch {
      throw CommandFailure.solver(error, file: input.instance)
    }
    let document = Self.document(result, timings: timings)
    if let output {
      do {
        try writeBytes(document, to: output)
      } catch {
        throw CommandFailure.model(error, file: output)
      }
    }
    if json.json {
      Console.write(document)
    } else {
      for line in Report.solver(result.report) { Console.out(line) }
      if let plan = result.plan { Console.out("placements:             \(plan.placements.count)") }
      if let metrics = result.metrics { for line in Report.metrics(metrics) { Console.out(line) } }
      if let output { Console.out("wrote \(output)") }
    }
    switch result.status {
    case .optimal, .feasible:
      return
    case .infeasible:
      // exact and approx solve the full model (an infeasible LP relaxation proves the MIP
      // infeasible); the other methods restrict it, so only their plan is infeasible.
      let why =
        result.matrix == nil && (method == .exact || method == .approx)
        ? "the instance is infeasible" : "method \(method.rawValue) found no feasible plan"
      throw CommandFailure.infeasible("infeasible: \(why)")
    case .timeLimitNoSolution:
      throw CommandFailure.infeasible("no plan found within the limits")
    }
  }

  /// The `mis-plan/1` document of `result`; without `timings`, wall-clock figures of the
  /// solver block are `null` so that equal inputs give equal bytes.
  static func document(_ result: PlanningResult, timings: Bool) -> [UInt8] {
    let plan = result.plan ?? Plan(instance: result.index.instance.name)
    var value = PlanCodec.encodeValue(plan, metrics: result.metrics, solver: result.report)
    if !timings, case .object(var top) = value {
      for i in top.indices where top[i].key == "solver" {
        if case .object(var solver) = top[i].value {
          for j in solver.indices where solver[j].key == "seconds" || solver[j].key.hasSuffix("Seconds") {
            solver[j].value = .null
          }
          top[i].value = .object(solver)
        }
      }
      value = .object(top)
    }
    return JSONWriter(pretty: true).bytes(of: value)
  }
}
