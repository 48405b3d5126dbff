import ArgumentParser
import Foundation
import MISApprox
import MISModel
import MISSolver

/// The size of a generated paper instance, written `RxNxI` (registries × nodes × images).
struct InstanceSize: Hashable, CustomStringConvertible, ExpressibleByArgument {
  var registries: Int
  var nodes: Int
  var images: Int

  init(_ registries: Int, _ nodes: Int, _ images: Int) {
    self.registries = registries
    self.nodes = nodes
    self.images = images
  }

  /// Parses `5x10x50`.
  init?(argument: String) {
    let parts = argument.split(separator: "x").compactMap { Int($0) }
    guard parts.count == 3, parts.allSatisfy({ $0 > 0 }) else { return nil }
    self.init(parts[0], parts[1], parts[2])
  }

  var description: String { "\(registries)x\(nodes)x\(images)" }
}

/// Parses a comma-separated list (`3x6x10,5x10x50` or `1,2,3`).
func parseList<T>(_ text: String, _ parse: (String) -> T?) throws -> [T] {
  let items = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
  var values: [T] = []
  for item in items {
    guard let value = parse(item) else { throw ValidationError("cannot read \"\(item)\" in \"\(text)\"") }
    values.append(value)
  }
  guard !values.isEmpty else { throw ValidationError("empty list \"\(text)\"") }
  return values
}

/// Everything that identifies one generated paper instance.
struct InstanceSpec: Hashable, CustomStringConvertible {
  var size: InstanceSize
  var seed: UInt64
  var connections: Int? = nil
  var capacityFraction: Double = 0.3
  var filesPerImageScale: Double = 1.0

  /// Generator options for this spec.
  var options: GeneratorOptions {
    GeneratorOptions(
      kind: .paper, seed: seed, registries: size.registries, nodes: size.nodes, images: size.images,
      connections: connections, capacityFraction: capacityFraction, filesPerImageScale: filesPerImageScale)
  }

  /// Command-line arguments that rebuild this spec in a child process.
  var arguments: [String] {
    var a = [
      "--registries", "\(size.registries)", "--nodes", "\(size.nodes)", "--images", "\(size.images)",
      "--seed", "\(seed)", "--capacity-fraction", "\(capacityFraction)", "--files-scale", "\(filesPerImageScale)",
    ]
    if let connections { a += ["--connections", "\(connections)"] }
    return a
  }

  var description: String {
    "\(size) seed \(seed)" + (connections.map { " conn \($0)" } ?? "") + " cap \(capacityFraction)"
  }
}

/// The options of a generated paper instance, shared by child and export commands.
struct InstanceOptions: ParsableArguments {
  @Option(help: "Registries.") var registries = 5
  @Option(help: "Edge nodes.") var nodes = 10
  @Option(help: "Images.") var images = 50
  @Option(help: "Seed of the generator.") var seed: UInt64 = 1
  @Option(help: "Registries linked per node (default: the generator's, 3).") var connections: Int?
  @Option(help: "Capacity per registry as a fraction of the demanded bytes.") var capacityFraction = 0.3
  @Option(help: "Multiplier of files per image (1 = calibrated).") var filesScale = 1.0

  var spec: InstanceSpec {
    InstanceSpec(
      size: InstanceSize(registries, nodes, images), seed: seed, connections: connections,
      capacityFraction: capacityFraction, filesPerImageScale: filesScale)
  }
}

/// Runs this executable again as a child process (one measurement per process, so that a
/// hard wall-clock limit can be enforced even inside a C solver call that does not poll,
/// and so that peak RSS is per measurement).
enum Child {
  /// What a child run gave.
  struct Outcome {
    /// The child's JSON answer (its last stdout line), when it finished.
    var answer: [String: Any]?
    /// Whether the parent killed it at the wall-clock limit.
    var killed: Bool
    /// Wall-clock seconds as seen by the parent.
    var seconds: Double
    /// Exit status (or the signal when killed).
    var status: Int32
  }

  /// The path of the running executable.
  static var executable: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
  }

  /// Runs `mis-bench arguments…`, killing it after `limitSeconds`.
  static func run(_ arguments: [String], limitSeconds: Double) -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    let watch = Stopwatch()
    do {
      try process.run()
    } catch {
      note("could not start child: \(error)")
      return Outcome(answer: nil, killed: false, seconds: 0, status: -1)
    }
    // Read on a background thread so that a large answer never blocks the child.
    let collected = Collected()
    let reader = Thread {
      collected.set(pipe.fileHandleForReading.readDataToEndOfFile())
    }
    reader.start()
    var killed = false
    while process.isRunning {
      if watch.seconds > limitSeconds {
        kill(process.processIdentifier, SIGKILL)
        killed = true
        break
      }
      usleep(20_000)
    }
    process.waitUntilExit()
    while !collected.done { usleep(5_000) }
    let text = String(decoding: collected.data, as: UTF8.self)
    let last = text.split(separator: "\n").last.map(String.init) ?? ""
    let answer = (try? JSONSerialization.jsonObject(with: Data(last.utf8))) as? [String: Any]
    return Outcome(
      answer: killed ? nil : answer, killed: killed, seconds: watch.seconds, status: process.terminationStatus)
  }

  /// Bytes gathered by the reader thread.
  final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    private var finished = false
    func set(_ data: Data) {
      lock.withLock {
        bytes = data; finished = true
      }
    }
    var done: Bool { lock.withLock { finished } }
    var data: Data { lock.withLock { bytes } }
  }

  /// Prints a child's answer as one JSON line.
  static func answer(_ object: [String: Any]) {
    var clean: [String: Any] = [:]
    for (key, value) in object {
      if let d = value as? Double, !d.isFinite { continue }
      clean[key] = value
    }
    if let data = try? JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys]) {
      say(String(decoding: data, as: UTF8.self))
    }
  }
}

extension Dictionary where Key == String, Value == Any {
  func double(_ key: String) -> Double? { (self[key] as? NSNumber)?.doubleValue }
  func string(_ key: String) -> String? { self[key] as? String }
}

/// One solve's figures as returned by `child-solve`.
struct SolveFigures {
  var method: String
  var status: String
  var objective: Double?
  var bound: Double?
  var certifiedRatio: Double?
  var seconds: Double
  var killed: Bool
  var raw: [String: Any]

  init(method: String, outcome: Child.Outcome) {
    self.method = method
    let a = outcome.answer ?? [:]
    killed = outcome.killed
    status = outcome.killed ? "killed" : (a.string("status") ?? "error(\(outcome.status))")
    objective = a.double("objective")
    bound = a.double("bound")
    certifiedRatio = a.double("certifiedRatio")
    seconds = a.double("seconds") ?? outcome.seconds
    raw = a
  }

  /// A short status for tables: `optimal`, `timeout` (limit reached, with or without a plan).
  var shortStatus: String {
    switch status {
    case "optimal", "infeasible": return status
    case "feasible": return method == "exact" ? "timeout(plan)" : "feasible"
    case "timeLimitNoSolution", "killed": return "timeout"
    default: return status
    }
  }
}

/// Solves one generated instance with one method in a child process, bounded by
/// `limitSeconds` (the exact solver also gets it as its own time limit).
func solveInChild(
  _ spec: InstanceSpec, method: String, limitSeconds: Double, extra: [String] = []
) -> SolveFigures {
  var args = ["child-solve", "--method", method, "--time-limit", "\(limitSeconds)"] + spec.arguments + extra
  if method != "exact" { args += [] }
  // Hard limit: the solver's own limit plus a grace for model building and GLPK's root LP,
  // which GLPK does not interrupt.
  let outcome = Child.run(args, limitSeconds: limitSeconds * 1.5 + 15)
  return SolveFigures(method: method, outcome: outcome)
}
