import MISModel
import MISSolver

/// A fractional placement from a relaxation — the LP of the linearised model, or any
/// other relaxation engine — that guides the improvement step (``PlanImprover``).
///
/// `layerLevel[l * R + r]` is the relaxation's `x*[l,r]` (a layer-level copy of layer `l`
/// on registry `r`), `fileLevel[l * R + r]` its `z*[l,r]` (a file-level copy). Values are
/// clamped to [0, 1]. The improver uses them for RINS neighbourhoods (Danna, Rothberg,
/// Le Pape, "Exploring relaxation induced neighborhoods to improve MIP solutions",
/// Mathematical Programming 102, 2005, doi:10.1007/s10107-004-0518-7): the placements
/// where the relaxation and the incumbent disagree are re-decided, the others stay.
///
/// ```swift
/// let relaxation = try Relaxation.solve(Formulation(index))
/// let guide = FractionalGuide(relaxation)
/// ```
public struct FractionalGuide: Sendable, Hashable {
  /// Number of layers `L`.
  public let layerCount: Int
  /// Number of registries `R`.
  public let registryCount: Int
  /// `x*[l,r]` at `l * R + r`.
  public let layerLevel: [Double]
  /// `z*[l,r]` at `l * R + r`.
  public let fileLevel: [Double]

  /// Creates a guide from dense arrays.
  ///
  /// - Parameters:
  ///   - layerCount: `L`.
  ///   - registryCount: `R`.
  ///   - layerLevel: `L · R` values of `x*`, row-major by layer.
  ///   - fileLevel: `L · R` values of `z*`, row-major by layer.
  /// - Throws: ``PlanImproverError/invalidGuide(reason:)`` when an array has the wrong
  ///   length or a value is not finite.
  public init(
    layerCount: Int, registryCount: Int, layerLevel: [Double], fileLevel: [Double]
  ) throws(PlanImproverError) {
    guard layerCount >= 0, registryCount >= 0 else {
      throw .invalidGuide(reason: "layerCount \(layerCount) and registryCount \(registryCount) must be ≥ 0")
    }
    let (count, overflow) = layerCount.multipliedReportingOverflow(by: registryCount)
    guard !overflow else { throw .invalidGuide(reason: "layerCount × registryCount overflows") }
    guard layerLevel.count == count else {
      throw .invalidGuide(reason: "layerLevel has \(layerLevel.count) values, expected L·R = \(count)")
    }
    guard fileLevel.count == count else {
      throw .invalidGuide(reason: "fileLevel has \(fileLevel.count) values, expected L·R = \(count)")
    }
    if let k = layerLevel.firstIndex(where: { !$0.isFinite }) {
      throw .invalidGuide(reason: "layerLevel[\(k)] = \(layerLevel[k]) is not finite")
    }
    if let k = fileLevel.firstIndex(where: { !$0.isFinite }) {
      throw .invalidGuide(reason: "fileLevel[\(k)] = \(fileLevel[k]) is not finite")
    }
    self.layerCount = layerCount
    self.registryCount = registryCount
    self.layerLevel = layerLevel.map { min(1, max(0, $0)) }
    self.fileLevel = fileLevel.map { min(1, max(0, $0)) }
  }

  /// The guide of an LP relaxation's solution (all zeros when it is not optimal).
  public init(_ relaxation: Relaxation) {
    let index = relaxation.formulation.index
    let R = index.registryCount
    var x = [Double](repeating: 0, count: index.layerCount * R)
    var z = x
    for l in 0..<index.layerCount {
      for r in 0..<R {
        x[l * R + r] = relaxation.layerLevelShare(layer: l, registry: r)
        z[l * R + r] = relaxation.fileLevelShare(layer: l, registry: r)
      }
    }
    layerCount = index.layerCount
    registryCount = R
    layerLevel = x
    fileLevel = z
  }

  /// Whether the relaxation disagrees with `g` (the incumbent's state of slot `l, r`) by
  /// more than `threshold` in either `x` or `z`.
  func disagrees(layer l: Int, registry r: Int, with g: Granularity?, threshold: Double) -> Bool {
    let k = l * registryCount + r
    let x = g == .layer ? 1.0 : 0.0
    let z = g == .file ? 1.0 : 0.0
    return abs(layerLevel[k] - x) > threshold || abs(fileLevel[k] - z) > threshold
  }
}

/// Why the improvement step could not use an input.
public enum PlanImproverError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The fractional guide is malformed (wrong length, non-finite value).
  case invalidGuide(reason: String)

  /// A sentence naming the problem.
  public var description: String {
    switch self {
    case .invalidGuide(let reason): return "invalid fractional guide: \(reason)"
    }
  }
}
