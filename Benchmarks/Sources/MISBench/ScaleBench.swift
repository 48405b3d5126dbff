import ArgumentParser
import Foundation
import MISModel

/// `mis-bench scale`: load (decode JSON), index and evaluate growing instances, each in a
/// child process so that its peak resident memory is its own.
struct ScaleBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scale", abstract: "Decode, index and evaluate time and peak memory vs instance size.")

  @Option(help: "Images per size, comma-separated; IMAGES:SCALE also multiplies files per image.")
  var images = "1500,3000,6000,12000,24000,24000:2"
  @Option(help: "Registries.") var registries = 20
  @Option(help: "Nodes.") var nodes = 50
  @Option(help: "Directory for the temporary JSON files.") var temporary = NSTemporaryDirectory()
  @Option(help: "Results directory.") var results = ResultsDirectory.defaultPath

  func run() throws {
    let items = try parseList(images) { item -> (Int, Double)? in
      let parts = item.split(separator: ":")
      guard let i = Int(parts[0]), i > 0 else { return nil }
      let scale = parts.count > 1 ? Double(parts[1]) : 1.0
      return scale.map { (i, $0) }
    }
    var table = Table([
      "images", "files_scale", "layers", "files", "file_refs", "json_mib", "read_s", "decode_s", "index_s",
      "evaluate_s", "decode_us_per_ref", "peak_rss_mib", "rss_bytes_per_ref",
    ])
    for (count, scale) in items {
      let spec = InstanceSpec(
        size: InstanceSize(registries, nodes, count), seed: 1, filesPerImageScale: scale)
      let watch = Stopwatch()
      let instance = InstanceGenerator.generate(spec.options)
      let bytes = InstanceCodec.encode(instance, pretty: false)
      let refs = instance.layers.reduce(0) { $0 + $1.files.count }
      let path = (temporary as NSString).appendingPathComponent("mis-bench-scale-\(count)-\(scale).json")
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      note(
        "scale: \(count) images ×\(scale): \(instance.layers.count) layers, \(instance.files.count) files, "
          + "\(bytes.count / 1_048_576) MiB JSON, generated+encoded in \(Format.seconds(watch.seconds)) s")
      let outcome = Child.run(["child-scale", path], limitSeconds: 600)
      try? FileManager.default.removeItem(atPath: path)
      let a = outcome.answer ?? [:]
      let decode = a.double("decodeSeconds")
      table.append([
        "\(count)", Format.fixed(scale, 1), "\(instance.layers.count)", "\(instance.files.count)", "\(refs)",
        Format.mib(Double(bytes.count)), Format.seconds(a.double("readSeconds")), Format.seconds(decode),
        Format.seconds(a.double("indexSeconds")), Format.seconds(a.double("evaluateSeconds")),
        Format.fixed(decode.map { $0 / Double(max(refs, 1)) * 1e6 }, 3), Format.mib(a.double("peakRSSBytes")),
        Format.fixed(a.double("peakRSSBytes").map { $0 / Double(max(refs, 1)) }, 1),
      ])
      say(table.text.split(separator: "\n").last.map(String.init) ?? "")
    }
    try ResultsDirectory.write(table.csv, name: "scale.csv", in: results)
    say("\nScale: \(registries) registries, \(nodes) nodes (one child process per size)\n" + table.text)
  }
}

/// Internal: reads, decodes, indexes and evaluates one instance file; one JSON line.
struct ChildScale: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "child-scale", abstract: "Internal: one scale measurement.", shouldDisplay: false)

  @Argument(help: "Instance JSON file.") var path: String

  func run() throws {
    var watch = Stopwatch()
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let bytes = [UInt8](data)
    let readSeconds = watch.seconds
    watch = Stopwatch()
    let instance = try InstanceCodec.decode(bytes)
    let decodeSeconds = watch.seconds
    watch = Stopwatch()
    let index = try ProblemIndex(instance)
    let indexSeconds = watch.seconds
    // A deterministic plan touching every registry at both granularities (it may be over
    // capacity; the evaluator does the same work either way).
    var matrix = PlacementMatrix(for: index)
    for l in 0..<index.layerCount { matrix[l, l % index.registryCount] = l % 3 == 0 ? .file : .layer }
    watch = Stopwatch()
    let metrics = index.evaluate(matrix)
    let evaluateSeconds = watch.seconds
    Child.answer([
      "readSeconds": readSeconds, "decodeSeconds": decodeSeconds, "indexSeconds": indexSeconds,
      "evaluateSeconds": evaluateSeconds, "objective": metrics.totalLatencySeconds ?? Double.nan,
      "peakRSSBytes": Memory.peakResidentBytes ?? Double.nan,
    ])
  }
}
