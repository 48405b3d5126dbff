import Foundation

/// The calibration constants of the `paper` kind, in one place.
///
/// Sources: N. Zhao, V. Tarasov, H. Albahar, A. Anwar, L. Rupprecht, D. Skourtis,
/// A. S. Warke, M. Mohamed, A. R. Butt, "Large-Scale Analysis of the Docker Hub
/// Dataset", IEEE CLUSTER 2019, doi:10.1109/CLUSTER.2019.8891000; A. Anwar et al.,
/// "Improving Docker Registry Design Based on Production Workload Analysis", USENIX
/// FAST 2018. Values marked *assumption* are not measured there. `Docs/generator.md`
/// lists what the generator actually produces.
enum PaperCalibration {
  /// Median compressed layer size, bytes (Zhao et al.: ≈ 4 MB).
  static let layerMedianBytes = 4e6
  /// 90th percentile of compressed layer size, bytes (Zhao et al.: ≈ 63 MB).
  static let layerP90Bytes = 63e6
  /// σ of ln(layer size): ln(p90 / median) / z₀.₉ with z₀.₉ = 1.2816.
  static let layerSigma = log(layerP90Bytes / layerMedianBytes) / 1.281_551_565_5
  /// Layer size targets are clamped to this range (*assumption*).
  static let layerBytesRange = 1024.0...4e9
  /// Median uncompressed/compressed ratio of a layer (Zhao et al.: ≈ 2.6).
  static let compressionMedian = 2.6
  /// σ of ln(compression ratio) (*assumption*), clamped to `compressionRange`.
  static let compressionSigma = 0.25
  /// Allowed compression ratios.
  static let compressionRange = 1.2...6.0
  /// Median size of a shared (library / package / small system) file, bytes (*assumption*).
  static let smallFileMedianBytes = 4096.0
  /// σ of ln(small file size) (*assumption*).
  static let smallFileSigma = 1.5
  /// σ of the log-normal weights that split a byte budget across files (*assumption*).
  static let fillSigma = 1.5
  /// OS base families: count = clamp(round(√images / 3), 1, 10) (*assumption*).
  static let osFamilyRange = 1...10
  /// Versions per OS family (*assumption*).
  static let osVersionRange = 2...6
  /// Median files in an OS family's core (× `filesPerImageScale`), σ of its log.
  static let osCoreFilesMedian = 500.0
  /// See ``osCoreFilesMedian``.
  static let osCoreFilesSigma = 0.5
  /// Probability that an OS version layer contains a given core file.
  static let osCoreInclusion = 0.9
  /// Version-specific files of an OS version layer, as a fraction of the core count.
  static let osDeltaFraction = 0.1
  /// Share of an OS layer's uncompressed bytes in core files.
  static let osCoreByteShare = 0.85
  /// Fraction of images built on a language runtime layer (*assumption*).
  static let runtimeImageShare = 0.65
  /// Mean number of images sharing one runtime layer (*assumption*).
  static let imagesPerRuntimeLayer = 6.0
  /// Runtime families: count = clamp(round(√images / 2), 1, 12).
  static let runtimeFamilyRange = 1...12
  /// Median files in a runtime family's pool (× `filesPerImageScale`), σ of its log.
  static let runtimePoolFilesMedian = 300.0
  /// See ``runtimePoolFilesMedian``.
  static let runtimePoolFilesSigma = 0.5
  /// Probability that a runtime layer contains a given file of its family's pool.
  static let runtimePoolInclusion = 0.7
  /// Version-specific files of a runtime layer, as a fraction of the pool count.
  static let runtimeDeltaFraction = 0.1
  /// Share of a runtime layer's uncompressed bytes in pool files.
  static let runtimePoolByteShare = 0.75
  /// Application layers per image: 1 + Poisson(mean), at most `appLayersMax`.
  static let appLayersPoissonMean = 3.0
  /// See ``appLayersPoissonMean``.
  static let appLayersMax = 12
  /// Median files per application layer (× `filesPerImageScale`), σ of its log.
  static let appLayerFilesMedian = 30.0
  /// See ``appLayerFilesMedian``.
  static let appLayerFilesSigma = 1.0
  /// Fraction of an application layer's files that are new (never seen elsewhere).
  static let appFreshFraction = 0.04
  /// Share of an application layer's uncompressed bytes meant for its new files; the
  /// rest is copies of package files (*assumption*, tuned for byte-level dedup).
  static let appFreshByteShare = 0.1
  /// Package files (shared library / package files that application layers copy) come
  /// in size classes: class b has log-normal sizes with median `2 KiB · 2^b`, σ 0.35
  /// (*assumption*).
  static let packageClasses = 17
  /// Median size of package class 0, bytes.
  static let packageClassBaseBytes = 2048.0
  /// Size ratio between consecutive package classes.
  static let packageClassStep = 2.0
  /// σ of ln(size) within a package class.
  static let packageClassSigma = 0.35
  /// Package files of class 0 per image (× `filesPerImageScale`); class b has
  /// `packageClassDecay^b` times as many, and every class at least 64 (big files are few
  /// and widely copied) (*assumption*, tuned for file uniqueness and byte dedup).
  static let packagePoolPerImage = 4.0
  /// See ``packagePoolPerImage``.
  static let packageClassDecay = 0.7
  /// Zipf exponent of package-file popularity within a class.
  static let packageZipf = 1.0
  /// Zipf exponent of how often a base (OS or runtime) layer is chosen by an image.
  static let baseZipf = 1.0
}

/// Cumulative weights of a Zipf law over ranks 1…n, sampled by binary search.
struct ZipfTable {
  /// `cumulative[k]` = Σ_{j ≤ k+1} j^-s.
  let cumulative: [Double]

  /// Builds the table for `count` ranks (≥ 1) and exponent `exponent` (≥ 0).
  init(count: Int, exponent: Double) {
    var total = 0.0
    var values: [Double] = []
    values.reserveCapacity(max(count, 1))
    for rank in 1...max(count, 1) {
      total += exp(-exponent * log(Double(rank)))
      values.append(total)
    }
    cumulative = values
  }

  /// Draws a 0-based rank. O(log n).
  func sample(using rng: inout SplitMix64) -> Int {
    let target = rng.nextUniform() * (cumulative.last ?? 0)
    var low = 0
    var high = cumulative.count - 1
    while low < high {
      let mid = (low + high) / 2
      if cumulative[mid] > target { high = mid } else { low = mid + 1 }
    }
    return low
  }
}

/// Builds a paper-kind catalogue by dense index.
struct PaperCatalogueBuilder {
  var draft = CatalogueDraft()
  var rng: SplitMix64
  let scale: Double

  typealias C = PaperCalibration

  /// A compressed-size target from the calibrated log-normal, clamped.
  mutating func layerTarget() -> Double {
    let value = rng.nextLogNormal(median: C.layerMedianBytes, sigma: C.layerSigma)
    return min(max(value, C.layerBytesRange.lowerBound), C.layerBytesRange.upperBound)
  }

  /// A compression ratio from its log-normal, clamped.
  mutating func compressionRatio() -> Double {
    let value = rng.nextLogNormal(median: C.compressionMedian, sigma: C.compressionSigma)
    return min(max(value, C.compressionRange.lowerBound), C.compressionRange.upperBound)
  }

  /// A file count `median × scale × exp(σ N)`, at least 1.
  mutating func fileCount(median: Double, sigma: Double) -> Int {
    max(1, Int(rng.nextLogNormal(median: median * scale, sigma: sigma).rounded()))
  }

  /// Creates `count` files whose sizes split `totalBytes` in log-normal proportions
  /// (each at least 1 byte).
  mutating func filledFiles(count: Int, totalBytes: Double) -> [Int] {
    let weights = (0..<count).map { _ in exp(C.fillSigma * rng.nextGaussian()) }
    let sum = weights.reduce(0, +)
    return weights.map { weight in
      let bytes = max(1, Int64((totalBytes * weight / sum).rounded(.down)))
      return draft.addFile(sizeBytes: bytes)
    }
  }

  /// Creates `count` small files (package / library files).
  mutating func smallFiles(count: Int) -> [Int] {
    (0..<count).map { _ in
      let bytes = rng.nextLogNormal(median: C.smallFileMedianBytes, sigma: C.smallFileSigma)
      return draft.addFile(sizeBytes: max(1, Int64(bytes.rounded())))
    }
  }

  /// Adds a layer made of `shared` files (already existing) plus `freshCount` new files
  /// whose bytes bring the layer's uncompressed total to `ratio × target` (or, when the
  /// shared files already exceed that, small new files); the layer's compressed size is
  /// its uncompressed total divided by `ratio` (its compression ratio).
  mutating func addLayer(shared: [Int], freshCount: Int, target: Double, ratio: Double) -> Int {
    var sharedBytes: Int64 = 0
    for file in shared { sharedBytes += draft.fileSizes[file] }
    let remaining = ratio * target - Double(sharedBytes)
    let fresh =
      remaining >= Double(freshCount) * 512
      ? filledFiles(count: freshCount, totalBytes: remaining)
      : smallFiles(count: freshCount)
    var total = sharedBytes
    for file in fresh { total += draft.fileSizes[file] }
    let size = max(1, Int64((Double(total) / ratio).rounded()))
    return draft.addLayer(sizeBytes: size, files: shared + fresh)
  }

  /// The layers of a base family (an OS or a runtime): a pool of files whose byte total
  /// is `byteShare × 2.6 × target / inclusion`; each of the `versions` layers contains
  /// each pool file with probability `inclusion`, plus `deltaFraction × pool` new files.
  mutating func family(
    versions: Int, poolMedian: Double, poolSigma: Double, inclusion: Double,
    deltaFraction: Double, byteShare: Double
  ) -> [Int] {
    let target = layerTarget()
    let poolCount = fileCount(median: poolMedian, sigma: poolSigma)
    let pool = filledFiles(
      count: poolCount, totalBytes: byteShare * C.compressionMedian * target / inclusion)
    let delta = max(1, Int((deltaFraction * Double(poolCount)).rounded()))
    return (0..<versions).map { _ in
      let shared = pool.filter { _ in rng.nextBernoulli(inclusion) }
      let versionTarget = target * rng.nextUniform(0.9, 1.1)
      return addLayer(
        shared: shared, freshCount: delta, target: versionTarget, ratio: compressionRatio())
    }
  }
}

extension InstanceGenerator {
  /// The `paper` kind; see ``PaperCalibration`` and `Docs/generator.md`.
  static func generatePaper(_ options: GeneratorOptions) -> Instance {
    typealias C = PaperCalibration
    var root = SplitMix64(seed: options.seed)
    let catalogueRNG = root.split()
    var networkRNG = root.split()
    var demandRNG = root.split()
    var capacityRNG = root.split()

    let registryCount = max(options.registries ?? 5, 1)
    let nodeCount = max(options.nodes ?? 10, 1)
    let imageCount = max(options.images ?? 50, 1)
    let connections = min(max(options.connections ?? 3, 1), registryCount)
    let scale = max(options.filesPerImageScale, 1e-6)

    var builder = PaperCatalogueBuilder(rng: catalogueRNG, scale: scale)
    let root2 = Double(imageCount).squareRoot()

    // OS base families, their versions flattened in creation order.
    let osFamilies = min(
      max(Int((root2 / 3).rounded()), C.osFamilyRange.lowerBound), C.osFamilyRange.upperBound)
    var osLayers: [Int] = []
    for _ in 0..<osFamilies {
      let versions = builder.rng.nextInt(in: C.osVersionRange)
      osLayers += builder.family(
        versions: versions, poolMedian: C.osCoreFilesMedian, poolSigma: C.osCoreFilesSigma,
        inclusion: C.osCoreInclusion, deltaFraction: C.osDeltaFraction,
        byteShare: C.osCoreByteShare)
    }
    osLayers.stableShuffle(using: &builder.rng)  // popularity rank ≠ family order
    let osZipf = ZipfTable(count: osLayers.count, exponent: C.baseZipf)

    // Runtime families (python, node, jdk, …): layers on top of an OS version.
    let runtimeFamilies = min(
      max(Int((root2 / 2).rounded()), C.runtimeFamilyRange.lowerBound),
      C.runtimeFamilyRange.upperBound)
    let runtimeLayerCount = max(
      1, Int((Double(imageCount) * C.runtimeImageShare / C.imagesPerRuntimeLayer).rounded()))
    var runtimeLayers: [(layer: Int, base: Int)] = []
    for family in 0..<runtimeFamilies {
      let versions = (runtimeLayerCount - family + runtimeFamilies - 1) / runtimeFamilies
      guard versions > 0 else { continue }
      let layers = builder.family(
        versions: versions, poolMedian: C.runtimePoolFilesMedian,
        poolSigma: C.runtimePoolFilesSigma, inclusion: C.runtimePoolInclusion,
        deltaFraction: C.runtimeDeltaFraction, byteShare: C.runtimePoolByteShare)
      for layer in layers {
        runtimeLayers.append((layer: layer, base: osLayers[osZipf.sample(using: &builder.rng)]))
      }
    }
    runtimeLayers.stableShuffle(using: &builder.rng)
    let runtimeZipf = ZipfTable(count: runtimeLayers.count, exponent: C.baseZipf)

    // Package pool: library / package files that application layers copy, by size class.
    let packages = (0..<C.packageClasses).map { sizeClass in
      let median = C.packageClassBaseBytes * pow(C.packageClassStep, Double(sizeClass))
      let count =
        Double(imageCount) * C.packagePoolPerImage * scale
        * pow(C.packageClassDecay, Double(sizeClass))
      return (0..<max(64, Int(count.rounded()))).map { _ in
        let bytes = builder.rng.nextLogNormal(median: median, sigma: C.packageClassSigma)
        return builder.draft.addFile(sizeBytes: max(1, Int64(bytes.rounded())))
      }
    }
    let packageZipf = packages.map { ZipfTable(count: $0.count, exponent: C.packageZipf) }
    var packageStamp = packages.map { [Int](repeating: -1, count: $0.count) }

    // Images: base (+ runtime) + application layers unique to the image.
    var imageLayers: [[Int]] = []
    imageLayers.reserveCapacity(imageCount)
    for _ in 0..<imageCount {
      var layers: [Int]
      if !runtimeLayers.isEmpty && builder.rng.nextBernoulli(C.runtimeImageShare) {
        let runtime = runtimeLayers[runtimeZipf.sample(using: &builder.rng)]
        layers = [runtime.base, runtime.layer]
      } else {
        layers = [osLayers[osZipf.sample(using: &builder.rng)]]
      }
      let appLayers =
        1 + min(builder.rng.nextPoisson(mean: C.appLayersPoissonMean), C.appLayersMax - 1)
      for _ in 0..<appLayers {
        let count = builder.fileCount(median: C.appLayerFilesMedian, sigma: C.appLayerFilesSigma)
        let fresh = max(1, Int((Double(count) * C.appFreshFraction).rounded()))
        let wanted = count - fresh
        let target = builder.layerTarget()
        let ratio = builder.compressionRatio()
        var shared: [Int] = []
        if wanted > 0 {
          // The size class whose median is closest (in log, rounded at random) to the
          // bytes per package file this layer needs.
          let perFile = (1 - C.appFreshByteShare) * ratio * target / Double(wanted)
          let position = log(perFile / C.packageClassBaseBytes) / log(C.packageClassStep)
          let lower = Int(position.rounded(.down))
          let rounded = lower + (builder.rng.nextBernoulli(position - Double(lower)) ? 1 : 0)
          let sizeClass = min(max(rounded, 0), C.packageClasses - 1)
          // Zipf picks until the next one would exceed the byte budget (so the
          // layer's size stays unbiased), or twice the wanted count is reached.
          let classFiles = packages[sizeClass]
          let budget = (1 - C.appFreshByteShare) * ratio * target
          var bytes = 0.0
          var attempts = 0
          let stampValue = builder.draft.layerSizes.count
          while shared.count < min(2 * wanted, classFiles.count) && attempts < 6 * wanted + 10 {
            attempts += 1
            let pick = packageZipf[sizeClass].sample(using: &builder.rng)
            guard packageStamp[sizeClass][pick] != stampValue else { continue }
            let fileBytes = Double(builder.draft.fileSizes[classFiles[pick]])
            if bytes + fileBytes > budget { break }
            packageStamp[sizeClass][pick] = stampValue
            bytes += fileBytes
            shared.append(classFiles[pick])
          }
        }
        layers.append(
          builder.addLayer(shared: shared, freshCount: fresh, target: target, ratio: ratio))
      }
      imageLayers.append(layers)
    }
    builder.draft.imageLayers = imageLayers
    let catalogue = builder.draft

    // Network.
    let network = GeneratorSupport.network(
      nodes: nodeCount, registries: registryCount, connections: { _ in connections },
      includeOrigin: options.includeOrigin,
      dropProbability: options.originDropProbability ?? 0, rng: &networkRNG)

    // Demand: Zipf over a node-specific permutation of the images, sampled pulls.
    let imageZipf = ZipfTable(count: imageCount, exponent: max(options.zipfExponent, 0))
    var demands: [DemandDraft] = []
    var counts = [Int](repeating: 0, count: imageCount)
    for node in 0..<nodeCount {
      let ranking = Array(0..<imageCount).stableShuffled(using: &demandRNG)
      let total = Int((max(options.pullsPerNode, 0) * demandRNG.nextUniform(0.5, 1.5)).rounded())
      for _ in 0..<total {
        counts[ranking[imageZipf.sample(using: &demandRNG)]] += 1
      }
      for image in 0..<imageCount where counts[image] > 0 {
        demands.append(DemandDraft(node: node, image: image, pulls: Double(counts[image])))
        counts[image] = 0
      }
    }

    let demanded = GeneratorSupport.demandedLayers(
      catalogue: catalogue, demands: demands, nodes: nodeCount)
    let capacities = GeneratorSupport.capacities(
      registries: registryCount, fraction: options.capacityFraction, catalogue: catalogue,
      demanded: demanded, network: network, rng: &capacityRNG)
    let name =
      options.name ?? "paper-s\(options.seed)-r\(registryCount)-n\(nodeCount)-i\(imageCount)"
    return GeneratorSupport.emit(
      name: name, reconstruction: options.reconstruction, capacities: capacities,
      nodes: nodeCount, network: network, catalogue: catalogue, demands: demands)
  }
}
