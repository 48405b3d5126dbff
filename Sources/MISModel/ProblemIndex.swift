/// The derived data of a validated instance, computed once and shared by the evaluator
/// and every solver (`Docs/model.md` §2): dense integer ids, demand per (node, layer), link
/// parameters, reconstruction times, and file classes.
///
/// Entities keep their instance order: registry `r` is `instance.registries[r]`, and so on.
/// Ids are strings only at the edges (``Instance``, ``Plan``).
///
/// ```swift
/// let index = try ProblemIndex(instance)      // validates first
/// let report = index.evaluate(plan)           // `Docs/model.md` §4–5
/// ```
///
/// - Complexity: construction is O(size of the instance + Σ over demand entries of the
///   image's layer count), expected; memory is linear in the same.
public struct ProblemIndex: Sendable {
  /// The instance this index was built from.
  public let instance: Instance

  /// Number of registries `R`.
  public let registryCount: Int
  /// Number of nodes `N`.
  public let nodeCount: Int
  /// Number of layers `L`.
  public let layerCount: Int
  /// Number of files.
  public let fileCount: Int

  /// `capacityBytes` per registry.
  public let capacity: [Int64]
  /// `sizeBytes` per layer.
  public let layerSize: [Int64]
  /// `sizeBytes` per file.
  public let fileSize: [Int64]
  /// Reconstruction time `t[l]` per layer.
  public let reconstructionTime: [Double]

  /// The files of each layer (dense file ids, instance order).
  @usableFromInline package let layerFiles: CompressedRows

  /// For each node, its links: registry index (ascending), latency and bandwidth.
  @usableFromInline package let nodeLinks: CompressedRows
  /// Latency of each entry of ``nodeLinks``.
  @usableFromInline package let nodeLinkLatency: [Double]
  /// Bandwidth of each entry of ``nodeLinks``.
  @usableFromInline package let nodeLinkBandwidth: [Double]

  /// Whether each node has an origin link.
  public let hasOrigin: [Bool]
  /// Origin link latency per node (0 when it has none).
  public let originLatency: [Double]
  /// Origin link bandwidth per node (1 when it has none).
  public let originBandwidth: [Double]

  /// For each layer, the nodes with `D[n,l] > 0`, ascending.
  @usableFromInline package let layerDemand: CompressedRows
  /// `D[n,l]` for each entry of ``layerDemand``.
  @usableFromInline package let layerDemandValue: [Double]
  /// Σ pulls over all demand entries.
  public let totalPulls: Double

  /// File classes: files belonging to exactly the same set of layers, merged. Files in no
  /// layer have no class (`-1`).
  public let fileClass: [Int32]
  /// Total bytes of each file class (clamped to `Int64.max`, so a sum never traps).
  public let classSize: [Int64]
  /// Number of files in each class.
  public let classFileCount: [Int32]
  /// The classes of each layer, ascending.
  @usableFromInline package let layerClasses: CompressedRows
  /// For each class, the layers that contain it, ascending.
  @usableFromInline package let classLayers: CompressedRows

  /// Validates `instance` (`Docs/formats.md` §1) and derives everything.
  ///
  /// - Throws: ``ModelError/invalidInstance(_:)`` listing every problem.
  public init(_ instance: Instance) throws(ModelError) {
    var resolver = IdResolver()
    resolver.check(instance)
    if !resolver.issues.isEmpty { throw .invalidInstance(resolver.issues) }
    self.init(validated: instance, resolver: resolver)
  }

  private init(validated instance: Instance, resolver: IdResolver) {
    self.instance = instance
    let R = instance.registries.count
    let N = instance.nodes.count
    let L = instance.layers.count
    let F = instance.files.count
    registryCount = R
    nodeCount = N
    layerCount = L
    fileCount = F
    capacity = instance.registries.map(\.capacityBytes)
    layerSize = instance.layers.map(\.sizeBytes)
    fileSize = instance.files.map(\.sizeBytes)
    let rec = instance.reconstruction
    reconstructionTime = instance.layers.map { rec.secondsPerLayer + rec.secondsPerByte * Double($0.sizeBytes) }

    // Layer → files.
    var fileRows = CompressedRows.Builder(rowCapacity: L)
    for layer in instance.layers {
      for id in layer.files { fileRows.append(resolver.fileIndex[id] ?? 0) }
      fileRows.endRow()
    }
    layerFiles = fileRows.build()

    // Node → links, sorted by registry.
    var perNode = [[(registry: Int32, latency: Double, bandwidth: Double)]](repeating: [], count: N)
    for link in instance.links {
      guard let n = resolver.nodeIndex[link.node], let r = resolver.registryIndex[link.registry] else { continue }
      perNode[Int(n)].append((r, link.latencySeconds, link.bandwidthBytesPerSecond))
    }
    var linkRows = CompressedRows.Builder(rowCapacity: N)
    var latency: [Double] = []
    var bandwidth: [Double] = []
    for n in 0..<N {
      for entry in perNode[n].sorted(by: { $0.registry < $1.registry }) {
        linkRows.append(entry.registry)
        latency.append(entry.latency)
        bandwidth.append(entry.bandwidth)
      }
      linkRows.endRow()
    }
    nodeLinks = linkRows.build()
    nodeLinkLatency = latency
    nodeLinkBandwidth = bandwidth

    var hasOrigin = [Bool](repeating: false, count: N)
    var originLatency = [Double](repeating: 0, count: N)
    var originBandwidth = [Double](repeating: 1, count: N)
    for link in instance.origin?.links ?? [] {
      guard let n = resolver.nodeIndex[link.node] else { continue }
      hasOrigin[Int(n)] = true
      originLatency[Int(n)] = link.latencySeconds
      originBandwidth[Int(n)] = link.bandwidthBytesPerSecond
    }
    self.hasOrigin = hasOrigin
    self.originLatency = originLatency
    self.originBandwidth = originBandwidth

    // Demand: (node, image) pulls summed, then spread over the image's layers.
    var pulls = 0.0
    var pairPulls: [Int64: Double] = [:]
    var pairOrder: [Int64] = []
    for demand in instance.demands {
      guard let n = resolver.nodeIndex[demand.node], let i = resolver.imageIndex[demand.image] else { continue }
      pulls += demand.pulls
      let key = Int64(n) << 32 | Int64(i)
      if let old = pairPulls[key] {
        pairPulls[key] = old + demand.pulls
      } else {
        pairPulls[key] = demand.pulls
        pairOrder.append(key)
      }
    }
    totalPulls = pulls
    pairOrder.sort()
    let imageLayers: [[Int32]] = instance.images.map { image in
      image.layers.map { resolver.layerIndex[$0] ?? 0 }
    }
    var countPerLayer = [Int](repeating: 0, count: L + 1)
    for key in pairOrder where (pairPulls[key] ?? 0) > 0 {
      for l in imageLayers[Int(key & 0xFFFF_FFFF)] { countPerLayer[Int(l) + 1] += 1 }
    }
    for l in 0..<L { countPerLayer[l + 1] += countPerLayer[l] }
    var fill = countPerLayer
    var entryNode = [Int32](repeating: 0, count: countPerLayer[L])
    var entryValue = [Double](repeating: 0, count: countPerLayer[L])
    // pairOrder is sorted by node, so each layer's entries come out sorted by node.
    for key in pairOrder {
      guard let p = pairPulls[key], p > 0 else { continue }
      let n = Int32(key >> 32)
      for l in imageLayers[Int(key & 0xFFFF_FFFF)] {
        entryNode[fill[Int(l)]] = n
        entryValue[fill[Int(l)]] = p
        fill[Int(l)] += 1
      }
    }
    var demandRows = CompressedRows.Builder(rowCapacity: L)
    var demandValues: [Double] = []
    for l in 0..<L {
      var k = countPerLayer[l]
      let end = countPerLayer[l + 1]
      while k < end {
        let n = entryNode[k]
        var sum = 0.0
        while k < end && entryNode[k] == n {
          sum += entryValue[k]
          k += 1
        }
        demandRows.append(n)
        demandValues.append(sum)
      }
      demandRows.endRow()
    }
    layerDemand = demandRows.build()
    layerDemandValue = demandValues

    // File classes.
    let fileLayers = layerFiles.transposed(columnCount: F)
    var classOf = [Int32](repeating: -1, count: F)
    var buckets: [UInt64: [Int32]] = [:]  // hash of membership → classes
    var representative: [Int32] = []  // a file of each class
    var sizes: [Int64] = []
    var counts: [Int32] = []
    for f in 0..<F {
      let members = fileLayers[f]
      if members.isEmpty { continue }
      var hash: UInt64 = 0xcbf2_9ce4_8422_2325
      for l in members { hash = (hash ^ UInt64(UInt32(bitPattern: l))) &* 0x100_0000_01b3 }
      hash ^= UInt64(members.count)
      var found: Int32 = -1
      for c in buckets[hash] ?? [] where fileLayers[Int(representative[Int(c)])].elementsEqual(members) {
        found = c
        break
      }
      if found < 0 {
        found = Int32(representative.count)
        representative.append(Int32(f))
        sizes.append(0)
        counts.append(0)
        buckets[hash, default: []].append(found)
      }
      classOf[f] = found
      sizes[Int(found)] = ModelLimits.addingBytes(sizes[Int(found)], fileSize[f])
      counts[Int(found)] += 1
    }
    fileClass = classOf
    classSize = sizes
    classFileCount = counts
    var classRows = CompressedRows.Builder(rowCapacity: L)
    var mark = [Int32](repeating: -1, count: representative.count)
    for l in 0..<L {
      var row: [Int32] = []
      for f in layerFiles[l] {
        let c = classOf[Int(f)]
        if mark[Int(c)] != Int32(l) {
          mark[Int(c)] = Int32(l)
          row.append(c)
        }
      }
      row.sort()
      for c in row { classRows.append(c) }
      classRows.endRow()
    }
    layerClasses = classRows.build()
    classLayers = layerClasses.transposed(columnCount: representative.count)
  }

  /// Number of file classes.
  public var classCount: Int { classSize.count }

  // MARK: - Costs (`Docs/model.md` §2)

  /// The position of the link (node `n`, registry `r`) in ``nodeLinks``, or `nil`.
  @inlinable
  package func linkPosition(node n: Int, registry r: Int) -> Int? {
    var lo = nodeLinks.offsets[n]
    var hi = nodeLinks.offsets[n + 1]
    let target = Int32(r)
    while lo < hi {
      let mid = (lo + hi) / 2
      let v = nodeLinks.values[mid]
      if v == target { return mid }
      if v < target { lo = mid + 1 } else { hi = mid }
    }
    return nil
  }

  /// `cL[n,l,r] = latency[n,r] + size[l] / bandwidth[n,r]` for the link at `position`.
  @inlinable
  package func layerCost(linkPosition position: Int, layer l: Int) -> Double {
    nodeLinkLatency[position] + Double(layerSize[l]) / nodeLinkBandwidth[position]
  }

  /// `cL[n,l,r]`, or `nil` when node `n` has no link to registry `r`.
  public func layerCost(node n: Int, layer l: Int, registry r: Int) -> Double? {
    linkPosition(node: n, registry: r).map { layerCost(linkPosition: $0, layer: l) }
  }

  /// `cF[n,l,r] = cL[n,l,r] + t[l]`, or `nil` when node `n` has no link to registry `r`.
  public func fileCost(node n: Int, layer l: Int, registry r: Int) -> Double? {
    layerCost(node: n, layer: l, registry: r).map { $0 + reconstructionTime[l] }
  }

  /// `cO[n,l]`, or `nil` when node `n` has no origin link.
  @inlinable
  public func originCost(node n: Int, layer l: Int) -> Double? {
    hasOrigin[n] ? originLatency[n] + Double(layerSize[l]) / originBandwidth[n] : nil
  }

  /// The dense index of each registry id.
  public func registryIndex(of id: String) -> Int? { instance.registries.firstIndex { $0.id == id } }

  /// Σ over demanded pairs of `D[n,l] · cO[n,l]`: the objective of pulling everything from
  /// the origin, or `nil` when some demanded pair has no origin link (`Docs/model.md` §7).
  public var originOnlyLatency: Double? {
    var total = 0.0
    for l in 0..<layerCount {
      for k in layerDemand.range(l) {
        guard let c = originCost(node: Int(layerDemand.values[k]), layer: l) else { return nil }
        total += layerDemandValue[k] * c
      }
    }
    return total
  }

  /// Σ over demanded pairs of `D[n,l]` times the cheapest way to serve (n, l) if every
  /// linked registry stored `l` at `granularity` (capacity ignored), or the origin: a lower
  /// bound on the total latency of every plan that stores layers at `granularity` only.
  /// `nil` when some demanded pair has no origin link and no linked registry (no such plan
  /// is feasible).
  package func uncapacitatedLatency(storingEverywhere granularity: Granularity) -> Double? {
    var total = 0.0
    for l in 0..<layerCount {
      for k in layerDemand.range(l) {
        guard let (_, cost) = cheapestSource(node: Int(layerDemand.values[k]), layer: l, state: { _ in granularity })
        else { return nil }
        total += layerDemandValue[k] * cost
      }
    }
    return total
  }
}

/// A compressed sparse row structure: row `i` holds `values[offsets[i]..<offsets[i+1]]`.
///
/// Package plumbing shared by the solvers; library users query a ``ProblemIndex`` by index
/// or id (``ProblemIndex/linkedRegistries(ofNode:)``, ``ProblemIndex/demand(node:layer:)``, …).
@usableFromInline
package struct CompressedRows: Sendable, Hashable {
  /// Row start offsets; `offsets.count == rowCount + 1`.
  @usableFromInline package let offsets: [Int]
  /// The concatenated rows.
  @usableFromInline package let values: [Int32]

  /// Number of rows.
  package var rowCount: Int { offsets.count - 1 }

  /// Row `i` as a slice.
  @inlinable
  package subscript(i: Int) -> ArraySlice<Int32> { values[offsets[i]..<offsets[i + 1]] }

  /// The positions of row `i` in ``values``.
  @inlinable
  package func range(_ i: Int) -> Range<Int> { offsets[i]..<offsets[i + 1] }

  /// Builds rows one at a time.
  package struct Builder {
    var offsets: [Int] = [0]
    var values: [Int32] = []
    /// Creates a builder.
    package init(rowCapacity: Int = 0) { offsets.reserveCapacity(rowCapacity + 1) }
    /// Appends `value` to the current row.
    package mutating func append(_ value: Int32) { values.append(value) }
    /// Closes the current row.
    package mutating func endRow() { offsets.append(values.count) }
    /// The finished structure.
    package func build() -> CompressedRows { CompressedRows(offsets: offsets, values: values) }
  }

  /// The transpose: for each column `c < columnCount`, the rows containing it, ascending.
  package func transposed(columnCount: Int) -> CompressedRows {
    var counts = [Int](repeating: 0, count: columnCount + 1)
    for v in values { counts[Int(v) + 1] += 1 }
    for c in 0..<columnCount { counts[c + 1] += counts[c] }
    var fill = counts
    var out = [Int32](repeating: 0, count: values.count)
    for row in 0..<rowCount {
      for k in offsets[row]..<offsets[row + 1] {
        let c = Int(values[k])
        out[fill[c]] = Int32(row)
        fill[c] += 1
      }
    }
    return CompressedRows(offsets: counts, values: out)
  }
}
