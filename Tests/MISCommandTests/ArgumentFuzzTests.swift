import Foundation
import MISModel
import Testing

/// Seeded fuzzing of the command line: random subcommands, options, values and files
/// (valid, hostile and missing). Every run must end with exit 0, 1 or 2 — never a crash,
/// a trap or a signal (the runner records a killed process as an issue) — and an exit 2
/// must say something on standard error.
@Suite struct ArgumentFuzzTests {
  @Test func randomCommandLinesEndInADocumentedExitCode() throws {
    let directory = try TemporaryDirectory()
    let valid = directory.path("valid.json")
    try writeBytes(InstanceCodec.encode(InstanceGenerator.generate(GeneratorOptions(kind: .tiny, seed: 3))), to: valid)
    let broken = directory.path("broken.json")
    try writeBytes(Array("{\"format\": \"mis-instance/1\", \"nodes\": [".utf8), to: broken)
    let plan = directory.path("plan.json")
    try writeBytes(
      Array(
        "{\"format\": \"mis-plan/1\", \"placements\": [{\"registry\": \"x\", \"layer\": \"y\", \"granularity\": \"file\"}]}"
          .utf8), to: plan)
    let empty = directory.path("empty.json")
    try writeBytes([], to: empty)
    let files = [valid, broken, plan, empty, directory.path("missing.json"), "/", "-"]
    let subcommands = ["validate", "evaluate", "solve", "generate", "export", "demo", "frobnicate", ""]
    let options = [
      "--method", "--output", "--json", "--time-limit", "--seed", "--gap", "--trials", "--kind", "--format",
      "--registries", "--nodes", "--images", "--connections", "--capacity-fraction", "--help", "--",
    ]
    let values = [
      "approx", "origin-only", "popularity", "tiny", "paper", "mps", "lp", "0", "-1", "1e400", "nan", "NaN",
      "18446744073709551616", "0.5", "3", "ünïcødé", "", directory.path("out.json"),
    ]
    var rng = SplitMix64(seed: 2026)
    let cases = Int(ProcessInfo.processInfo.environment["MIS_CLI_FUZZ_CASES"] ?? "") ?? 60
    for _ in 0..<cases {
      var arguments: [String] = []
      let sub = subcommands[rng.nextInt(upperBound: subcommands.count)]
      if !sub.isEmpty { arguments.append(sub) }
      for _ in 0..<rng.nextInt(upperBound: 6) {
        switch rng.nextInt(upperBound: 3) {
        case 0: arguments.append(files[rng.nextInt(upperBound: files.count)])
        case 1: arguments.append(options[rng.nextInt(upperBound: options.count)])
        default: arguments.append(values[rng.nextInt(upperBound: values.count)])
        }
      }
      // Keep every run short: the paper generator and the exact solver get small inputs.
      if arguments.contains("paper") || arguments.contains("demo") { continue }
      let run = try mis(arguments)
      #expect([0, 1, 2].contains(run.status), "mis \(arguments): \(run)")
      if run.status == 2 { #expect(!run.stderr.isEmpty, "mis \(arguments) exited 2 silently") }
    }
  }
}
