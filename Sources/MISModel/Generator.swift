import Foundation

/// The families of instances that ``InstanceGenerator`` can produce.
public enum InstanceKind: String, Sendable, CaseIterable {
  /// A very small instance (2–3 registries, 2–4 nodes, 2–4 images, at most 8 layers and
  /// about 20 files) that brute force and the exact solver handle in well under a second.
  case tiny
  /// A realistic catalogue calibrated to the Docker Hub studies of Zhao et al.
  /// (CLUSTER 2019) and Anwar et al. (FAST 2018); see `Docs/generator.md`.
  case paper
}

/// What ``InstanceGenerator/generate(_:)`` should build.
///
/// Every option has a documented default; options left `nil` take a default that
/// depends on ``kind``. Out-of-range values are clamped, never rejected (the CLI
/// validates before it gets here): counts to at least 1, ``connections`` to
/// `1...registries`, fractions and scales to non-negative / positive values.
///
/// ```swift
/// let small = InstanceGenerator.generate(GeneratorOptions(kind: .tiny, seed: 3))
/// let fleet = InstanceGenerator.generate(
///   GeneratorOptions(kind: .paper, seed: 1, registries: 20, nodes: 50, images: 2000))
/// ```
public struct GeneratorOptions: Sendable, Hashable {
  /// Which family of instances to build. Default: ``InstanceKind/paper``.
  public var kind: InstanceKind
  /// The seed; equal options (seed included) give identical instances. Default: 1.
  public var seed: UInt64
  /// Number of registries. Default (`nil`): tiny → 2 or 3 (from the seed); paper → 5.
  public var registries: Int?
  /// Number of edge nodes. Default (`nil`): tiny → 2…4 (from the seed); paper → 10.
  public var nodes: Int?
  /// Number of images. Default (`nil`): tiny → 2…4 (from the seed); paper → 50.
  public var images: Int?
  /// Registries linked to each node (distinct, chosen at random), clamped to
  /// `1...registries`. Default (`nil`): tiny → 1…registries (from the seed, per
  /// instance); paper → 3.
  public var connections: Int?
  /// Each registry's capacity as a fraction of the total compressed size of the
  /// demanded layers (those with at least one pull), multiplied per registry by a
  /// factor uniform in `[0.5, 1.5)` so that capacities are heterogeneous. Default 0.3.
  ///
  /// Capacities may then be raised so that every node without an origin link can be
  /// served (see ``includeOrigin``).
  public var capacityFraction: Double
  /// Whether the instance has an origin registry. Default `true`.
  ///
  /// Even with an origin, some nodes may lack an origin link (see
  /// ``originDropProbability``). For every node without one, the generator raises
  /// registry capacities just enough that a layer-level copy of each layer that node
  /// demands fits on one of its linked registries, so generated instances are always
  /// feasible.
  public var includeOrigin: Bool
  /// The probability that a node has no origin link although ``includeOrigin`` is
  /// `true`. Default (`nil`): tiny → 0.25, paper → 0.
  public var originDropProbability: Double?
  /// Reconstruction parameters written into the instance. Default
  /// ``Reconstruction/default`` (0.21 s per layer, nothing per byte).
  public var reconstruction: Reconstruction
  /// Paper kind: mean total pulls per node; each node's total is this times a factor
  /// uniform in `[0.5, 1.5)`, rounded. Default 300.
  public var pullsPerNode: Double
  /// Paper kind: the exponent `s` of the Zipf law `P(rank k) ∝ k^-s` of image
  /// popularity at each node. Default 0.9.
  public var zipfExponent: Double
  /// Paper kind: multiplies every file-count parameter (the calibrated median image has
  /// about 1000 files at 1.0). Use e.g. 0.05 for fast tests or very large catalogues.
  /// Byte sizes do not change with it. Default 1.0.
  public var filesPerImageScale: Double
  /// The instance's `name`. Default (`nil`): derived from kind, seed and sizes, e.g.
  /// `paper-s1-r5-n10-i50`.
  public var name: String?

  /// Creates generator options; every parameter has the default documented on its
  /// property.
  public init(
    kind: InstanceKind = .paper,
    seed: UInt64 = 1,
    registries: Int? = nil,
    nodes: Int? = nil,
    images: Int? = nil,
    connections: Int? = nil,
    capacityFraction: Double = 0.3,
    includeOrigin: Bool = true,
    originDropProbability: Double? = nil,
    reconstruction: Reconstruction = .default,
    pullsPerNode: Double = 300,
    zipfExponent: Double = 0.9,
    filesPerImageScale: Double = 1.0,
    name: String? = nil
  ) {
    self.kind = kind
    self.seed = seed
    self.registries = registries
    self.nodes = nodes
    self.images = images
    self.connections = connections
    self.capacityFraction = capacityFraction
    self.includeOrigin = includeOrigin
    self.originDropProbability = originDropProbability
    self.reconstruction = reconstruction
    self.pullsPerNode = pullsPerNode
    self.zipfExponent = zipfExponent
    self.filesPerImageScale = filesPerImageScale
    self.name = name
  }

  /// A preset for scale experiments: 20 registries, 50 nodes, 24 000 images — about
  /// 100 000 layers, 0.5 million files and 5 million file references (about 1.5 s to
  /// generate in a release build). Lower `filesPerImageScale` to shrink the files.
  ///
  /// - Parameter seed: the seed.
  public static func large(seed: UInt64) -> GeneratorOptions {
    GeneratorOptions(
      kind: .paper, seed: seed, registries: 20, nodes: 50, images: 24_000)
  }
}

/// Builds seeded, reproducible planning instances.
///
/// The same ``GeneratorOptions`` always give the identical ``Instance`` (compared with
/// `==`): all randomness comes from ``SplitMix64`` through this module's own bounded
/// integers and shuffles, and no `Set` or `Dictionary` order reaches the output.
/// Identifiers are zero-padded, `reg-00`, `node-03`, `img-017`, `layer-0042`,
/// `file-000123`, widened only when a count needs more digits.
///
/// Separate random streams are split off the seed for the catalogue, the network and
/// the demand, so e.g. changing the number of nodes of a paper instance keeps its
/// catalogue of images unchanged. The distributions and their sources are documented
/// in `Docs/generator.md`.
public enum InstanceGenerator {
  /// Generates the instance described by `options`.
  ///
  /// - Parameter options: kind, seed and sizes.
  /// - Returns: a valid, feasible instance (every demanded layer can be served).
  /// - Complexity: O(total file references + nodes · images) for the paper kind.
  public static func generate(_ options: GeneratorOptions) -> Instance {
    switch options.kind {
    case .tiny: return generateTiny(options)
    case .paper: return generatePaper(options)
    }
  }
}

// MARK: - Shared internals

/// A catalogue under construction, by dense index.
struct CatalogueDraft {
  /// Size of each file in bytes.
  var fileSizes: [Int64] = []
  /// Compressed size of each layer in bytes.
  var layerSizes: [Int64] = []
  /// File indices of each layer, without repeats.
  var layerFiles: [[Int]] = []
  /// Layer indices of each image, without repeats.
  var imageLayers: [[Int]] = []

  /// Appends a file and returns its index.
  mutating func addFile(sizeBytes: Int64) -> Int {
    fileSizes.append(sizeBytes)
    return fileSizes.count - 1
  }

  /// Appends a layer and returns its index.
  mutating func addLayer(sizeBytes: Int64, files: [Int]) -> Int {
    layerSizes.append(sizeBytes)
    layerFiles.append(files)
    return layerSizes.count - 1
  }
}

/// A node–registry link by dense index.
struct LinkDraft {
  var node: Int
  var registry: Int
  var bandwidth: Double
  var latency: Double
}

/// A demand entry by dense index.
struct DemandDraft {
  var node: Int
  var image: Int
  var pulls: Double
}

/// The network of a draft: links per node (in the order they are written) and origin links.
struct NetworkDraft {
  var links: [LinkDraft] = []
  /// Origin link (bandwidth, latency) per node, or `nil` where the node has none.
  var originLinks: [(bandwidth: Double, latency: Double)?] = []
  /// Whether the instance has an origin at all (it may have no links left).
  var hasOrigin = false
}

enum GeneratorSupport {
  /// `prefix` followed by `index` zero-padded to `width` digits.
  static func id(_ prefix: String, _ index: Int, width: Int) -> String {
    let digits = String(index)
    let padding = max(0, width - digits.count)
    return prefix + String(repeating: "0", count: padding) + digits
  }

  /// The id width for `count` entities: `minimum`, or more if `count - 1` needs it.
  static func width(count: Int, minimum: Int) -> Int {
    max(minimum, String(max(count - 1, 0)).count)
  }

  /// Rounds a bandwidth to whole kB/s and a latency to 0.1 ms, for readable JSON.
  static func roundedBandwidth(_ value: Double) -> Double {
    max(1000, (value / 1000).rounded() * 1000)
  }

  /// See ``roundedBandwidth(_:)``.
  static func roundedLatency(_ value: Double) -> Double {
    (value * 10_000).rounded() / 10_000
  }

  /// Links every node to `connections` distinct random registries (edge links: bandwidth
  /// uniform in [10, 100) MB/s, latency uniform in [5, 30) ms) and, when `includeOrigin`,
  /// to the origin with probability `1 - dropProbability` (bandwidth uniform in
  /// [1, 5) MB/s, latency uniform in [100, 300) ms).
  static func network(
    nodes: Int, registries: Int, connections: (inout SplitMix64) -> Int,
    includeOrigin: Bool, dropProbability: Double, rng: inout SplitMix64
  ) -> NetworkDraft {
    var draft = NetworkDraft()
    draft.hasOrigin = includeOrigin
    for node in 0..<nodes {
      let count = min(max(connections(&rng), 1), registries)
      let chosen = rng.nextDistinctIndices(count: count, upperBound: registries).sorted()
      for registry in chosen {
        let bandwidth = roundedBandwidth(rng.nextUniform(10e6, 100e6))
        let latency = roundedLatency(rng.nextUniform(0.005, 0.030))
        draft.links.append(
          LinkDraft(node: node, registry: registry, bandwidth: bandwidth, latency: latency))
      }
      let bandwidth = roundedBandwidth(rng.nextUniform(1e6, 5e6))
      let latency = roundedLatency(rng.nextUniform(0.100, 0.300))
      let dropped = rng.nextBernoulli(dropProbability)
      draft.originLinks.append(
        includeOrigin && !dropped ? (bandwidth: bandwidth, latency: latency) : nil)
    }
    return draft
  }

  /// For each node, the sorted indices of the layers it demands (pulls > 0).
  static func demandedLayers(
    catalogue: CatalogueDraft, demands: [DemandDraft], nodes: Int
  ) -> [[Int]] {
    var stamp = [Int](repeating: -1, count: catalogue.layerSizes.count)
    var result = [[Int]](repeating: [], count: nodes)
    // The stamp only skips repeats within a run of one node's demands; sorting and
    // removing neighbours below makes the result exact in any order of demands.
    for demand in demands where demand.pulls > 0 {
      for layer in catalogue.imageLayers[demand.image] where stamp[layer] != demand.node {
        stamp[layer] = demand.node
        result[demand.node].append(layer)
      }
    }
    for node in 0..<nodes {
      result[node].sort()
      var unique: [Int] = []
      unique.reserveCapacity(result[node].count)
      for layer in result[node] where unique.last != layer { unique.append(layer) }
      result[node] = unique
    }
    return result
  }

  /// Capacities: `fraction` × (total size of demanded layers) × U[0.5, 1.5) per
  /// registry, then raised so that every node without an origin link can get each of
  /// its demanded layers at layer level from one of its registries (greedy: a layer not
  /// yet assigned to any of the node's registries goes to the one with most slack).
  static func capacities(
    registries: Int, fraction: Double, catalogue: CatalogueDraft,
    demanded: [[Int]], network: NetworkDraft, rng: inout SplitMix64
  ) -> [Int64] {
    var isDemanded = [Bool](repeating: false, count: catalogue.layerSizes.count)
    for layers in demanded { for layer in layers { isDemanded[layer] = true } }
    var total: Int64 = 0
    for (layer, size) in catalogue.layerSizes.enumerated() where isDemanded[layer] {
      total += size
    }
    var capacity = [Int64](repeating: 0, count: registries)
    for registry in 0..<registries {
      let factor = rng.nextUniform(0.5, 1.5)
      capacity[registry] = Int64((max(fraction, 0) * Double(total) * factor).rounded(.down))
    }
    // Feasibility repair for nodes without an origin link.
    var linksOfNode = [[Int]](repeating: [], count: network.originLinks.count)
    for link in network.links { linksOfNode[link.node].append(link.registry) }
    var assigned = [[Bool]](
      repeating: [Bool](repeating: false, count: catalogue.layerSizes.count), count: registries)
    var assignedBytes = [Int64](repeating: 0, count: registries)
    for node in 0..<network.originLinks.count where network.originLinks[node] == nil {
      let registriesOfNode = linksOfNode[node]
      guard !registriesOfNode.isEmpty else { continue }
      for layer in demanded[node] {
        if registriesOfNode.contains(where: { assigned[$0][layer] }) { continue }
        var best = registriesOfNode[0]
        for registry in registriesOfNode.dropFirst()
        where capacity[registry] - assignedBytes[registry]
          > capacity[best] - assignedBytes[best]
        {
          best = registry
        }
        assigned[best][layer] = true
        assignedBytes[best] += catalogue.layerSizes[layer]
      }
    }
    for registry in 0..<registries {
      capacity[registry] = max(capacity[registry], assignedBytes[registry])
    }
    return capacity
  }

  /// Turns the drafts into an ``Instance`` with zero-padded string ids. Files used by
  /// no layer are dropped and the rest renumbered in creation order.
  static func emit(
    name: String, reconstruction: Reconstruction, capacities: [Int64], nodes: Int,
    network: NetworkDraft, catalogue: CatalogueDraft, demands: [DemandDraft]
  ) -> Instance {
    let registryWidth = width(count: capacities.count, minimum: 2)
    let registryIDs = (0..<capacities.count).map { id("reg-", $0, width: registryWidth) }
    let nodeWidth = width(count: nodes, minimum: 2)
    let nodeIDs = (0..<nodes).map { id("node-", $0, width: nodeWidth) }

    var newIndex = [Int](repeating: -1, count: catalogue.fileSizes.count)
    var usedCount = 0
    for files in catalogue.layerFiles {
      for file in files where newIndex[file] < 0 {
        newIndex[file] = 0
        usedCount += 1
      }
    }
    let fileWidth = width(count: usedCount, minimum: 6)
    var fileIDs = [String](repeating: "", count: catalogue.fileSizes.count)
    var files: [File] = []
    files.reserveCapacity(usedCount)
    for (old, size) in catalogue.fileSizes.enumerated() where newIndex[old] >= 0 {
      newIndex[old] = files.count
      fileIDs[old] = id("file-", files.count, width: fileWidth)
      files.append(File(id: fileIDs[old], sizeBytes: size))
    }

    let layerWidth = width(count: catalogue.layerSizes.count, minimum: 4)
    let layerIDs = (0..<catalogue.layerSizes.count).map { id("layer-", $0, width: layerWidth) }
    let layers = (0..<catalogue.layerSizes.count).map { layer in
      Layer(
        id: layerIDs[layer], sizeBytes: catalogue.layerSizes[layer],
        files: catalogue.layerFiles[layer].map { fileIDs[$0] })
    }
    let imageWidth = width(count: catalogue.imageLayers.count, minimum: 3)
    let imageIDs = (0..<catalogue.imageLayers.count).map { id("img-", $0, width: imageWidth) }
    let images = catalogue.imageLayers.enumerated().map { image, layerList in
      Image(id: imageIDs[image], layers: layerList.map { layerIDs[$0] })
    }

    let registries = capacities.enumerated().map { index, capacity in
      Registry(id: registryIDs[index], capacityBytes: capacity)
    }
    let links = network.links.map {
      Link(
        node: nodeIDs[$0.node], registry: registryIDs[$0.registry],
        bandwidthBytesPerSecond: $0.bandwidth, latencySeconds: $0.latency)
    }
    var originLinks: [OriginLink] = []
    for (node, link) in network.originLinks.enumerated() {
      guard let link else { continue }
      originLinks.append(
        OriginLink(
          node: nodeIDs[node], bandwidthBytesPerSecond: link.bandwidth,
          latencySeconds: link.latency))
    }
    let demandList = demands.map {
      Demand(node: nodeIDs[$0.node], image: imageIDs[$0.image], pulls: $0.pulls)
    }
    return Instance(
      name: name, reconstruction: reconstruction, registries: registries,
      nodes: nodeIDs.map { Node(id: $0) }, links: links,
      origin: network.hasOrigin ? Origin(links: originLinks) : nil,
      files: files, layers: layers, images: images, demands: demandList)
  }
}
