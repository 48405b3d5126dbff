import Foundation
import MISModel
import Testing

/// `mis validate [--strict]` and the warnings every command prints when it loads an instance
/// or a plan: on standard error, prefixed `warning:`, never on standard output.
@Suite("mis warnings and validate --strict")
struct ValidateWarningsTests {
  /// The reference document with `old` replaced by `new`.
  func reference(_ old: String, _ new: String) -> String {
    let text = String(decoding: InstanceCodec.encode(ReferenceExamples.threeRegistries), as: UTF8.self)
    precondition(text.contains(old), "fixture text changed: \(old)")
    return text.replacingOccurrences(of: old, with: new)
  }

  @Test("validate: a misspelled key is a warning with the key meant; --strict makes it exit 2")
  func misspelledKey() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write("i.json", reference("\"demands\":", "\"demand\":"))
    let run = try mis("validate", path)
    #expect(run.status == 0, "\(run)")
    #expect(run.stderr.contains("warning: \(path): demand: unknown key \"demand\" ignored; did you mean \"demands\"?"))
    #expect(run.stderr.contains("warning: \(path): demands: the instance has no demand"), "\(run.stderr)")
    #expect(!run.stdout.contains("warning:"))
    #expect(run.stdout.contains("2 warnings on standard error"))

    let strict = try mis("validate", path, "--strict")
    #expect(strict.status == 2, "\(strict)")
    #expect(strict.stderr.contains("error: \(path)"))
    #expect(strict.stderr.contains("demand: unknown key \"demand\" ignored; did you mean \"demands\"?"))
    #expect(strict.stderr.contains("demands: the instance has no demand"))
    #expect(strict.stdout.isEmpty)
  }

  @Test(
    "validate: nested misspellings name their path",
    arguments: [
      ("\"secondsPerLayer\": 0.21", "\"secondsPerlayer\": 0.21", "reconstruction.secondsPerlayer", "secondsPerLayer"),
      ("\"origin\":", "\"origins\":", "origins", "origin"),
      ("\"pulls\": 12", "\"pull\": 1, \"pulls\": 12", "demands[7].pull", "pulls"),
    ])
  func nestedMisspellings(old: String, new: String, path: String, meant: String) throws {
    let dir = try TemporaryDirectory()
    let file = try dir.write("i.json", reference(old, new))
    let run = try mis("validate", file)
    #expect(run.status == 0 || run.status == 1, "\(run)")  // without the origin, the example may be infeasible
    #expect(run.stderr.contains("warning: \(file): \(path): "), "\(run.stderr)")
    #expect(run.stderr.contains("did you mean \"\(meant)\"?"), "\(run.stderr)")
    #expect(try mis("validate", file, "--strict").status == 2)
  }

  @Test("validate --strict accepts an instance without warnings")
  func strictClean() throws {
    let dir = try TemporaryDirectory()
    let run = try mis("validate", try dir.write("i.json", ReferenceExamples.threeRegistries), "--strict")
    #expect(run.status == 0, "\(run)")
    #expect(run.stderr.isEmpty, "\(run.stderr)")
  }

  @Test("validate: structural warnings (unlinked registry, isolated node, unpulled image)")
  func structural() throws {
    var instance = ReferenceExamples.threeRegistries
    instance.registries.append(Registry(id: "spare", capacityBytes: 1))
    instance.nodes.append(Node(id: "island"))
    instance.images.append(Image(id: "nobody:1", layers: ["web-app"]))
    let dir = try TemporaryDirectory()
    let path = try dir.write("i.json", instance)
    let run = try mis("validate", path)
    #expect(run.status == 0, "\(run)")
    for fragment in [
      #"registries[3] (registry "spare")"#, #"nodes[3] (node "island")"#, #"images[4] (image "nobody:1")"#,
    ] {
      #expect(run.stderr.contains("warning: \(path): \(fragment)"), "\(fragment): \(run.stderr)")
    }
    let strict = try mis("validate", path, "--strict")
    #expect(strict.status == 2)
    #expect(strict.stderr.contains("3 problems"), "\(strict.stderr)")
  }

  @Test("solve --json: warnings on stderr, the document alone on stdout")
  func solveWarnsOnStderr() throws {
    let dir = try TemporaryDirectory()
    let path = try dir.write("i.json", reference("\"name\":", "\"nmae\": 1, \"name\":"))
    let run = try mis("solve", path, "--method", "popularity", "--json")
    #expect(run.status == 0, "\(run)")
    #expect(run.stderr.contains("warning: \(path): nmae: unknown key \"nmae\" ignored; did you mean \"name\"?"))
    #expect(string(try run.json()["format"]) == "mis-plan/1")  // stdout parses: nothing else there
  }

  @Test("evaluate warns about unknown keys of the plan")
  func evaluatePlanWarnings() throws {
    let dir = try TemporaryDirectory()
    let instance = try dir.write("i.json", ReferenceExamples.threeRegistries)
    let plan = try dir.write(
      "p.json",
      #"{"format": "mis-plan/1", "placement": [], "placements": [{"registry": "edge-a", "layer": "web-app", "granularity": "layer", "granularty": "file"}]}"#
    )
    let run = try mis("evaluate", instance, plan, "--json")
    #expect(run.status == 0, "\(run)")
    #expect(
      run.stderr.contains(
        "warning: \(plan): placement: unknown key \"placement\" ignored; did you mean \"placements\"?"))
    #expect(run.stderr.contains("warning: \(plan): placements[0].granularty:"), "\(run.stderr)")
    #expect(try run.json()["feasible"] == .bool(true))
  }

  @Test("a directory as the instance: exit 2 naming the path")
  func directoryAsInstance() throws {
    let dir = try TemporaryDirectory()
    for command in [["validate"], ["solve", "--method", "popularity"]] {
      let run = try mis(command + [dir.url.path])
      #expect(run.status == 2, "\(run)")
      #expect(run.stderr.contains("\(dir.url.path): is a directory"), "\(run.stderr)")
      #expect(!run.stderr.contains("NSCocoaErrorDomain"))
    }
  }
}
