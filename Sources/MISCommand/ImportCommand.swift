import ArgumentParser
import Foundation
import MISImport
import MISModel

extension FileSizeMode: ExpressibleByArgument {}

/// `mis import --fleet FLEET.json --demand DEMAND.csv --output INSTANCE.json LAYOUT...`:
/// builds a `mis-instance/1` document from OCI image layouts (`Docs/import.md`).
///
/// Every broken input (a missing blob, a digest mismatch, a truncated layer, a bad fleet,
/// a bad demand row) exits 2 with a message naming it, and nothing is written: the
/// instance is written atomically, only once it is complete and valid.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Build an instance from OCI image layouts, a fleet file and a demand table.",
    discussion: """
      Every image manifest reachable from each layout's index.json is one image (an image \
      index is followed to the manifest for --platform). Layers are the descriptors' \
      digests and sizes; files are the regular files of non-zero size in each layer's tar, \
      identified by the SHA-256 of their content. FLEET.json is a mis-instance/1 document \
      giving registries, nodes, links, origin and reconstruction; DEMAND.csv has the \
      header node,image,pulls. Progress goes to standard error.
      """
  )

  @Option(name: .long, help: "A mis-instance/1 file giving registries, nodes, links, origin, reconstruction.")
  var fleet: String

  @Option(name: .long, help: "A CSV file with the header node,image,pulls.")
  var demand: String

  @Option(name: .long, help: "The instance file to write.")
  var output: String

  @Option(name: .customLong("file-size"), help: "File sizes: raw (content length) or gzip (gzip -6 length).")
  var fileSize: FileSizeMode = .raw

  @Option(name: .long, help: "The platform an image index is followed to (OS/ARCH[/VARIANT]).")
  var platform: String = "linux/amd64"

  @Option(name: .long, help: "The instance name (default: the fleet's).")
  var name: String?

  @Option(name: .long, help: "Layers read at once (default: one per core); memory grows with it.")
  var jobs: Int?

  @Flag(name: .long, help: "No progress lines on standard error.")
  var quiet = false

  @Argument(help: "OCI image-layout directories.", completion: .directory)
  var layouts: [String] = []

  func validate() throws {
    guard !layouts.isEmpty else { throw ValidationError("give at least one LAYOUT directory") }
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
  }

  func run() throws {
    let start = Date()
    let result: LayoutImporter.Result
    do {
      let options = ImportOptions(
        platform: try Platform(parsing: platform), fileSize: fileSize, parallelism: jobs)
      let progress: (@Sendable (ImportProgress) -> Void)? = quiet ? nil : Self.printProgress
      result = try LayoutImporter(options: options).importInstance(
        fleet: fleet, demand: demand, layouts: layouts, name: name, progress: progress)
    } catch {
      throw CommandFailure.invalidInput("error: \(error)")
    }
    for warning in result.warnings { Console.error("warning: \(warning)") }
    do {
      _ = try ProblemIndex(result.instance)
      let bytes = InstanceCodec.encode(result.instance)
      // The document as `mis validate` will read it: its warnings (e.g. an image nobody
      // pulls) are worth seeing now.
      for warning in try InstanceCodec.decodeWithWarnings(bytes).warnings {
        Console.error("warning: \(output): \(warning)")
      }
      try writeBytes(bytes, to: output)
    } catch {
      throw CommandFailure.model(error, file: output)
    }
    let images = result.images
    let seconds = Date().timeIntervalSince(start)
    let megabytes = Double(images.blobBytes) / 1e6
    Console.error(
      "import: \(images.images.count) images, \(images.layers.count) layers, \(images.files.count) files; "
        + "read \(Report.number(megabytes)) MB of blobs (\(Report.number(Double(images.contentBytes) / 1e6)) MB "
        + "of file content) in \(Report.number(seconds)) s")
    Console.out(
      "wrote \(output): \(result.instance.images.count) images, \(result.instance.layers.count) layers, "
        + "\(result.instance.files.count) files, \(result.instance.demands.count) demands")
  }

  /// One line per finished layer on standard error.
  @Sendable static func printProgress(_ p: ImportProgress) {
    let rate = p.seconds > 0 ? Double(p.blobBytesDone) / 1e6 / p.seconds : 0
    let short = p.layer.count > 19 ? String(p.layer.prefix(19)) + "…" : p.layer
    let line =
      "import: layer \(p.layersDone)/\(p.layersTotal) \(short)  "
      + "\(p.blobBytesDone / 1_000_000)/\(p.blobBytesTotal / 1_000_000) MB  \(Int(rate)) MB/s\n"
    FileHandle.standardError.write(Data(line.utf8))
  }
}
