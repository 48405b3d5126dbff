import ArgumentParser
import MISModel

/// `mis generate --kind tiny|paper …`: writes a seeded, reproducible instance.
///
/// The document is `mis-instance/1` (`Docs/generator.md`); the same options give the same
/// bytes.
struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Generate a seeded planning instance.",
    discussion: """
      tiny: 2–3 registries, a few nodes and images, small enough for the exact solver in \
      well under a second. paper: a catalogue calibrated to Docker Hub studies. Without \
      --output the instance is printed on standard output.
      """
  )

  @Option(help: "The kind of instance: tiny or paper.")
  var kind: InstanceKind

  @Option(help: "The seed; the same options give the same instance. Default 1.")
  var seed: UInt64 = 1

  @Option(name: .long, help: "Write the instance to this file instead of standard output.")
  var output: String?

  @Option(help: "Number of registries (tiny: 2–3 from the seed, paper: 5).")
  var registries: Int?

  @Option(help: "Number of edge nodes (tiny: 2–4 from the seed, paper: 10).")
  var nodes: Int?

  @Option(help: "Number of images (tiny: 2–4 from the seed, paper: 50).")
  var images: Int?

  @Option(help: "Registries linked to each node (tiny: from the seed, paper: 3).")
  var connections: Int?

  @Option(help: "Each registry's capacity as a fraction of the demanded layers' total size. Default 0.3.")
  var capacityFraction: Double = 0.3

  @Flag(help: "Generate no origin registry (capacities are raised so the instance stays feasible).")
  var noOrigin = false

  @Option(help: "paper: mean total pulls per node. Default 300.")
  var pullsPerNode: Double?

  @Option(help: "paper: exponent of the Zipf law of image popularity. Default 0.9.")
  var zipfExponent: Double?

  @Option(help: "paper: multiplies every file count (e.g. 0.05 for small tests). Default 1.")
  var filesPerImageScale: Double?

  @Option(help: "The instance's name. Default: derived from kind, seed and sizes.")
  var name: String?

  func validate() throws {
    for (value, option) in [(registries, "--registries"), (nodes, "--nodes"), (images, "--images")] {
      if let value, value < 1 { throw ValidationError("\(option) must be at least 1, got \(value)") }
    }
    if let connections {
      if connections < 1 { throw ValidationError("--connections must be at least 1, got \(connections)") }
      if let registries, connections > registries {
        throw ValidationError("--connections (\(connections)) cannot exceed --registries (\(registries))")
      }
    }
    if !(capacityFraction.isFinite && capacityFraction >= 0) {
      throw ValidationError("--capacity-fraction must be a finite number ≥ 0, got \(capacityFraction)")
    }
    if let pullsPerNode, !(pullsPerNode.isFinite && pullsPerNode >= 0) {
      throw ValidationError("--pulls-per-node must be a finite number ≥ 0, got \(pullsPerNode)")
    }
    if let zipfExponent, !(zipfExponent.isFinite && zipfExponent >= 0) {
      throw ValidationError("--zipf-exponent must be a finite number ≥ 0, got \(zipfExponent)")
    }
    if let filesPerImageScale, !(filesPerImageScale.isFinite && filesPerImageScale > 0) {
      throw ValidationError("--files-per-image-scale must be a positive number, got \(filesPerImageScale)")
    }
    if kind == .tiny {
      for (given, option) in [
        (pullsPerNode != nil, "--pulls-per-node"), (zipfExponent != nil, "--zipf-exponent"),
        (filesPerImageScale != nil, "--files-per-image-scale"),
      ] where given {
        throw ValidationError("\(option) applies only to --kind paper")
      }
    }
  }

  func run() throws {
    var options = GeneratorOptions(
      kind: kind, seed: seed, registries: registries, nodes: nodes, images: images, connections: connections,
      capacityFraction: capacityFraction, includeOrigin: !noOrigin, name: name)
    if let pullsPerNode { options.pullsPerNode = pullsPerNode }
    if let zipfExponent { options.zipfExponent = zipfExponent }
    if let filesPerImageScale { options.filesPerImageScale = filesPerImageScale }
    let instance = InstanceGenerator.generate(options)
    let bytes = InstanceCodec.encode(instance)
    guard let output else {
      Console.write(bytes)
      return
    }
    do {
      try writeBytes(bytes, to: output)
    } catch {
      throw CommandFailure.model(error, file: output)
    }
    Console.out(
      "wrote \(output): \"\(instance.name ?? "")\", \(instance.registries.count) registries, "
        + "\(instance.nodes.count) nodes, \(instance.images.count) images, \(instance.layers.count) layers, "
        + "\(instance.files.count) files")
  }
}
