import Foundation
import MISModel
import Testing

/// `mis import` end to end: the built binary, its exit status, its output file.
@Suite("mis import command line")
struct CommandLineTests {
  /// Runs `mis` with `arguments`.
  func mis(_ arguments: [String]) throws -> ProcessOutput {
    try run([try misExecutable().path] + arguments, check: false)
  }

  @Test("a good import of the real layouts writes an instance that `mis validate` accepts")
  func goodImport() throws {
    guard let root = RealFixtures.layouts else {
      print("MISImportTests: " + RealFixtures.missingReason)
      return
    }
    let scratch = try Scratch()
    let fleet = try scratch.write("fleet.json", fleetJSON)
    let demand = try scratch.write(
      "demand.csv",
      "node,image,pulls\nsite-1,bookworm:hello,40\nsite-2,trixie:hello,12\nsite-2,zstd:hello,3\n"
        + "site-1,bookworm:base,1\nsite-1,bookworm:hello-rebuilt,7\nsite-2,trixie:base,2\nsite-1,docker:hello,1\n")
    let output = scratch.path("instance.json")
    let layouts = ["bookworm", "trixie", "docker", "zstd"].map { root.appendingPathComponent($0).path }
    let result = try mis(
      ["import", "--fleet", fleet, "--demand", demand, "--output", output, "--file-size", "gzip", "--name", "real"]
        + layouts)
    #expect(result.status == 0, "\(result)")
    #expect(result.stderr.contains("import: layer"), "progress on standard error")
    #expect(!result.stderr.contains("warning"), "\(result.stderr)")
    let instance = try InstanceCodec.read(contentsOf: output)
    #expect(instance.name == "real")
    #expect(instance.images.count == 7 && instance.demands.count == 7)
    #expect(instance.registries.map(\.id) == ["edge-a", "edge-b"])
    let validation = try mis(["validate", output, "--strict"])
    #expect(validation.status == 0, "\(validation)")
  }

  @Test("every broken input exits 2 naming it, and writes nothing")
  func brokenInputs() throws {
    let scratch = try Scratch()
    let layout = try HandLayout(scratch.path("app"))
    let tar = try TarMaker.layer(files: [("a", Array("abc".utf8))], compression: .gzip, scratch: scratch)
    let layer = try layout.blob(tar, mediaType: HandLayout.gzipLayer)
    try layout.add(try layout.manifest(layers: [layer]), ref: "1")
    let fleet = try scratch.write("fleet.json", fleetJSON)
    let demand = try scratch.write("demand.csv", "node,image,pulls\nsite-1,app:1,5\n")
    let output = scratch.path("out.json")

    let good = try mis(["import", "--fleet", fleet, "--demand", demand, "--output", output, layout.directory])
    #expect(good.status == 0, "\(good)")
    try FileManager.default.removeItem(atPath: output)

    let badDemand = try scratch.write("bad.csv", "node,image,pulls\nsite-1,app:1,5\nsite-1,app:9,1\n")
    let badFleet = try scratch.write("badfleet.json", "{\"format\": \"mis-instance/1\", \"nodes\": [")
    let cases: [([String], [String])] = [
      (["--demand", badDemand, layout.directory], ["bad.csv", "line 3", "app:9"]),
      (["--demand", demand, scratch.path("nowhere")], ["nowhere", "oci-layout"]),
      (["--demand", demand, "--platform", "linux", layout.directory], ["platform"]),
      (["--demand", demand, "--file-size", "bzip2", layout.directory], ["file-size"]),
      (["--demand", demand], ["LAYOUT"]),
    ]
    for (arguments, needles) in cases {
      let fleetPath = arguments.contains(badFleet) ? badFleet : fleet
      let result = try mis(["import", "--fleet", fleetPath, "--output", output] + arguments)
      #expect(result.status == 2, "\(arguments): \(result)")
      for needle in needles { #expect(result.stderr.contains(needle), "\(needle) in \(result.stderr)") }
      #expect(!FileManager.default.fileExists(atPath: output), "nothing written for \(arguments)")
    }
    let fleetCase = try mis(["import", "--fleet", badFleet, "--demand", demand, "--output", output, layout.directory])
    #expect(fleetCase.status == 2 && fleetCase.stderr.contains("badfleet.json"), "\(fleetCase)")

    // A damaged blob, after a previous good output exists: the old file stays as it was.
    try Data("previous".utf8).write(to: URL(fileURLWithPath: output))
    let digest = try #require(layer["digest"] as? String)
    var damaged = tar
    damaged[damaged.count - 2] ^= 1
    try Data(damaged).write(to: URL(fileURLWithPath: layout.blobPath(digest)))
    let broken = try mis(["import", "--fleet", fleet, "--demand", demand, "--output", output, layout.directory])
    #expect(broken.status == 2, "\(broken)")
    #expect(broken.stderr.contains(digest) && broken.stderr.contains("does not match its digest"), "\(broken)")
    #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous")
  }
}
