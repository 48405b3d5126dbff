import Foundation
import MISModel
import Testing

/// The result of one run of the `mis` binary.
struct Run: CustomStringConvertible {
  /// The exit status.
  var status: Int32
  /// Standard output, as bytes.
  var stdoutBytes: [UInt8]
  /// Standard error, as text.
  var stderr: String

  /// Standard output, as text.
  var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }

  var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }

  /// Standard output parsed as JSON.
  func json() throws -> JSONValue {
    var reader = JSONReader(bytes: stdoutBytes)
    return try reader.parseDocument()
  }
}

enum MISBinaryError: Error, CustomStringConvertible {
  case notFound([String])
  var description: String {
    switch self {
    case .notFound(let places): return "no `mis` executable in \(places); build the package first"
    }
  }
}

/// The built `mis` executable: next to the test bundle in the build's products directory
/// (as swift-argument-parser's example tests find theirs), or `MIS_BINARY` when set.
func misExecutable() throws -> URL {
  var candidates: [URL] = []
  if let override = ProcessInfo.processInfo.environment["MIS_BINARY"] {
    candidates.append(URL(fileURLWithPath: override))
  }
  for bundle in [Bundle.main] + Bundle.allBundles {
    let url = bundle.bundleURL
    let directory = url.pathExtension == "xctest" ? url.deletingLastPathComponent() : url
    candidates.append(directory.appendingPathComponent("mis"))
  }
  let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
  candidates.append(runner.deletingLastPathComponent().appendingPathComponent("mis"))
  // On Linux the runner may be `…/debug/MISPackageTests.xctest` itself, or a file inside it.
  candidates.append(
    runner.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("mis"))
  for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
    return candidate
  }
  throw MISBinaryError.notFound(candidates.map(\.path))
}

/// Runs `mis` with `arguments`, capturing both streams through files (no pipe can fill up).
func mis(_ arguments: String...) throws -> Run {
  try mis(arguments)
}

/// How long one run of `mis` may take before the watchdog kills it.
let timeoutSeconds = 180.0

/// Runs `mis` with `arguments`.
func mis(_ arguments: [String]) throws -> Run {
  let directory = try TemporaryDirectory()
  let out = directory.path("stdout")
  let err = directory.path("stderr")
  _ = FileManager.default.createFile(atPath: out, contents: nil)
  _ = FileManager.default.createFile(atPath: err, contents: nil)
  let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
  let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
  let process = Process()
  process.executableURL = try misExecutable()
  process.arguments = arguments
  process.standardOutput = outHandle
  process.standardError = errHandle
  process.standardInput = FileHandle.nullDevice
  try process.run()
  // The test runner's blocked signal mask is inherited by the child, so SIGTERM
  // (`terminate()`) may not stop it: a watchdog kills a runaway run outright.
  let pid = process.processIdentifier
  let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
  DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: watchdog)
  process.waitUntilExit()
  watchdog.cancel()
  if process.terminationReason == .uncaughtSignal {
    Issue.record("mis \(arguments.joined(separator: " ")) was killed (signal \(process.terminationStatus))")
  }
  try outHandle.close()
  try errHandle.close()
  return Run(
    status: process.terminationStatus,
    stdoutBytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: out))),
    stderr: try String(contentsOfFile: err, encoding: .utf8))
}

/// A fresh directory, removed when the value goes away.
final class TemporaryDirectory {
  /// The directory.
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("mis-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: url) }

  /// The path of `name` inside the directory.
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  /// Writes `text` to `name` and returns its path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    let path = path(name)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// Writes an instance document to `name` and returns its path.
  @discardableResult
  func write(_ name: String, _ instance: Instance) throws -> String {
    let path = path(name)
    try Data(InstanceCodec.encode(instance)).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// The bytes of `name`.
  func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
  }
}

/// A number of a JSON document, or `nil`.
func number(_ value: JSONValue?) -> Double? {
  if case .number(let d)? = value { return d }
  return nil
}

/// A string of a JSON document, or `nil`.
func string(_ value: JSONValue?) -> String? {
  if case .string(let s)? = value { return s }
  return nil
}

/// The elements of a JSON array, or `[]`.
func elements(_ value: JSONValue?) -> [JSONValue] {
  if case .array(let a)? = value { return a }
  return []
}

/// Whether two objectives agree within the contract's tolerance (1e-6 relative).
func agree(_ a: Double, _ b: Double) -> Bool {
  abs(a - b) <= 1e-6 * max(1, abs(a), abs(b))
}

/// An instance where node `far` has no origin link, so an empty plan leaves it unserved.
func noOriginInstance() -> Instance {
  var b = InstanceBuilder(name: "no-origin")
  b.addRegistry("r1", capacityBytes: 100)
  b.addNode("near")
  b.addNode("far")
  b.addLink(node: "near", registry: "r1", bandwidthBytesPerSecond: 10, latencySeconds: 1)
  b.addLink(node: "far", registry: "r1", bandwidthBytesPerSecond: 10, latencySeconds: 1)
  b.addOriginLink(node: "near", bandwidthBytesPerSecond: 1, latencySeconds: 2)
  b.addFile("f1", sizeBytes: 30)
  b.addLayer("L1", sizeBytes: 40, files: ["f1"])
  b.addImage("A", layers: ["L1"])
  b.addDemand(node: "near", image: "A", pulls: 3)
  b.addDemand(node: "far", image: "A", pulls: 2)
  return b.instance
}
