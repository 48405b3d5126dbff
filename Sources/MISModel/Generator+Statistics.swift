import Foundation

/// Shape statistics of an instance's catalogue, as used to calibrate the generator
/// against the Docker Hub studies (see `Docs/generator.md`).
///
/// Unknown ids in the instance are skipped, so the statistics can be computed before
/// validation. Percentiles interpolate linearly between order statistics.
///
/// ```swift
/// let stats = CatalogueStatistics(InstanceGenerator.generate(GeneratorOptions(seed: 1)))
/// print(stats.medianLayerBytes, stats.fileUniquenessAcrossImages)
/// ```
///
/// - Complexity: O(file references · log) to build.
public struct CatalogueStatistics: Sendable, Hashable {
  /// Number of layers.
  public var layerCount: Int
  /// Number of files.
  public var fileCount: Int
  /// Number of images.
  public var imageCount: Int
  /// Median compressed layer size, bytes.
  public var medianLayerBytes: Double
  /// 90th percentile of the compressed layer size, bytes.
  public var p90LayerBytes: Double
  /// Median over layers with files of (Σ sizes of the layer's files) / (layer size).
  public var medianCompressionRatio: Double
  /// Median number of layers per image.
  public var medianLayersPerImage: Double
  /// Median number of file references per image (Σ over its layers of their file counts).
  public var medianFilesPerImage: Double
  /// Median number of files per layer.
  public var medianFilesPerLayer: Double
  /// Among layers used by at least one image, the fraction used by exactly one.
  public var singleImageLayerFraction: Double
  /// Distinct files / file references counted per image (each image counts every file
  /// of each of its layers): Zhao et al.'s "only 3 % of the files in images are unique".
  public var fileUniquenessAcrossImages: Double
  /// Distinct files / file references counted per layer (each layer once).
  public var fileUniquenessAcrossLayers: Double
  /// Σ over layers of their files' bytes / bytes of the distinct files: how much
  /// storing everything at file level would deduplicate.
  public var fileDedupByteRatio: Double
  /// Total compressed bytes of all layers.
  public var totalLayerBytes: Int64
  /// Total bytes of all distinct files.
  public var totalFileBytes: Int64

  /// Computes the statistics of `instance`.
  public init(_ instance: Instance) {
    var fileIndex: [String: Int] = [:]
    fileIndex.reserveCapacity(instance.files.count)
    for (index, file) in instance.files.enumerated() { fileIndex[file.id] = index }
    var layerIndex: [String: Int] = [:]
    layerIndex.reserveCapacity(instance.layers.count)
    for (index, layer) in instance.layers.enumerated() { layerIndex[layer.id] = index }

    let fileSizes = instance.files.map(\.sizeBytes)
    var layerFileBytes = [Int64](repeating: 0, count: instance.layers.count)
    var layerFileCounts = [Int](repeating: 0, count: instance.layers.count)
    var layerReferences = 0
    var referencedBytes: Int64 = 0
    var fileUsed = [Bool](repeating: false, count: instance.files.count)
    for (index, layer) in instance.layers.enumerated() {
      for id in layer.files {
        guard let file = fileIndex[id] else { continue }
        layerFileBytes[index] += fileSizes[file]
        layerFileCounts[index] += 1
        fileUsed[file] = true
      }
      layerReferences += layerFileCounts[index]
      referencedBytes += layerFileBytes[index]
    }
    var usedBy = [Int](repeating: 0, count: instance.layers.count)
    var imageReferences = 0
    var filesPerImage: [Double] = []
    var layersPerImage: [Double] = []
    for image in instance.images {
      var files = 0
      var layers = 0
      for id in image.layers {
        guard let layer = layerIndex[id] else { continue }
        usedBy[layer] += 1
        files += layerFileCounts[layer]
        layers += 1
      }
      imageReferences += files
      filesPerImage.append(Double(files))
      layersPerImage.append(Double(layers))
    }
    var distinctFiles = 0
    var distinctBytes: Int64 = 0
    for (index, used) in fileUsed.enumerated() where used {
      distinctFiles += 1
      distinctBytes += fileSizes[index]
    }
    let usedLayers = usedBy.filter { $0 > 0 }.count
    let ratios = instance.layers.indices.compactMap { index -> Double? in
      guard layerFileCounts[index] > 0, instance.layers[index].sizeBytes > 0 else { return nil }
      return Double(layerFileBytes[index]) / Double(instance.layers[index].sizeBytes)
    }
    let layerBytes = instance.layers.map { Double($0.sizeBytes) }

    layerCount = instance.layers.count
    fileCount = instance.files.count
    imageCount = instance.images.count
    medianLayerBytes = Self.percentile(layerBytes, 0.5)
    p90LayerBytes = Self.percentile(layerBytes, 0.9)
    medianCompressionRatio = Self.percentile(ratios, 0.5)
    medianLayersPerImage = Self.percentile(layersPerImage, 0.5)
    medianFilesPerImage = Self.percentile(filesPerImage, 0.5)
    medianFilesPerLayer = Self.percentile(layerFileCounts.map(Double.init), 0.5)
    singleImageLayerFraction =
      usedLayers == 0 ? 0 : Double(usedBy.filter { $0 == 1 }.count) / Double(usedLayers)
    fileUniquenessAcrossImages =
      imageReferences == 0 ? 0 : Double(distinctFiles) / Double(imageReferences)
    fileUniquenessAcrossLayers =
      layerReferences == 0 ? 0 : Double(distinctFiles) / Double(layerReferences)
    fileDedupByteRatio = distinctBytes == 0 ? 0 : Double(referencedBytes) / Double(distinctBytes)
    totalLayerBytes = instance.layers.reduce(0) { $0 + $1.sizeBytes }
    totalFileBytes = fileSizes.reduce(0, +)
  }

  /// The `p`-quantile (0…1) of `values` by linear interpolation; 0 when empty.
  static func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let position = p * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
  }
}
