import ArgumentParser
import Dispatch
import Foundation
import MISApprox
import MISModel
import MISSolver

/// `mis solve INSTANCE.json --method METHOD …`: plans an instance with one method and
/// writes or prints the `mis-plan/1` document with its `metrics` and `solver` blocks.
///
/// The document is reproducible: the same instance, method and seed give the same bytes
/// (unless a time limit or a signal cut the solve short). Wall-clock figures (`seconds`,
/// and the method's `…Seconds` details) therefore appear as `null` unless `--timings` asks
/// for them; the human summary always shows the time.
///
/// Limits and signals: `--time-limit` counts from the start of the command (reading the
/// instance included) and applies to every method. SIGINT or SIGTERM stops the solve as a
/// cancellation: the best plan so far is written with `termination: "interrupted"`. If the
/// method has not returned 1.5 s after the signal (GLPK's presolved root LP sees a stop only when it
/// ends), the tool writes the start plan or the origin-only plan instead, when feasible.
/// A second signal ends the process at once (exit 130). Exit 0 when a plan was written, 1
/// otherwise.
struct SolveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "solve",
    abstract: "Plan an instance with one method and report the plan.",
    discussion: """
      Methods: \(PlanningMethod.allCases.map(\.rawValue).joined(separator: ", ")). Exit 0 \
      when a plan was found (status optimal or feasible), 1 when the instance is \
      infeasible, the method's plan is infeasible, or no plan was found within the limits. \
      --time-limit applies to every method; at the limit (or on SIGINT/SIGTERM) the best \
      plan so far is written, with termination timeLimit (interrupted).
      """
  )

  @OptionGroup var input: InstanceArgument

  @Option(help: "The planning method.")
  var method: PlanningMethod

  @Option(name: .long, help: "Write the mis-plan/1 document to this file.", completion: .file(extensions: ["json"]))
  var output: String?

  @OptionGroup var json: JSONOption

  // `.unconditional`: `--time-limit -5` reads "-5" as the value (then refused, quoted),
  // not as an unknown option.
  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("Time limit of every method, in seconds (≥ 0).", valueName: "seconds"))
  var timeLimit: Double?

  @Option(
    parsing: .unconditional,
    help: "Seed of the randomized methods (approx, auto, exact's warm start, layer-only, file-only). Default 0.")
  var seed: UInt64?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Relative MIP gap at which the exact method stops.", valueName: "rel"))
  var gap: Double?

  @Option(parsing: .unconditional, help: "Rounding trials of the randomized methods. Default 32.")
  var trials: Int?

  @Option(
    parsing: .unconditional, help: "Threads for rounding trials (never changes the plan). Default: all processors.")
  var threads: Int?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "A mis-plan/1 plan to start from (ignored with a note when infeasible).", valueName: "plan.json"),
    completion: .file(extensions: ["json"]))
  var start: String?

  @Flag(
    name: .customLong("warm-start"), inversion: .prefixedNo,
    help: "Start the exact method from the approximate plan (default) or not (--no-warm-start).")
  var warmStart = true

  @Flag(help: "Print progress (elapsed, best objective, bound, gap) on standard error about once a second.")
  var progress = false

  @Flag(help: "Record wall-clock seconds in the document (it is then no longer byte-reproducible).")
  var timings = false

  /// The methods that use the seed, trials and threads.
  static let randomized: Set<PlanningMethod> = [.approx, .auto, .exact, .layerOnly, .fileOnly]
  /// The methods that use the MIP gap.
  static let gapped: Set<PlanningMethod> = [.exact, .auto]

  func run() throws {
    let commandStart = ContinuousClock.now
    var options = PlannerOptions()
    if let seed { options.seed = seed }
    if let trials { options.trials = trials }
    if let threads { options.parallelism = threads }
    options.timeLimitSeconds = timeLimit
    options.relativeGap = gap
    options.warmStart = warmStart
    // The library's validation, before any file is read: the same messages as the API.
    do {
      try options.validate()
    } catch {
      throw CommandFailure.solver(error, file: input.instance)
    }
    // The limit counts from the start of the command.
    if let timeLimit { options.control.deadline = SolveControl.instant(after: timeLimit, from: commandStart) }
    options.timeLimitSeconds = nil

    // Options a method does not use are reported, never silently dropped, but not refused:
    // scripts may pass the same options to every method.
    if !Self.randomized.contains(method) {
      for (given, name) in [(seed != nil, "--seed"), (trials != nil, "--trials"), (threads != nil, "--threads")]
      where given {
        Console.error("note: \(name) has no effect with method \(method.rawValue)")
      }
    }
    if !Self.gapped.contains(method), gap != nil {
      Console.error("note: --gap has no effect with method \(method.rawValue)")
    }
    if method != .exact, !warmStart {
      Console.error("note: --no-warm-start has no effect with method \(method.rawValue)")
    }

    let index = try input.load()
    if let start {
      options.startPlan = try Self.loadStart(start, index: index, method: method)
    }

    let result = try Self.solveInterruptibly(
      index, method: method, options: options, progress: progress, file: input.instance)
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
      // exact, approx and auto solve the full model (an infeasible LP relaxation proves the
      // MIP infeasible); the other methods restrict it, so only their plan is infeasible.
      let why =
        result.matrix == nil && [.exact, .approx, .auto].contains(method)
        ? "the instance is infeasible" : "method \(method.rawValue) found no feasible plan"
      throw CommandFailure.infeasible("infeasible: \(why)")
    case .timeLimitNoSolution:
      let why =
        result.termination == .interrupted ? "interrupted before a plan was found" : "no plan found within the limits"
      throw CommandFailure.infeasible(why)
    }
  }

  /// Reads `--start`: a malformed plan or unknown ids are invalid input (exit 2); an
  /// infeasible plan is ignored with a note.
  static func loadStart(_ path: String, index: ProblemIndex, method: PlanningMethod) throws(CommandFailure) -> Plan? {
    let plan = try loadPlan(path)
    do {
      _ = try index.matrix(from: plan)
    } catch {
      throw .model(error, file: path)
    }
    let metrics = index.evaluate(plan)
    guard metrics.feasible else {
      let why = metrics.violations.first.map { "\($0)" } ?? "it is infeasible"
      Console.error("note: --start \(path) is infeasible and is ignored (\(why))")
      return nil
    }
    if method == .popularity || method == .originOnly {
      Console.error("note: --start has no effect with method \(method.rawValue)")
      return nil
    }
    return plan
  }

  /// Runs the solve on a thread of its own while this thread waits for it, for SIGINT and
  /// SIGTERM (which set the stop flag), and prints progress with `progress`.
  static func solveInterruptibly(
    _ index: ProblemIndex, method: PlanningMethod, options: PlannerOptions, progress: Bool, file: String
  ) throws(CommandFailure) -> PlanningResult {
    var options = options
    let stop = StopFlag()
    let signalled = Box<ContinuousClock.Instant?>(nil)
    options.control.shouldStop = { stop.isSet }
    let latest = Box<SolveProgress?>(nil)
    let watch = Stopwatch()
    if progress {
      options.control.progress = { p in latest.value = p }
    }

    // Signals: ignored by the default handler, delivered to a dispatch source instead.
    var sources: [any DispatchSourceSignal] = []
    for sig in [SIGINT, SIGTERM] {
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      source.setEventHandler {
        if signalled.value != nil {
          // A second signal: stop now.
          Console.error("mis: second signal, exiting")
          Foundation.exit(130)
        }
        signalled.value = ContinuousClock.now
        stop.set()
        Console.error("mis: \(sig == SIGINT ? "SIGINT" : "SIGTERM") received, stopping with the best plan so far")
      }
      source.resume()
      sources.append(source)
    }
    defer { for source in sources { source.cancel() } }

    let outcome = Box<Result<PlanningResult, SolverError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let frozen = options
    let thread = Thread {
      outcome.value = Result { () throws(SolverError) -> PlanningResult in
        try Planner.solve(index, method: method, options: frozen)
      }
      done.signal()
    }
    thread.stackSize = 16 << 20
    thread.start()

    var lastPrint = 0.0
    while true {
      if done.wait(timeout: .now() + 0.2) == .success { break }
      if progress, watch.seconds - lastPrint >= 1 {
        lastPrint = watch.seconds
        Console.error(Self.progressLine(latest.value, elapsed: watch.seconds))
      }
      if let at = signalled.value, ContinuousClock.now - at > .milliseconds(1500) {
        // The method has not reached a stop check in time: answer without it.
        Console.error("mis: the method did not stop in time; writing the best plan available without it")
        var answer = Planner.fallback(index, method: method, options: options, why: .interrupted)
        answer.report.seconds = watch.seconds
        return answer
      }
    }
    guard let result = outcome.value else {
      throw CommandFailure(code: ExitStatus.internalFailure, "internal error: the solve ended without a result")
    }
    switch result {
    case .success(let r): return r
    case .failure(let error): throw .solver(error, file: file)
    }
  }

  /// One progress line: elapsed seconds, best objective, bound, gap, phase.
  static func progressLine(_ p: SolveProgress?, elapsed: Double) -> String {
    var line = "progress: \(Report.number(elapsed, digits: 1)) s"
    line += ", best \(Report.number(p?.bestObjective, digits: 4))"
    line += ", bound \(Report.number(p?.bestBound, digits: 4))"
    line += ", gap \(p?.gap.map(Report.percent) ?? "—")"
    if let phase = p?.phase { line += ", \(phase)" }
    return line
  }

  /// The `mis-plan/1` document of `result`; without `timings`, wall-clock figures of the
  /// solver block are `null` so that equal inputs give equal bytes.
  static func document(_ result: PlanningResult, timings: Bool) -> [UInt8] {
    JSONWriter(pretty: true).bytes(of: Self.documentValue(result, timings: timings))
  }

  /// The document as a JSON value (see ``document(_:timings:)``).
  static func documentValue(_ result: PlanningResult, timings: Bool) -> JSONValue {
    let plan = result.plan ?? Plan(instance: result.index.instance.name)
    var value = PlanCodec.encodeValue(plan, metrics: result.metrics, solver: result.report)
    if !timings, case .object(var top) = value {
      for i in top.indices where top[i].key == "solver" {
        top[i].value = Self.withoutTimings(top[i].value)
      }
      value = .object(top)
    }
    return value
  }

  /// A solver block with `seconds` and every `…Seconds` detail set to `null`.
  static func withoutTimings(_ solver: JSONValue) -> JSONValue {
    guard case .object(var pairs) = solver else { return solver }
    for j in pairs.indices where pairs[j].key == "seconds" || pairs[j].key.hasSuffix("Seconds") {
      pairs[j].value = .null
    }
    return .object(pairs)
  }
}

/// A value shared between the solving thread, signal handlers and the waiting thread.
final class Box<Value: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Value

  init(_ value: Value) { stored = value }

  var value: Value {
    get {
      lock.lock()
      defer { lock.unlock() }
      return stored
    }
    set {
      lock.lock()
      stored = newValue
      lock.unlock()
    }
  }
}
