import Foundation
import MISModel
import Testing

/// End-to-end tests: run the built `mis` binary as a subprocess and check exit statuses,
/// standard output and standard error against `Docs/cli.md`.
@Suite("mis command line")
struct MISCommandTests {
  static let methods = ["exact", "approx", "auto", "layer-only", "file-only", "popularity", "origin-only"]

  // MARK: validate

  @Test("validate accepts a valid instance")
  func validateGood() throws {
    let dir = try TemporaryDirectory()
    let run = try mis("validate", try dir.write("good.json", ReferenceExamples.threeRegistries))
    #expect(run.status == 0, "\(run)")
    #expect(run.stdout.contains("valid"))
    #expect(run.stdout.contains("three-registries"))
  }

  @Test(
    "validate rejects invalid instances, naming entity and field",
    arguments: [
      // (mutation of the reference document, substrings stderr must contain)
      ("\"capacityBytes\": 35000000", "\"capacityBytes\": -5", ["registries[0]", "edge-a", "capacityBytes"]),
      (
        "\"files\": [\"os/core\", \"os/libs\", \"os/20.04-extra\"]", "\"files\": [\"os/core\", \"nope\"]",
        ["layers[0]", "ubuntu-20.04", "files[1]", "nope"]
      ),
      (
        "\"bandwidthBytesPerSecond\": 50000000", "\"bandwidthBytesPerSecond\": 0",
        ["links[0]", "bandwidthBytesPerSecond"]
      ),
      ("\"format\": \"mis-instance/1\"", "\"format\": \"mis-instance/9\"", ["format", "mis-instance/9"]),
    ])
  func validateBad(original: String, replacement: String, expected: [String]) throws {
    let dir = try TemporaryDirectory()
    let text = String(decoding: InstanceCodec.encode(ReferenceExamples.threeRegistries), as: UTF8.self)
    #expect(text.contains(original), "fixture text changed: \(original)")
    let path = try dir.write("bad.json", text.replacingOccurrences(of: original, with: replacement))
    let run = try mis("validate", path)
    #expect(run.status == 2, "\(run)")
    for piece in expected { #expect(run.stderr.contains(piece), "stderr lacks \(piece): \(run.stderr)") }
    #expect(run.stdout.isEmpty)
  }

  @Test("validate reports every problem of an instance at once")
  func validateAllProblems() throws {
    let dir = try TemporaryDirectory()
    var instance = ReferenceExamples.threeRegistries
    instance.registries[1].capacityBytes = -1
    instance.demands[0].image = "ghost:1"
    let run = try mis("validate", try dir.write("bad.json", instance))
    #expect(run.status == 2, "\(run)")
    #expect(run.stderr.contains("registries[1]") && run.stderr.contains("capacityBytes"), "\(run.stderr)")
    #expect(run.stderr.contains("demands[0]") && run.stderr.contains("ghost:1"), "\(run.stderr)")
  }

  @Test("validate names the line and column of malformed JSON")
  func validateMalformed() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write("broken.json", "{\n  \"format\": \"mis-instance/1\",\n  \"nodes\": [ { \"id\": } ]\n}\n")
    let run = try mis("validate", path)
    #expect(run.status == 2, "\(run)")
    #expect(run.stderr.contains("line 3"), "\(run.stderr)")
    #expect(run.stderr.contains("column"), "\(run.stderr)")
  }

  @Test("validate: a missing file is invalid input")
  func validateMissingFile() throws {
    let run = try mis("validate", "/nonexistent/instance.json")
    #expect(run.status == 2, "\(run)")
    #expect(run.stderr.contains("/nonexistent/instance.json"))
  }

  @Test("validate: a valid instance with a pair that can never be served is infeasible")
  func validateInfeasible() throws {
    let dir = try TemporaryDirectory()
    var instance = noOriginInstance()
    instance.registries[0].capacityBytes = 10  // neither the layer (40) nor its file (30) fits
    let run = try mis("validate", try dir.write("infeasible.json", instance))
    #expect(run.status == 1, "\(run)")
    #expect(run.stderr.contains("\"far\"") && run.stderr.contains("\"L1\""), "\(run.stderr)")
  }

  // MARK: evaluate

  @Test("evaluate a feasible plan: exit 0, metrics recomputed")
  func evaluateFeasible() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    let plan = try dir.write(
      "p.json",
      """
      { "format": "mis-plan/1", "placements": [
        { "registry": "edge-a", "layer": "python-3.12", "granularity": "layer" },
        { "registry": "edge-c", "layer": "ubuntu-24.10", "granularity": "file" },
        { "registry": "edge-c", "layer": "ubuntu-24.04", "granularity": "file" } ] }
      """)
    let run = try mis("evaluate", instance, plan, "--json")
    #expect(run.status == 0, "\(run)")
    let metrics = try run.json()
    #expect(metrics["feasible"] == .bool(true))
    #expect(metrics["violations"] == nil)
    let registries = elements(metrics["registries"])
    #expect(registries.count == 3)
    // edge-c stores os/core, os/libs once and both extras: 12 + 6 + 1 + 1 MB.
    #expect(number(registries[2]["usedBytes"]) == 20_000_000)
    #expect(number(registries[2]["dedupSavedBytes"]) == 18_000_000)
    #expect(number(metrics["reconstructionSeconds"]).map { $0 > 0 } == true)

    let text = try mis("evaluate", instance, plan)
    #expect(text.status == 0)
    #expect(text.stdout.contains("total latency"))
  }

  @Test("evaluate an infeasible plan: exit 1, every violation reported, nothing fixed")
  func evaluateViolations() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    let plan = try dir.write(
      "p.json",
      """
      { "format": "mis-plan/1", "placements": [
        { "registry": "edge-b", "layer": "ubuntu-20.04", "granularity": "layer" },
        { "registry": "edge-b", "layer": "ubuntu-22.04", "granularity": "layer" },
        { "registry": "edge-a", "layer": "web-app", "granularity": "layer" },
        { "registry": "edge-a", "layer": "web-app", "granularity": "file" },
        { "registry": "edge-z", "layer": "api-app", "granularity": "layer" },
        { "registry": "edge-a", "layer": "sha256:missing", "granularity": "layer" } ] }
      """)
    let run = try mis("evaluate", instance, plan, "--json")
    #expect(run.status == 1, "\(run)")
    let metrics = try run.json()
    #expect(metrics["feasible"] == .bool(false))
    let kinds = elements(metrics["violations"]).compactMap { string($0["kind"]) }
    #expect(kinds.contains("overCapacity"))
    #expect(kinds.contains("duplicatePlacement"))
    #expect(kinds.contains("unknownRegistry"))
    #expect(kinds.contains("unknownLayer"))
    #expect(!run.stderr.isEmpty)

    let text = try mis("evaluate", instance, plan)
    #expect(text.status == 1)
    for piece in ["edge-b", "placements[3]", "edge-z", "sha256:missing", "overCapacity", "duplicatePlacement"] {
      #expect(text.stdout.contains(piece), "stdout lacks \(piece): \(text.stdout)")
    }
  }

  @Test("evaluate reports unserved pairs of nodes without an origin link")
  func evaluateUnserved() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", noOriginInstance())
    let plan = try dir.write("p.json", "{ \"format\": \"mis-plan/1\", \"placements\": [] }")
    let run = try mis("evaluate", instance, plan, "--json")
    #expect(run.status == 1, "\(run)")
    let violations = elements(try run.json()["violations"])
    #expect(violations.count == 1)
    #expect(string(violations.first?["kind"]) == "unservedDemand")
    #expect(string(violations.first?["node"]) == "far")
  }

  @Test("evaluate: a structurally invalid plan is invalid input naming the field")
  func evaluateBadPlan() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    let plan = try dir.write(
      "p.json",
      "{ \"format\": \"mis-plan/1\", \"placements\": [ { \"registry\": \"edge-a\", \"layer\": \"web-app\", \"granularity\": \"blob\" } ] }"
    )
    let run = try mis("evaluate", instance, plan)
    #expect(run.status == 2, "\(run)")
    #expect(run.stderr.contains("placements[0].granularity"), "\(run.stderr)")
  }

  // MARK: solve

  @Test("solve: every method on the reference example gives a plan that evaluate confirms", arguments: methods)
  func solveReference(method: String) throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    let run = try mis("solve", instance, "--method", method, "--json", "--seed", "1")
    #expect(run.status == 0, "\(run)")
    try checkPlanDocument(run, method: method, instance: instance, dir: dir)
  }

  @Test("solve: every method on tiny instances; status, exit code and evaluate agree", arguments: [1, 2, 3, 4])
  func solveTiny(seed: Int) throws {
    let dir = try TemporaryDirectory()
    let instance = dir.path("tiny.json")
    let generated = try mis("generate", "--kind", "tiny", "--seed", "\(seed)", "--output", instance)
    #expect(generated.status == 0, "\(generated)")
    var exact: Double? = nil
    for method in Self.methods {
      let run = try mis("solve", instance, "--method", method, "--json", "--seed", "2", "--time-limit", "60")
      #expect(run.status == 0 || run.status == 1, "\(run)")
      try checkPlanDocument(run, method: method, instance: instance, dir: dir)
      let solver = try run.json()["solver"]
      if method == "exact", string(solver?["status"]) == "optimal" { exact = number(solver?["objective"]) }
      if let exact, let objective = number(solver?["objective"]) {
        #expect(objective >= exact * (1 - 1e-6), "\(method) beats the exact optimum: \(objective) < \(exact)")
      }
    }
  }

  /// Checks a `solve --json` run: a valid mis-plan/1 document whose solver block matches the
  /// exit status and whose objective `evaluate` recomputes.
  func checkPlanDocument(_ run: Run, method: String, instance: String, dir: TemporaryDirectory) throws {
    let document = try run.json()
    #expect(string(document["format"]) == "mis-plan/1")
    let solver = try #require(document["solver"])
    #expect(string(solver["method"]) == method)
    let status = try #require(string(solver["status"]))
    #expect(["optimal", "feasible", "infeasible", "timeLimitNoSolution"].contains(status))
    for key in ["objective", "bound", "gap", "certifiedRatio", "seconds", "seed"] {
      #expect(solver[key] != nil, "solver block lacks \(key)")
    }
    #expect((run.status == 0) == (status == "optimal" || status == "feasible"), "\(run)")
    let planPath = try dir.write("plan-\(method).json", run.stdout)
    let evaluated = try mis("evaluate", instance, planPath, "--json")
    guard run.status == 0 else {
      #expect(number(solver["objective"]) == nil)
      return
    }
    #expect(evaluated.status == 0, "\(evaluated)")
    let metrics = try evaluated.json()
    let objective = try #require(number(solver["objective"]))
    let recomputed = try #require(number(metrics["totalLatencySeconds"]))
    #expect(agree(objective, recomputed), "\(method): solver \(objective), evaluate \(recomputed)")
    #expect(number(document["metrics"]?["totalLatencySeconds"]).map { agree($0, recomputed) } == true)
    if let bound = number(solver["bound"]) {
      #expect(bound <= objective * (1 + 1e-6) + 1e-9)
      #expect(number(solver["certifiedRatio"]).map { agree($0 * bound, objective) } ?? (bound == 0))
    }
  }

  @Test("solve --method approx --seed 5 twice writes byte-identical files")
  func solveReproducible() throws {
    let dir = try TemporaryDirectory()
    let instance = dir.path("paper.json")
    let generated = try mis(
      "generate", "--kind", "paper", "--seed", "1", "--registries", "2", "--nodes", "4", "--images", "8",
      "--connections", "2", "--capacity-fraction", "0.3", "--files-per-image-scale", "0.05", "--output", instance)
    #expect(generated.status == 0, "\(generated)")
    for (method, extra) in [("approx", ["--seed", "5"]), ("exact", []), ("popularity", [])] {
      let first = try mis(["solve", instance, "--method", method, "--output", dir.path("a.json")] + extra)
      let second = try mis(
        ["solve", instance, "--method", method, "--output", dir.path("b.json"), "--threads", "1"] + extra)
      #expect(first.status == 0 && second.status == 0, "\(first)\n\(second)")
      #expect(try dir.bytes("a.json") == dir.bytes("b.json"), "\(method) output differs between runs")
      #expect(!first.stdout.isEmpty)  // human summary on stdout when --json is not given
    }
    // --json prints exactly the document --output writes.
    let seeded = try mis(
      "solve", instance, "--method", "approx", "--seed", "5", "--json", "--output", dir.path("c.json"))
    #expect(seeded.status == 0, "\(seeded)")
    #expect(seeded.stdoutBytes == (try dir.bytes("c.json")))
    #expect(number(try seeded.json()["solver"]?["seed"]) == 5)
  }

  @Test("solve: options a method does not use are noted on stderr, --timings records seconds")
  func solveNotesAndTimings() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    let run = try mis("solve", instance, "--method", "popularity", "--seed", "3", "--json", "--timings")
    #expect(run.status == 0, "\(run)")
    #expect(run.stderr.contains("--seed"))
    #expect(number(try run.json()["solver"]?["seconds"]) != nil)
    let plain = try mis("solve", instance, "--method", "popularity", "--json")
    #expect(try plain.json()["solver"]?["seconds"] == .null)
    #expect(plain.stderr.isEmpty)
  }

  @Test("solve: an infeasible instance exits 1 with a message")
  func solveInfeasible() throws {
    let dir = try TemporaryDirectory()
    var instance = noOriginInstance()
    instance.registries[0].capacityBytes = 10
    let path = try dir.write("i.json", instance)
    let run = try mis("solve", path, "--method", "exact", "--output", dir.path("p.json"))
    #expect(run.status == 1, "\(run)")
    #expect(run.stderr.contains("infeasible"))
    let written = try dir.bytes("p.json")
    var reader = JSONReader(bytes: written)
    #expect(string(try reader.parseDocument()["solver"]?["status"]) == "infeasible")
  }

  // MARK: generate

  @Test("generate twice with the same seed gives identical instances")
  func generateReproducible() throws {
    let dir = try TemporaryDirectory()
    for kind in [
      ["--kind", "tiny"],
      [
        "--kind", "paper", "--registries", "4", "--nodes", "6", "--images", "20", "--connections", "2",
        "--capacity-fraction", "0.25", "--files-per-image-scale", "0.05",
      ],
    ] {
      let a = try mis(["generate", "--seed", "11", "--output", dir.path("a.json")] + kind)
      let b = try mis(["generate", "--seed", "11", "--output", dir.path("b.json")] + kind)
      #expect(a.status == 0 && b.status == 0, "\(a)\n\(b)")
      #expect(try dir.bytes("a.json") == dir.bytes("b.json"))
      let stdout = try mis(["generate", "--seed", "11"] + kind)
      #expect(stdout.stdoutBytes == (try dir.bytes("a.json")))
      let other = try mis(["generate", "--seed", "12"] + kind)
      #expect(other.stdoutBytes != stdout.stdoutBytes)
      #expect(try mis("validate", dir.path("a.json")).status == 0)
    }
  }

  @Test("generate --no-origin gives an instance without origin links")
  func generateNoOrigin() throws {
    let run = try mis("generate", "--kind", "tiny", "--seed", "2", "--no-origin")
    #expect(run.status == 0, "\(run)")
    #expect(try run.json()["origin"] == nil)
  }

  // MARK: export

  @Test(
    "export mps, re-solved by glpsol --freemps, gives the exact optimum",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/glpsol")),
    arguments: ["reference", "tiny-1", "tiny-3"])
  func exportMatchesExact(which: String) throws {
    let dir = try TemporaryDirectory()
    let instance: String
    if which == "reference" {
      instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    } else {
      instance = dir.path("i.json")
      let seed = String(which.dropFirst("tiny-".count))
      #expect(try mis("generate", "--kind", "tiny", "--seed", seed, "--output", instance).status == 0)
    }
    let solved = try mis("solve", instance, "--method", "exact", "--json")
    try #require(solved.status == 0, "\(solved)")
    let optimum = try #require(number(try solved.json()["solver"]?["objective"]))

    let exported = try mis("export", instance, "--format", "mps", "--output", dir.path("model.mps"))
    #expect(exported.status == 0, "\(exported)")
    let report = dir.path("glpsol.txt")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/glpsol")
    process.arguments = ["--freemps", dir.path("model.mps"), "-o", report]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let text = try String(contentsOfFile: report, encoding: .utf8)
    #expect(text.contains("INTEGER OPTIMAL") || text.contains("INTEGER EMPTY"), "\(text.prefix(400))")
    // "Objective:  obj = 124.7 (MINimum)"
    let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("Objective:") })
    let value = try #require(line.split(separator: " ").compactMap { Double($0) }.first)
    #expect(agree(value, optimum), "glpsol \(value), mis solve \(optimum)")

    let lp = try mis("export", instance, "--format", "lp", "--output", dir.path("model.lp"))
    #expect(lp.status == 0, "\(lp)")
    #expect(FileManager.default.fileExists(atPath: dir.path("model.lp")))
  }

  @Test("export: a bad format is a usage error")
  func exportBadFormat() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    let run = try mis("export", instance, "--format", "xls", "--output", dir.path("m"))
    #expect(run.status == 2, "\(run)")
  }

  // MARK: usage

  @Test(
    "usage errors exit 2 (not ArgumentParser's 64) with a message on stderr",
    arguments: [
      [],
      ["frobnicate"],
      ["solve"],
      ["solve", "x.json"],
      ["solve", "x.json", "--method", "simulated-annealing"],
      ["solve", "x.json", "--method", "approx", "--trials", "0"],
      ["solve", "x.json", "--method", "exact", "--time-limit", "-1"],
      ["generate"],
      ["generate", "--kind", "tiny", "--registries", "2", "--connections", "3"],
      ["generate", "--kind", "huge"],
      ["evaluate", "only-one.json"],
      ["validate", "--bogus-flag", "x.json"],
    ])
  func usageErrors(arguments: [String]) throws {
    let run = try mis(arguments)
    #expect(run.status == 2, "\(arguments): \(run)")
    #expect(!run.stderr.isEmpty)
    #expect(run.stdout.isEmpty)
  }

  @Test("--help exits 0 and lists every subcommand")
  func help() throws {
    let run = try mis("--help")
    #expect(run.status == 0, "\(run)")
    for sub in ["validate", "evaluate", "solve", "generate", "export", "demo"] {
      #expect(run.stdout.contains(sub))
    }
  }

  // MARK: demo

  @Test("demo needs nothing, exits 0 and prints every method")
  func demo() throws {
    let run = try mis("demo")
    #expect(run.status == 0, "\(run)")
    for method in Self.methods { #expect(run.stdout.contains(method), "demo lacks \(method)") }
    for column in ["status", "termination", "total latency", "vs optimum", "reconstruction", "used storage", "seconds"]
    {
      #expect(run.stdout.contains(column))
    }
    #expect(run.stdout.contains("three-registries"))
  }
}
