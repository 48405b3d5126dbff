import Foundation
import MISModel
import Testing

/// Prints the calibration numbers of `Docs/generator.md`. Runs only when the
/// environment variable `MIS_GENERATOR_REPORT` is set (it generates large instances):
///
///     MIS_GENERATOR_REPORT=1 swift test -c release --filter GeneratorReport
@Suite("Generator calibration report")
struct GeneratorReport {
  static let enabled = ProcessInfo.processInfo.environment["MIS_GENERATOR_REPORT"] != nil

  @Test("Print statistics and generation times", .enabled(if: GeneratorReport.enabled))
  func report() {
    let configurations: [(String, GeneratorOptions)] = [
      ("paper default (seed 1)", GeneratorOptions(kind: .paper, seed: 1)),
      (
        "test config: paper i=300 scale 0.2 (seed 1)",
        GeneratorOptions(kind: .paper, seed: 1, images: 300, filesPerImageScale: 0.2)
      ),
      ("paper i=300 (seed 1)", GeneratorOptions(kind: .paper, seed: 1, images: 300)),
      ("paper i=300 (seed 2)", GeneratorOptions(kind: .paper, seed: 2, images: 300)),
      (
        "paper r20 n50 i2000 (seed 1)",
        GeneratorOptions(kind: .paper, seed: 1, registries: 20, nodes: 50, images: 2000)
      ),
      ("large preset (seed 1)", GeneratorOptions.large(seed: 1)),
    ]
    for (label, options) in configurations {
      let start = ContinuousClock.now
      let instance = InstanceGenerator.generate(options)
      let elapsed = ContinuousClock.now - start
      let s = CatalogueStatistics(instance)
      let references = instance.layers.reduce(0) { $0 + $1.files.count }
      print(
        """
        == \(label): generated in \(elapsed)
           layers \(s.layerCount), files \(s.fileCount), file refs \(references), images \(s.imageCount), demands \(instance.demands.count)
           layer MB median \(s.medianLayerBytes / 1e6) p90 \(s.p90LayerBytes / 1e6)
           compression median \(s.medianCompressionRatio), layers/image median \(s.medianLayersPerImage)
           files/image median \(s.medianFilesPerImage), files/layer median \(s.medianFilesPerLayer)
           single-image layers \(s.singleImageLayerFraction)
           file uniqueness across images \(s.fileUniquenessAcrossImages), across layers \(s.fileUniquenessAcrossLayers)
           file-level dedup (bytes) \(s.fileDedupByteRatio), layer GB \(Double(s.totalLayerBytes) / 1e9), file GB \(Double(s.totalFileBytes) / 1e9)
           capacities GB \(instance.registries.map { Double($0.capacityBytes) / 1e9 })
        """)
    }
  }
}
