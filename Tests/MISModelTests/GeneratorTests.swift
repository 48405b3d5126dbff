import Foundation
import MISModel
import Testing

/// Problems with an instance's references and ranges (a local stand-in for the
/// project's validator, which is written elsewhere).
func referenceProblems(_ instance: Instance) -> [String] {
  var problems: [String] = []
  let maxBytes: Int64 = 1 << 53
  func unique(_ ids: [String], _ what: String) -> Set<String> {
    var seen = Set<String>()
    for id in ids {
      if id.isEmpty { problems.append("\(what): empty id") }
      if !seen.insert(id).inserted { problems.append("\(what): duplicate id \(id)") }
    }
    return seen
  }
  let registries = unique(instance.registries.map(\.id), "registries")
  let nodes = unique(instance.nodes.map(\.id), "nodes")
  let files = unique(instance.files.map(\.id), "files")
  let layers = unique(instance.layers.map(\.id), "layers")
  let images = unique(instance.images.map(\.id), "images")
  for registry in instance.registries where !(0...maxBytes).contains(registry.capacityBytes) {
    problems.append("registry \(registry.id): capacity \(registry.capacityBytes)")
  }
  for file in instance.files where !(0...maxBytes).contains(file.sizeBytes) {
    problems.append("file \(file.id): size \(file.sizeBytes)")
  }
  var pairs = Set<String>()
  for link in instance.links {
    if !nodes.contains(link.node) { problems.append("link: unknown node \(link.node)") }
    if !registries.contains(link.registry) {
      problems.append("link: unknown registry \(link.registry)")
    }
    if !pairs.insert(link.node + "|" + link.registry).inserted {
      problems.append("link: repeated pair \(link.node) \(link.registry)")
    }
    if !(link.bandwidthBytesPerSecond.isFinite && link.bandwidthBytesPerSecond > 0)
      || !(link.latencySeconds.isFinite && link.latencySeconds >= 0)
    {
      problems.append("link \(link.node) \(link.registry): bad numbers")
    }
  }
  var originNodes = Set<String>()
  for link in instance.origin?.links ?? [] {
    if !nodes.contains(link.node) { problems.append("origin: unknown node \(link.node)") }
    if !originNodes.insert(link.node).inserted { problems.append("origin: repeated \(link.node)") }
    if !(link.bandwidthBytesPerSecond > 0) || !(link.latencySeconds >= 0) {
      problems.append("origin \(link.node): bad numbers")
    }
  }
  for layer in instance.layers {
    if !(0...maxBytes).contains(layer.sizeBytes) {
      problems.append("layer \(layer.id): size \(layer.sizeBytes)")
    }
    if Set(layer.files).count != layer.files.count {
      problems.append("layer \(layer.id): repeated file")
    }
    for file in layer.files where !files.contains(file) {
      problems.append("layer \(layer.id): unknown file \(file)")
    }
  }
  for image in instance.images {
    if image.layers.isEmpty { problems.append("image \(image.id): no layers") }
    if Set(image.layers).count != image.layers.count {
      problems.append("image \(image.id): repeated layer")
    }
    for layer in image.layers where !layers.contains(layer) {
      problems.append("image \(image.id): unknown layer \(layer)")
    }
  }
  for demand in instance.demands {
    if !nodes.contains(demand.node) { problems.append("demand: unknown node \(demand.node)") }
    if !images.contains(demand.image) { problems.append("demand: unknown image \(demand.image)") }
    if !(demand.pulls.isFinite && demand.pulls >= 0) { problems.append("demand: pulls") }
  }
  let r = instance.reconstruction
  if !(r.secondsPerLayer.isFinite && r.secondsPerLayer >= 0) { problems.append("reconstruction") }
  return problems
}

/// Whether serving every demanded layer is possible: each node that demands something
/// has an origin link, or each layer it demands fits alone on some linked registry.
func everyDemandServable(_ instance: Instance) -> Bool {
  let withOrigin = Set((instance.origin?.links ?? []).map(\.node))
  let capacity = Dictionary(
    uniqueKeysWithValues: instance.registries.map { ($0.id, $0.capacityBytes) })
  let size = Dictionary(uniqueKeysWithValues: instance.layers.map { ($0.id, $0.sizeBytes) })
  let imageLayers = Dictionary(uniqueKeysWithValues: instance.images.map { ($0.id, $0.layers) })
  for demand in instance.demands where demand.pulls > 0 && !withOrigin.contains(demand.node) {
    let linked = instance.links.filter { $0.node == demand.node }.map(\.registry)
    for layer in imageLayers[demand.image] ?? [] {
      let bytes = size[layer] ?? 0
      if !linked.contains(where: { (capacity[$0] ?? 0) >= bytes }) { return false }
    }
  }
  return true
}

@Suite("SplitMix64 and stable random helpers")
struct RandomTests {
  @Test("Known SplitMix64 outputs for seed 0")
  func referenceValues() {
    var rng = SplitMix64(seed: 0)
    // Reference values of the published algorithm (seed 0).
    #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
    #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    #expect(rng.next() == 0x06C4_5D18_8009_454F)
  }

  @Test("Uniforms lie in [0, 1); bounded integers in range and roughly uniform")
  func ranges() {
    var rng = SplitMix64(seed: 9)
    var counts = [Int](repeating: 0, count: 7)
    for _ in 0..<7000 {
      let u = rng.nextUniform()
      #expect(u >= 0 && u < 1)
      counts[rng.nextInt(upperBound: 7)] += 1
    }
    #expect(counts.allSatisfy { $0 > 800 && $0 < 1200 })
    for _ in 0..<100 { #expect((3...5).contains(rng.nextInt(in: 3...5))) }
  }

  @Test("Split streams differ from the parent and are reproducible")
  func splitting() {
    var a = SplitMix64(seed: 5)
    var b = SplitMix64(seed: 5)
    var childA = a.split()
    var childB = b.split()
    #expect(childA.next() == childB.next())
    #expect(a.next() == b.next())
    #expect(childA.next() != a.next())
  }

  @Test("Fisher–Yates is a permutation and reproducible; distinct samples are distinct")
  func shuffling() {
    var a = SplitMix64(seed: 11)
    var b = SplitMix64(seed: 11)
    let x = Array(0..<50).stableShuffled(using: &a)
    let y = Array(0..<50).stableShuffled(using: &b)
    #expect(x == y)
    #expect(x.sorted() == Array(0..<50))
    #expect(x != Array(0..<50))
    let sample = a.nextDistinctIndices(count: 30, upperBound: 40)
    #expect(Set(sample).count == 30 && sample.allSatisfy { (0..<40).contains($0) })
  }
}

@Suite("Instance generator")
struct GeneratorTests {
  /// Fast paper options for tests.
  static func smallPaper(seed: UInt64) -> GeneratorOptions {
    GeneratorOptions(kind: .paper, seed: seed, images: 60, filesPerImageScale: 0.1)
  }

  @Test("Same options give identical instances; another seed a different one")
  func determinism() {
    for kind in InstanceKind.allCases {
      var options =
        kind == .paper ? Self.smallPaper(seed: 7) : GeneratorOptions(kind: .tiny, seed: 7)
      let first = InstanceGenerator.generate(options)
      #expect(first == InstanceGenerator.generate(options))
      options.seed = 8
      #expect(first != InstanceGenerator.generate(options))
    }
  }

  @Test("Tiny instances are valid, feasible and as small as promised", arguments: 0..<200)
  func tiny(seed: Int) {
    let instance = InstanceGenerator.generate(GeneratorOptions(kind: .tiny, seed: UInt64(seed)))
    #expect(referenceProblems(instance).isEmpty)
    #expect(everyDemandServable(instance))
    #expect((2...3).contains(instance.registries.count))
    #expect((2...4).contains(instance.nodes.count))
    #expect((2...4).contains(instance.images.count))
    #expect(instance.layers.count <= 8 && instance.files.count <= 20)
    #expect(instance.registries.count * instance.layers.count <= 16)
    #expect(instance.reconstruction == .default)
  }

  @Test("Tiny instances, taken together, exercise the interesting cases")
  func tinyCoverage() {
    var sharedFiles = 0
    var missingOrigin = 0
    var fractional = 0
    var integral = 0
    var tightCapacity = 0
    for seed in 0..<100 {
      let instance = InstanceGenerator.generate(GeneratorOptions(kind: .tiny, seed: UInt64(seed)))
      let references = instance.layers.reduce(0) { $0 + $1.files.count }
      if Set(instance.layers.flatMap(\.files)).count < references { sharedFiles += 1 }
      if (instance.origin?.links.count ?? 0) < instance.nodes.count { missingOrigin += 1 }
      if instance.demands.contains(where: { $0.pulls != $0.pulls.rounded() }) { fractional += 1 }
      if instance.demands.contains(where: { $0.pulls == $0.pulls.rounded() }) { integral += 1 }
      let total = instance.layers.reduce(Int64(0)) { $0 + $1.sizeBytes }
      if instance.registries.contains(where: { $0.capacityBytes < total }) { tightCapacity += 1 }
    }
    #expect(sharedFiles > 20)
    #expect(missingOrigin > 20)
    #expect(fractional > 20 && integral > 20)
    #expect(tightCapacity > 50)
  }

  @Test("Tiny honours explicit sizes")
  func tinyOptions() {
    let instance = InstanceGenerator.generate(
      GeneratorOptions(
        kind: .tiny, seed: 3, registries: 2, nodes: 4, images: 3, connections: 2,
        includeOrigin: false))
    #expect(instance.registries.count == 2 && instance.nodes.count == 4)
    #expect(instance.images.count == 3 && instance.links.count == 8)
    #expect(instance.origin == nil)
    #expect(referenceProblems(instance).isEmpty && everyDemandServable(instance))
  }

  @Test("Paper instances are valid and have the requested shape", arguments: [1, 2, 3] as [UInt64])
  func paperShape(seed: UInt64) {
    let options = GeneratorOptions(
      kind: .paper, seed: seed, registries: 4, nodes: 6, images: 40, connections: 2,
      filesPerImageScale: 0.1)
    let instance = InstanceGenerator.generate(options)
    #expect(referenceProblems(instance).isEmpty)
    #expect(everyDemandServable(instance))
    #expect(instance.registries.count == 4 && instance.nodes.count == 6)
    #expect(instance.images.count == 40)
    #expect(instance.links.count == 12)
    #expect(instance.origin?.links.count == 6)
    #expect(instance.registries.map(\.id) == ["reg-00", "reg-01", "reg-02", "reg-03"])
    #expect(instance.images.first?.id == "img-000" && instance.layers.first?.id == "layer-0000")
    #expect(instance.files.first?.id == "file-000000")
    #expect(instance.demands.allSatisfy { $0.pulls > 0 && $0.pulls == $0.pulls.rounded() })
  }

  @Test("Without an origin, capacities are raised so that every demand is servable")
  func paperWithoutOrigin() {
    var options = Self.smallPaper(seed: 4)
    options.includeOrigin = false
    options.capacityFraction = 0.05
    let instance = InstanceGenerator.generate(options)
    #expect(instance.origin == nil)
    #expect(referenceProblems(instance).isEmpty && everyDemandServable(instance))
  }

  @Test("Changing the fleet keeps the catalogue")
  func catalogueIndependentOfFleet() {
    var options = Self.smallPaper(seed: 12)
    let a = InstanceGenerator.generate(options)
    options.nodes = 3
    options.registries = 2
    let b = InstanceGenerator.generate(options)
    #expect(a.layers == b.layers && a.files == b.files && a.images == b.images)
  }

  @Test("Paper calibration roughly holds for a medium instance")
  func paperCalibration() {
    let instance = InstanceGenerator.generate(
      GeneratorOptions(kind: .paper, seed: 1, images: 300, filesPerImageScale: 0.2))
    let stats = CatalogueStatistics(instance)
    #expect(stats.medianLayerBytes > 4e6 / 1.5 && stats.medianLayerBytes < 4e6 * 1.5)
    #expect(stats.p90LayerBytes > 63e6 / 2 && stats.p90LayerBytes < 63e6 * 2)
    #expect(abs(stats.medianCompressionRatio - 2.6) < 0.3)
    #expect(stats.singleImageLayerFraction > 0.5)
    #expect(stats.fileUniquenessAcrossImages < 0.1)
    #expect(stats.fileDedupByteRatio > 1.3)
    // Files scale by 0.2: about 200 files for a median image.
    #expect(stats.medianFilesPerImage > 100 && stats.medianFilesPerImage < 400)
  }
}
