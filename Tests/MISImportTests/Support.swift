import Crypto
import Foundation
import MISModel
import Testing

/// The output of a subprocess.
struct ProcessOutput: CustomStringConvertible {
  var status: Int32
  var stdout: Data
  var stderr: String

  var text: String { String(decoding: stdout, as: UTF8.self) }
  var description: String { "exit \(status)\n--- stdout\n\(text)\n--- stderr\n\(stderr)" }
}

enum SupportError: Error, CustomStringConvertible {
  case failed(String, ProcessOutput)
  case notFound(String)
  var description: String {
    switch self {
    case .failed(let command, let output): return "\(command) failed: \(output)"
    case .notFound(let what): return what
    }
  }
}

/// Runs `arguments[0]` (looked up on PATH) with the rest, capturing both streams in files.
@discardableResult
func run(_ arguments: [String], in directory: String? = nil, check: Bool = true) throws -> ProcessOutput {
  let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mis-import-run-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: scratch) }
  let out = scratch.appendingPathComponent("out")
  let err = scratch.appendingPathComponent("err")
  _ = FileManager.default.createFile(atPath: out.path, contents: nil)
  _ = FileManager.default.createFile(atPath: err.path, contents: nil)
  let outHandle = try FileHandle(forWritingTo: out)
  let errHandle = try FileHandle(forWritingTo: err)
  let process = Process()
  if arguments[0].hasPrefix("/") {
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
  } else {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
  }
  if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
  process.standardOutput = outHandle
  process.standardError = errHandle
  process.standardInput = FileHandle.nullDevice
  try process.run()
  process.waitUntilExit()
  try outHandle.close()
  try errHandle.close()
  let result = ProcessOutput(
    status: process.terminationStatus, stdout: try Data(contentsOf: out),
    stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
  if check && result.status != 0 {
    throw SupportError.failed(arguments.joined(separator: " "), result)
  }
  return result
}

/// A fresh directory, removed when the value goes away.
final class Scratch {
  let url: URL
  var path: String { url.path }

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("mis-import-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: url) }

  /// `name` inside the directory.
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  /// Writes `bytes` to `name` (creating parent directories) and returns its path.
  @discardableResult
  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    let target = url.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: target)
    return target.path
  }

  /// Writes text to `name` and returns its path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }
}

/// `sha256:` + hex of `bytes`.
func sha256(_ bytes: [UInt8]) -> String {
  "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

/// The repository root (this file is Tests/MISImportTests/Support.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// The real-image fixtures (scripts/build-import-fixtures.sh), or why they are missing.
enum RealFixtures {
  static var directory: URL {
    if let override = ProcessInfo.processInfo.environment["MIS_FIXTURES"] {
      return URL(fileURLWithPath: override).appendingPathComponent("import")
    }
    return repositoryRoot.appendingPathComponent(".fixtures/import")
  }

  /// The layouts directory when the fixtures are built.
  static var layouts: URL? {
    FileManager.default.fileExists(atPath: directory.appendingPathComponent("READY").path)
      ? directory.appendingPathComponent("layouts") : nil
  }

  /// Why the fixtures are missing (for the skip message).
  static var missingReason: String {
    let note = directory.appendingPathComponent("UNAVAILABLE")
    let reason = (try? String(contentsOf: note, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    return "real-image fixtures not built (\(reason ?? "run scripts/build-import-fixtures.sh or make test")); skipping"
  }

  static var available: Bool {
    if layouts == nil {
      print("MISImportTests: " + missingReason)
      return false
    }
    return true
  }
}

/// The built `mis` executable, found as MISCommandTests finds it (or `MIS_BINARY`).
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
  candidates.append(runner.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("mis"))
  for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
    return candidate
  }
  throw SupportError.notFound("no `mis` executable in \(candidates.map(\.path)); build the package first")
}

/// A small fleet: two registries, two nodes, origin links.
let fleetJSON = """
  {
    "format": "mis-instance/1",
    "name": "test-fleet",
    "reconstruction": { "secondsPerLayer": 0.1, "secondsPerByte": 0 },
    "registries": [ { "id": "edge-a", "capacityBytes": 3000000 }, { "id": "edge-b", "capacityBytes": 2000000 } ],
    "nodes": [ { "id": "site-1" }, { "id": "site-2" } ],
    "links": [
      { "node": "site-1", "registry": "edge-a", "bandwidthBytesPerSecond": 12500000, "latencySeconds": 0.02 },
      { "node": "site-2", "registry": "edge-b", "bandwidthBytesPerSecond": 12500000, "latencySeconds": 0.02 }
    ],
    "origin": { "links": [
      { "node": "site-1", "bandwidthBytesPerSecond": 2500000, "latencySeconds": 0.15 },
      { "node": "site-2", "bandwidthBytesPerSecond": 2500000, "latencySeconds": 0.15 }
    ] }
  }
  """
