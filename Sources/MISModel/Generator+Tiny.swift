import Foundation

extension InstanceGenerator {
  /// The `tiny` kind: a handful of registries, nodes, images, layers and files.
  ///
  /// Sizes (each drawn from the seed unless given in the options):
  /// * registries R ∈ {2, 3}, nodes ∈ 2…4, images ∈ 2…4;
  /// * layers L ∈ max(2, min(images, cap))…cap with cap = min(8, 16 / R), so that
  ///   R × L ≤ 16 and brute force over {none, layer, file}^(R×L) stays ≤ 3^16;
  /// * a pool of P ∈ max(3, L)…min(20, 2L + 4) files, each 64 KiB × U{1…40};
  ///   every layer takes 1…4 distinct files of the pool (so files are often shared),
  ///   or none with probability 0.05 (an empty, metadata-only layer);
  /// * layer size = Σ file sizes / r with r ∈ U[1, 3) (an empty layer is 1 KiB);
  /// * each image gets one layer of a shuffled round-robin, then 0…2 extra layers,
  ///   kept in layer order;
  /// * each node demands each image with probability 0.6 (at least one image): an
  ///   integer 1…20 pulls, or (probability 0.3) a multiple of 0.25 in [0.25, 10].
  static func generateTiny(_ options: GeneratorOptions) -> Instance {
    var root = SplitMix64(seed: options.seed)
    var sizes = root.split()
    var catalogueRNG = root.split()
    var networkRNG = root.split()
    var demandRNG = root.split()
    var capacityRNG = root.split()

    let registryCount = max(options.registries ?? sizes.nextInt(in: 2...3), 1)
    let nodeCount = max(options.nodes ?? sizes.nextInt(in: 2...4), 1)
    let imageCount = max(options.images ?? sizes.nextInt(in: 2...4), 1)
    let layerCap = max(1, min(8, 16 / registryCount))
    let layerCount = sizes.nextInt(in: min(max(2, imageCount), layerCap)...layerCap)
    let poolCount = sizes.nextInt(in: max(3, layerCount)...min(20, 2 * layerCount + 4))

    // Catalogue.
    var catalogue = CatalogueDraft()
    let pool = (0..<poolCount).map { _ in
      catalogue.addFile(sizeBytes: 65_536 * Int64(catalogueRNG.nextInt(in: 1...40)))
    }
    for _ in 0..<layerCount {
      var files: [Int] = []
      if !catalogueRNG.nextBernoulli(0.05) {
        let count = catalogueRNG.nextInt(in: 1...min(4, poolCount))
        files = catalogueRNG.nextDistinctIndices(count: count, upperBound: poolCount)
          .sorted().map { pool[$0] }
      }
      let bytes = files.reduce(Int64(0)) { $0 + catalogue.fileSizes[$1] }
      let ratio = catalogueRNG.nextUniform(1, 3)
      let size = files.isEmpty ? 1024 : max(1, Int64((Double(bytes) / ratio).rounded()))
      _ = catalogue.addLayer(sizeBytes: size, files: files)
    }
    let order = Array(0..<layerCount).stableShuffled(using: &catalogueRNG)
    var imageLayers = [[Int]](repeating: [], count: imageCount)
    for (position, layer) in order.enumerated() {
      imageLayers[position % imageCount].append(layer)
    }
    for image in 0..<imageCount {
      if imageLayers[image].isEmpty {
        imageLayers[image].append(catalogueRNG.nextInt(upperBound: layerCount))
      }
      for _ in 0..<catalogueRNG.nextInt(in: 0...2) {
        let extra = catalogueRNG.nextInt(upperBound: layerCount)
        if !imageLayers[image].contains(extra) { imageLayers[image].append(extra) }
      }
      imageLayers[image].sort()
    }
    catalogue.imageLayers = imageLayers

    // Network.
    let network = GeneratorSupport.network(
      nodes: nodeCount, registries: registryCount,
      connections: { rng in options.connections ?? rng.nextInt(in: 1...registryCount) },
      includeOrigin: options.includeOrigin,
      dropProbability: options.originDropProbability ?? 0.25, rng: &networkRNG)

    // Demand.
    var demands: [DemandDraft] = []
    for node in 0..<nodeCount {
      var chosen = (0..<imageCount).filter { _ in demandRNG.nextBernoulli(0.6) }
      if chosen.isEmpty { chosen = [demandRNG.nextInt(upperBound: imageCount)] }
      for image in chosen {
        let pulls =
          demandRNG.nextBernoulli(0.3)
          ? Double(demandRNG.nextInt(in: 1...40)) * 0.25
          : Double(demandRNG.nextInt(in: 1...20))
        demands.append(DemandDraft(node: node, image: image, pulls: pulls))
      }
    }

    let demanded = GeneratorSupport.demandedLayers(
      catalogue: catalogue, demands: demands, nodes: nodeCount)
    let capacities = GeneratorSupport.capacities(
      registries: registryCount, fraction: options.capacityFraction, catalogue: catalogue,
      demanded: demanded, network: network, rng: &capacityRNG)
    let name =
      options.name ?? "tiny-s\(options.seed)-r\(registryCount)-n\(nodeCount)-i\(imageCount)"
    return GeneratorSupport.emit(
      name: name, reconstruction: options.reconstruction, capacities: capacities,
      nodes: nodeCount, network: network, catalogue: catalogue, demands: demands)
  }
}
