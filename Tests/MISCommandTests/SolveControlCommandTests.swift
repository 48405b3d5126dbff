import Foundation
import MISModel
import Testing

/// `mis solve` limits, terminations, start plans, signals, and `mis compare`.
@Suite("mis solve: limits, terminations, signals; mis compare")
struct SolveControlCommandTests {
  /// The solver block of a `--json` run.
  func solver(_ run: Run) throws -> JSONValue {
    try #require(try run.json()["solver"])
  }

  @Test("termination per method; restricted methods report no full-model bound")
  func terminations() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    let expected = [
      "exact": "optimal", "auto": "optimal", "layer-only": "completed", "file-only": "completed",
      "popularity": "completed", "origin-only": "completed",
    ]
    for (method, termination) in expected.sorted(by: { $0.key < $1.key }) {
      let run = try mis("solve", instance, "--method", method, "--json")
      #expect(run.status == 0, "\(run)")
      let block = try solver(run)
      #expect(string(block["termination"]) == termination, "\(method): \(run.stdout)")
      if method == "layer-only" || method == "file-only" {
        #expect(block["bound"] == .null, "\(method)")
        #expect(number(block["restrictedBound"]) != nil, "\(method)")
        #expect(string(block["status"]) == "feasible")
      }
    }
    let approx = try solver(try mis("solve", instance, "--method", "approx", "--json"))
    #expect(["completed", "optimal"].contains(string(approx["termination"]) ?? ""))
  }

  @Test("negative limits are usage errors quoting the value; tiny limits give a plan")
  func limits() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    for value in ["-5", "-0.25", "nan"] {
      let run = try mis("solve", instance, "--method", "exact", "--time-limit", value)
      #expect(run.status == 2, "\(run)")
      #expect(run.stderr.contains("got \(value)"), "\(run.stderr)")
      #expect(!run.stderr.contains("Missing value"))
    }
    for (option, value) in [("--threads", "0"), ("--trials", "0")] {
      let run = try mis("solve", instance, "--method", "approx", option, value)
      #expect(run.status == 2 && run.stderr.contains("got 0"), "\(run)")
    }
    for method in ["exact", "approx", "auto", "popularity"] {
      let run = try mis("solve", instance, "--method", method, "--time-limit", "0.001", "--json")
      #expect(run.status == 0, "\(method): \(run)")
      let block = try solver(run)
      #expect(number(block["objective"]) != nil, "\(method)")
      #expect(["timeLimit", "completed", "optimal"].contains(string(block["termination"]) ?? ""), "\(run.stdout)")
      #expect(!run.stderr.contains("has no effect"), "\(run.stderr)")
    }
  }

  @Test("a limit that elapses without any feasible plan available: exit 1, termination timeLimit")
  func limitWithoutPlan() throws {
    let dir = try TemporaryDirectory()
    // A node without an origin link: the origin-only fallback is infeasible.
    let instance = try dir.write("i.json", noOriginInstance())
    let run = try mis("solve", instance, "--method", "exact", "--time-limit", "0", "--json")
    #expect(run.status == 1, "\(run)")
    let block = try solver(run)
    #expect(string(block["status"]) == "timeLimitNoSolution" && string(block["termination"]) == "timeLimit")
    #expect(run.stderr.contains("no plan"), "\(run.stderr)")
    // Without a limit the same instance is solved.
    #expect(try mis("solve", instance, "--method", "exact").status == 0)
  }

  @Test("--start: used, ignored with a note when infeasible, exit 2 for unknown ids")
  func startPlans() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    let popular = try mis("solve", instance, "--method", "popularity", "--output", dir.path("p.json"))
    #expect(popular.status == 0, "\(popular)")
    let started = try mis(
      "solve", instance, "--method", "exact", "--start", dir.path("p.json"), "--no-warm-start", "--json")
    #expect(started.status == 0, "\(started)")
    let block = try solver(started)
    #expect(string(block["start"]) == "used", "\(started.stdout)")
    #expect(string(block["termination"]) == "optimal")

    let layers = ReferenceExamples.threeRegistries.layers.map {
      #"{"registry": "edge-b", "layer": "\#($0.id)", "granularity": "layer"}"#
    }
    let tooBig = try dir.write(
      "big.json", #"{"format": "mis-plan/1", "placements": ["# + layers.joined(separator: ", ") + "]}")
    let ignored = try mis("solve", instance, "--method", "exact", "--start", tooBig, "--json")
    #expect(ignored.status == 0, "\(ignored)")
    #expect(ignored.stderr.contains("infeasible") && ignored.stderr.contains("ignored"), "\(ignored.stderr)")

    let ghost = try dir.write(
      "ghost.json",
      #"{"format": "mis-plan/1", "placements": [{"registry": "ghost", "layer": "x", "granularity": "file"}]}"#)
    let bad = try mis("solve", instance, "--method", "exact", "--start", ghost)
    #expect(bad.status == 2, "\(bad)")
    #expect(bad.stderr.contains("ghost") && bad.stderr.contains("placements[0]"), "\(bad.stderr)")
  }

  @Test("auto proves a tiny instance exactly and says why")
  func autoOnTiny() throws {
    let dir = try TemporaryDirectory()
    let instance = dir.path("tiny.json")
    #expect(try mis("generate", "--kind", "tiny", "--seed", "3", "--output", instance).status == 0)
    let run = try mis("solve", instance, "--method", "auto", "--json")
    #expect(run.status == 0, "\(run)")
    let block = try solver(run)
    #expect(string(block["method"]) == "auto")
    #expect(string(block["status"]) == "optimal" && string(block["termination"]) == "optimal")
    // Exact proves it, or approx already did (its plan meets its bound): either way the
    // report says which and why.
    let choice = string(block["autoChoice"])
    let reason = string(block["autoReason"]) ?? ""
    #expect(choice == "exact" || choice == "approx", "\(run.stdout)")
    if choice == "exact" { #expect(reason.contains("small") && reason.contains("proved"), "\(reason)") }
    if choice == "approx" { #expect(reason.contains("proven optimal"), "\(reason)") }
    let exact = try solver(try mis("solve", instance, "--method", "exact", "--json"))
    #expect(agree(try #require(number(block["objective"])), try #require(number(exact["objective"]))))
  }

  @Test("compare: the demo's table for the user's instance, or one solver block per method")
  func compare() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    let table = try mis("compare", instance, "--time-limit", "20")
    #expect(table.status == 0, "\(table)")
    let lines = table.stdout.split(separator: "\n")
    for method in ["exact", "approx", "auto", "layer-only", "file-only", "popularity", "origin-only"] {
      #expect(lines.contains { $0.hasPrefix(method + " ") }, "no row for \(method): \(table.stdout)")
    }
    #expect(table.stdout.contains("termination") && table.stdout.contains("vs optimum"))
    let json = try mis("compare", instance, "--json")
    #expect(json.status == 0, "\(json)")
    let blocks = elements(try json.json())
    #expect(
      blocks.map { string($0["method"]) ?? "" } == [
        "exact", "approx", "auto", "layer-only", "file-only", "popularity", "origin-only",
      ])
    #expect(blocks.allSatisfy { string($0["termination"]) != nil && $0["bound"] != nil })
    #expect(try mis("compare", instance, "--time-limit", "-1").status == 2)
  }

  @Test(
    "SIGINT or SIGTERM stops a slow exact solve: plan written, termination interrupted, exit 0",
    arguments: [SIGINT, SIGTERM])
  func signalStops(signal: Int32) throws {
    let dir = try TemporaryDirectory()
    let instance = dir.path("slow.json")
    let generated = try mis(
      "generate", "--kind", "paper", "--seed", "3", "--registries", "5", "--nodes", "10", "--images", "10",
      "--capacity-fraction", "0.1", "--files-per-image-scale", "0.05", "--output", instance)
    #expect(generated.status == 0, "\(generated)")
    // The empty plan as the start (every node has an origin link): GLPK's root LP then runs
    // in time slices that see the stop.
    let empty = try dir.write("empty.json", #"{"format": "mis-plan/1", "placements": []}"#)
    let process = Process()
    process.executableURL = try misExecutable()
    process.arguments = [
      "solve", instance, "--method", "exact", "--start", empty, "--progress", "--output", dir.path("plan.json"),
    ]
    let err = dir.path("stderr")
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
    process.standardError = errHandle
    process.standardOutput = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let pid = process.processIdentifier
    let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
    Thread.sleep(forTimeInterval: 2)
    let signalled = ContinuousClock.now
    kill(pid, signal)
    process.waitUntilExit()
    let latency = ContinuousClock.now - signalled
    watchdog.cancel()
    try errHandle.close()
    let stderr = try String(contentsOfFile: err, encoding: .utf8)
    #expect(process.terminationReason == .exit, "killed by a signal; stderr: \(stderr)")
    #expect(process.terminationStatus == 0, "stderr: \(stderr)")
    #expect(latency < .seconds(5), "stopped \(latency) after signal \(signal)")
    #expect(stderr.contains("progress:"), "\(stderr)")
    var reader = JSONReader(bytes: try dir.bytes("plan.json"))
    let document = try reader.parseDocument()
    #expect(string(document["solver"]?["termination"]) == "interrupted", "\(document)")
    #expect(document["metrics"]?["feasible"] == .bool(true))
  }
}
