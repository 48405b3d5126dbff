/// A dense plan: for every (layer, registry), nothing, a layer-level copy, or a file-level copy.
///
/// Solvers produce this; ``ProblemIndex/plan(from:)`` turns it into a ``Plan`` with ids,
/// and ``ProblemIndex/evaluate(_:)-(PlacementMatrix)`` evaluates it directly.
public struct PlacementMatrix: Sendable, Hashable {
  /// Number of layers.
  public let layerCount: Int
  /// Number of registries.
  public let registryCount: Int
  /// Row-major by layer: `states[l * registryCount + r]`; 0 none, 1 layer, 2 file.
  public var rawStates: [UInt8] { states }
  @usableFromInline var states: [UInt8]

  /// An empty plan for `layerCount` layers and `registryCount` registries.
  public init(layerCount: Int, registryCount: Int) {
    self.layerCount = layerCount
    self.registryCount = registryCount
    states = [UInt8](repeating: 0, count: layerCount * registryCount)
  }

  /// An empty plan shaped for `index`.
  public init(for index: ProblemIndex) {
    self.init(layerCount: index.layerCount, registryCount: index.registryCount)
  }

  /// How layer `layer` is stored on registry `registry`, or `nil`.
  @inlinable
  public subscript(layer: Int, registry: Int) -> Granularity? {
    get {
      switch states[layer * registryCount + registry] {
      case 1: return .layer
      case 2: return .file
      default: return nil
      }
    }
    set {
      let code: UInt8
      switch newValue {
      case .layer?: code = 1
      case .file?: code = 2
      case nil: code = 0
      }
      states[layer * registryCount + registry] = code
    }
  }

  /// Number of placements.
  public var placementCount: Int { states.reduce(0) { $0 + ($1 == 0 ? 0 : 1) } }
}

extension ProblemIndex {
  /// The plan with ids for `matrix`, placements ordered by registry, then layer (instance order).
  public func plan(from matrix: PlacementMatrix) -> Plan {
    var placements: [Placement] = []
    for r in 0..<registryCount {
      for l in 0..<layerCount {
        if let g = matrix[l, r] {
          placements.append(
            Placement(registry: instance.registries[r].id, layer: instance.layers[l].id, granularity: g))
        }
      }
    }
    return Plan(instance: instance.name, placements: placements)
  }
}

extension ProblemIndex {
  /// `matrix` without the placements that serve no demanded pair under the evaluator's
  /// routing (`Docs/model.md` §4). The objective is unchanged; storage can only drop.
  ///
  /// - Complexity: O(L·R + Σ over demanded pairs of links per node).
  public func pruned(_ matrix: PlacementMatrix) -> PlacementMatrix {
    var used = [Bool](repeating: false, count: layerCount * registryCount)
    for l in 0..<layerCount {
      for k in layerDemand.range(l) {
        switch cheapestSource(node: Int(layerDemand.values[k]), layer: l, in: matrix)?.0 {
        case .layerLevel(let r)?, .fileLevel(let r)?: used[l * registryCount + r] = true
        default: break
        }
      }
    }
    var out = matrix
    for l in 0..<layerCount {
      for r in 0..<registryCount where !used[l * registryCount + r] { out[l, r] = nil }
    }
    return out
  }
}
