import MISModel

/// Which exact reductions of `Docs/model.md` §6 the formulation applies.
///
/// Every reduction keeps the optimum; `Docs/exact-solver.md` argues why for each. They
/// can be switched off one by one to measure what each buys (and to test that the
/// optimum does not move).
public struct Reductions: Sendable, Hashable {
  /// Merge files with identical layer membership into file classes, and per registry
  /// merge classes that the same candidate file-level layers need.
  public var fileClasses: Bool
  /// Drop every source whose cost is not below the origin's for that (node, layer).
  public var dominatedSources: Bool
  /// Fix to 0 (omit) placements with no useful source behind them, or (with
  /// ``oversizedCopies``) that cannot fit.
  public var uselessPlacements: Bool
  /// With ``uselessPlacements``, also omit copies larger than the registry's capacity
  /// (default true). Off, the model's columns do not depend on the capacities, so its LP
  /// value is a convex function of them and the capacity rows' duals are honest prices
  /// (`Docs/model.md` §8); the approximate planner's exact LP is built that way.
  public var oversizedCopies: Bool = true
  /// Never place layers without demand.
  public var zeroDemandLayers: Bool
  /// Drop file-level candidates that a layer-level copy dominates: when the files of `l`
  /// that no other file-level candidate on `r` shares weigh at least the blob, storing the
  /// blob instead frees at least as many bytes and serves every pull at least as fast.
  /// Applied to a fixpoint (dropping one candidate can make another's files private).
  public var dominatedFileCopies: Bool

  /// Creates a selection of reductions.
  public init(
    fileClasses: Bool = true, dominatedSources: Bool = true, uselessPlacements: Bool = true,
    zeroDemandLayers: Bool = true, dominatedFileCopies: Bool = true
  ) {
    self.fileClasses = fileClasses
    self.dominatedSources = dominatedSources
    self.uselessPlacements = uselessPlacements
    self.zeroDemandLayers = zeroDemandLayers
    self.dominatedFileCopies = dominatedFileCopies
  }

  /// All reductions (the default).
  public static let all = Reductions()
  /// No reduction: the model of `Docs/model.md` §6 as written.
  public static let none = Reductions(
    fileClasses: false, dominatedSources: false, uselessPlacements: false, zeroDemandLayers: false,
    dominatedFileCopies: false)
}

/// Rows, columns and non-zeros of a model.
public struct ModelSize: Sendable, Hashable, CustomStringConvertible {
  /// Constraint rows.
  public var rows: Int
  /// Variables.
  public var columns: Int
  /// Integer (binary) variables.
  public var integerColumns: Int
  /// Non-zero matrix coefficients.
  public var nonzeros: Int

  /// Creates a size record.
  public init(rows: Int, columns: Int, integerColumns: Int, nonzeros: Int) {
    self.rows = rows
    self.columns = columns
    self.integerColumns = integerColumns
    self.nonzeros = nonzeros
  }

  /// `rows × columns (binaries), nnz`.
  public var description: String {
    "\(rows) rows × \(columns) columns (\(integerColumns) binary), \(nonzeros) non-zeros"
  }
}

/// The linearised MIP of `Docs/model.md` §6 for one instance, after the chosen reductions, with
/// the maps between its columns and the placement decisions.
///
/// For a node `n` with an origin link the origin share is eliminated,
/// `o[n,l] = 1 − Σ_r (a[n,l,r] + b[n,l,r])`, so the objective is
/// `Σ D·cO − Σ D·(cO − cL)·a − Σ D·(cO − cF)·b` (the *savings form*, `Docs/model.md` §7) and the
/// assignment row reads `Σ a + Σ b ≤ 1`. For a node without one it stays `= 1`.
///
/// - Complexity: building is O(Σ over demanded pairs of links per node + Σ over candidate
///   file-level placements of the layer's classes).
public struct Formulation: Sendable {
  /// One candidate file-level "file group" column on a registry: classes merged because
  /// exactly the same candidate file-level layers on that registry need them.
  public struct FileGroup: Sendable, Hashable {
    /// The registry.
    public var registry: Int32
    /// The column of `y`.
    public var column: Int32
    /// Total bytes.
    public var sizeBytes: Int64
    /// The file classes merged in it.
    public var classes: [Int32]
  }

  /// One source variable `a` or `b`.
  public struct Source: Sendable, Hashable {
    /// The node.
    public var node: Int32
    /// The layer.
    public var layer: Int32
    /// The registry.
    public var registry: Int32
    /// Whether this is a file-level source (`b`) rather than layer level (`a`).
    public var fileLevel: Bool
    /// `D[n,l]`.
    public var demand: Double
    /// The source's cost per pull, `cL` or `cF`.
    public var cost: Double
  }

  /// The instance's derived data.
  public let index: ProblemIndex
  /// The reductions applied.
  public let reductions: Reductions
  /// The granularities placements may use (both, unless restricted for a baseline).
  public let granularities: Set<Granularity>
  /// The model.
  public let model: LinearModel
  /// Size of the model of `Docs/model.md` §6 as written, without reductions.
  public let unreducedSize: ModelSize
  /// Column of `x[l,r]` at `l * R + r`, or -1 when fixed to 0.
  public let layerColumn: [Int32]
  /// Column of `z[l,r]` at `l * R + r`, or -1 when fixed to 0.
  public let fileColumn: [Int32]
  /// The `y` columns, grouped by registry.
  public let fileGroups: [FileGroup]
  /// For each candidate file-level placement `z[l,r]` (by column), the `y` groups it needs.
  public let groupsOfFileColumn: [Int32: [Int32]]
  /// The `a`/`b` columns, by column number (`nil` for `x`, `z`, `y` columns).
  public let sources: [Int32: Source]
  /// Demanded pairs `(n,l)` with no possible source at all (no link to any registry that
  /// could hold `l`, no origin link): the instance is infeasible when this is non-empty.
  public let impossiblePairs: [(node: Int32, layer: Int32)]
  /// The capacity row of each registry that has one, as (row, registry), ascending.
  public var capacityRows: [(row: Int, registry: Int)] {
    var out: [(Int, Int)] = []
    for (i, row) in model.rows.enumerated() where row.name.hasPrefix("capacity_") {
      if let r = Int(row.name.dropFirst("capacity_".count)) { out.append((i, r)) }
    }
    return out
  }
  /// `Σ D·cO` over the pairs with an origin link: the objective constant.
  public var originConstant: Double { model.objectiveConstant }

  /// Size of the reduced model.
  public var size: ModelSize {
    ModelSize(
      rows: model.rows.count, columns: model.columns.count,
      integerColumns: model.columns.reduce(0) { $0 + ($1.isInteger ? 1 : 0) }, nonzeros: model.nonzeroCount)
  }

  /// The demanded pairs `(n,l)` that no plan can serve: no origin link, and no linked
  /// registry large enough for `l` at an allowed granularity (its blob at layer level, its
  /// files at file level). The same pairs as ``impossiblePairs`` of the model built with
  /// all reductions, found without building it: one pass over the demand and the links,
  /// so that `mis validate` stays linear in the instance.
  public static func impossiblePairs(
    _ index: ProblemIndex, granularities: Set<Granularity> = [.layer, .file]
  ) -> [(node: Int32, layer: Int32)] {
    var impossible: [(node: Int32, layer: Int32)] = []
    for l in 0..<index.layerCount {
      let fileBytes = index.layerClasses.range(l).reduce(Int64(0)) {
        ModelLimits.addingBytes($0, index.classSize[Int(index.layerClasses.values[$1])])
      }
      for k in index.layerDemand.range(l) {
        let n = Int(index.layerDemand.values[k])
        guard !index.hasOrigin[n] else { continue }
        let served = index.nodeLinks.range(n).contains { position in
          let capacity = index.capacity[Int(index.nodeLinks.values[position])]
          return (granularities.contains(.layer) && index.layerSize[l] <= capacity)
            || (granularities.contains(.file) && fileBytes <= capacity)
        }
        if !served { impossible.append((Int32(n), Int32(l))) }
      }
    }
    return impossible
  }

  /// A lower bound on the non-zeros of the model ``init(_:reductions:granularities:)``
  /// builds with all reductions, counted in one pass without building it: three per
  /// layer-level routing column (its linking row `a ≤ x` and its assignment row) that
  /// survives every reduction: the copy fits its registry and is cheaper than the node's
  /// origin. Switching reductions off only adds rows and columns, so the model built with
  /// any ``Reductions`` has at least these. The exact solver checks it against its size
  /// limit before it allocates the model, whose named rows and columns take far more
  /// memory than the lean model.
  public static func nonzeroLowerBound(_ index: ProblemIndex, granularities: Set<Granularity> = [.layer, .file])
    -> Int
  {
    guard granularities.contains(.layer) else { return 0 }
    var count = 0
    for l in 0..<index.layerCount {
      for k in index.layerDemand.range(l) {
        let n = Int(index.layerDemand.values[k])
        let origin = index.originCost(node: n, layer: l)
        for position in index.nodeLinks.range(n)
        where index.layerSize[l] <= index.capacity[Int(index.nodeLinks.values[position])]
          && origin.map({ index.layerCost(linkPosition: position, layer: l) < $0 }) ?? true
        {
          count += 3
        }
      }
    }
    return count
  }

  /// Builds the model of `index` with `reductions`, allowing only `granularities`
  /// (restricting to one granularity gives the layer-only and file-only baselines).
  public init(_ index: ProblemIndex, reductions: Reductions = .all, granularities: Set<Granularity> = [.layer, .file]) {
    self.index = index
    self.reductions = reductions
    self.granularities = granularities
    let allowLayer = granularities.contains(.layer)
    let allowFile = granularities.contains(.file)
    let R = index.registryCount
    let L = index.layerCount
    var model = LinearModel()
    var layerColumn = [Int32](repeating: -1, count: L * R)
    var fileColumn = [Int32](repeating: -1, count: L * R)
    var sources: [Int32: Source] = [:]
    var impossible: [(Int32, Int32)] = []

    // Which layers are candidates at all.
    let layerHasDemand = (0..<L).map { !index.layerDemand[$0].isEmpty }
    func considered(_ l: Int) -> Bool { layerHasDemand[l] || !reductions.zeroDemandLayers }

    // Classes of a layer: merged file classes, or one class per file without the reduction.
    func classesOf(_ l: Int) -> [Int32] {
      reductions.fileClasses ? Array(index.layerClasses[l]) : Array(index.layerFiles[l])
    }
    func classBytes(_ c: Int32) -> Int64 {
      reductions.fileClasses ? index.classSize[Int(c)] : index.fileSize[Int(c)]
    }
    let layerFileBytes: [Int64] = (0..<L).map { l in
      classesOf(l).reduce(0) { ModelLimits.addingBytes($0, classBytes($1)) }
    }

    // 1. Sources. A source is useful when its cost is below the origin's (or there is no
    //    origin link) and, with `uselessPlacements`, when the copy can fit at all.
    struct PendingSource {
      var node: Int32, layer: Int32, registry: Int32, fileLevel: Bool, demand: Double, cost: Double
    }
    var pending: [PendingSource] = []
    var pairCount = 0
    var constant = 0.0
    for l in 0..<L where considered(l) {
      for k in index.layerDemand.range(l) {
        let n = Int(index.layerDemand.values[k])
        let d = index.layerDemandValue[k]
        pairCount += 1
        let origin = index.originCost(node: n, layer: l)
        if let origin { constant += d * origin }
        var any = false
        for position in index.nodeLinks.range(n) {
          let r = Int(index.nodeLinks.values[position])
          let cL = index.layerCost(linkPosition: position, layer: l)
          let cF = cL + index.reconstructionTime[l]
          let checkFit = reductions.uselessPlacements && reductions.oversizedCopies
          let fitsLayer = !checkFit || index.layerSize[l] <= index.capacity[r]
          let fitsFile = !checkFit || layerFileBytes[l] <= index.capacity[r]
          if allowLayer, fitsLayer, !reductions.dominatedSources || (origin.map { cL < $0 } ?? true) {
            pending.append(
              PendingSource(node: Int32(n), layer: Int32(l), registry: Int32(r), fileLevel: false, demand: d, cost: cL))
            any = true
          }
          if allowFile, fitsFile, !reductions.dominatedSources || (origin.map { cF < $0 } ?? true) {
            pending.append(
              PendingSource(node: Int32(n), layer: Int32(l), registry: Int32(r), fileLevel: true, demand: d, cost: cF))
            any = true
          }
        }
        if origin == nil {
          if !any { impossible.append((Int32(n), Int32(l))) }
        }
      }
    }

    // 1b. File-level candidates dominated by the layer-level copy, to a fixpoint.
    if reductions.dominatedFileCopies && allowLayer {
      var candidate = [Bool](repeating: false, count: L * R)
      for s in pending where s.fileLevel { candidate[Int(s.layer) * R + Int(s.registry)] = true }
      var dropped = [Bool](repeating: false, count: L * R)
      let classCount = reductions.fileClasses ? index.classCount : index.fileCount
      var sharers = [Int32](repeating: 0, count: classCount)
      for r in 0..<R {
        let layers = (0..<L).filter { candidate[$0 * R + r] }
        for l in layers { for c in classesOf(l) { sharers[Int(c)] += 1 } }
        var changed = true
        var alive = Set(layers)
        while changed {
          changed = false
          for l in layers where alive.contains(l) {
            var privateBytes: Int64 = 0
            for c in classesOf(l) where sharers[Int(c)] == 1 { privateBytes += classBytes(c) }
            if privateBytes >= index.layerSize[l] {
              alive.remove(l)
              dropped[l * R + r] = true
              for c in classesOf(l) { sharers[Int(c)] -= 1 }
              changed = true
            }
          }
        }
        for l in alive { for c in classesOf(l) { sharers[Int(c)] -= 1 } }
      }
      pending.removeAll { $0.fileLevel && dropped[Int($0.layer) * R + Int($0.registry)] }
    }

    // 2. Placement columns x, z for every (l, r) with a source (or all, without the reduction).
    if !reductions.uselessPlacements {
      for l in 0..<L where considered(l) {
        for r in 0..<R {
          if allowLayer { layerColumn[l * R + r] = Int32(model.addBinaryColumn(name: "x_\(l)_\(r)")) }
          if allowFile { fileColumn[l * R + r] = Int32(model.addBinaryColumn(name: "z_\(l)_\(r)")) }
        }
      }
    }
    for s in pending {
      let key = Int(s.layer) * R + Int(s.registry)
      if s.fileLevel {
        if fileColumn[key] < 0 { fileColumn[key] = Int32(model.addBinaryColumn(name: "z_\(s.layer)_\(s.registry)")) }
      } else if layerColumn[key] < 0 {
        layerColumn[key] = Int32(model.addBinaryColumn(name: "x_\(s.layer)_\(s.registry)"))
      }
    }

    // 3. Source columns a, b with the linking rows a ≤ x, b ≤ z.
    var pairTerms: [Int64: [(column: Int, coefficient: Double)]] = [:]
    for s in pending {
      let origin = index.originCost(node: Int(s.node), layer: Int(s.layer))
      let objective = origin.map { -s.demand * ($0 - s.cost) } ?? s.demand * s.cost
      let column = model.addColumn(
        name: "\(s.fileLevel ? "b" : "a")_\(s.node)_\(s.layer)_\(s.registry)", lowerBound: 0, upperBound: 1,
        objective: objective)
      sources[Int32(column)] = Source(
        node: s.node, layer: s.layer, registry: s.registry, fileLevel: s.fileLevel, demand: s.demand, cost: s.cost)
      let key = Int(s.layer) * R + Int(s.registry)
      let placement = Int(s.fileLevel ? fileColumn[key] : layerColumn[key])
      model.addRow(name: "link_\(column)", upperBound: 0, terms: [(column, 1), (placement, -1)])
      pairTerms[Int64(s.node) << 32 | Int64(s.layer), default: []].append((column, 1))
    }
    // 4. Assignment rows, in (layer, node) order.
    for l in 0..<L where considered(l) {
      for k in index.layerDemand.range(l) {
        let n = index.layerDemand.values[k]
        let terms = pairTerms[Int64(n) << 32 | Int64(l)] ?? []
        if index.hasOrigin[Int(n)] {
          if !terms.isEmpty { model.addRow(name: "serve_\(n)_\(l)", upperBound: 1, terms: terms) }
        } else {
          model.addRow(name: "serve_\(n)_\(l)", lowerBound: 1, upperBound: 1, terms: terms)
        }
      }
    }
    model.objectiveConstant = constant

    // 5. x + z ≤ 1 where both exist.
    for l in 0..<L {
      for r in 0..<R where layerColumn[l * R + r] >= 0 && fileColumn[l * R + r] >= 0 {
        model.addRow(
          name: "one_\(l)_\(r)", upperBound: 1,
          terms: [(Int(layerColumn[l * R + r]), 1), (Int(fileColumn[l * R + r]), 1)])
      }
    }

    // 6. File groups per registry, z ≤ y, and capacity rows.
    var groups: [FileGroup] = []
    var groupsOfFile: [Int32: [Int32]] = [:]
    var classMark = [Int32](repeating: -1, count: reductions.fileClasses ? index.classCount : index.fileCount)
    var groupOfClass = [Int32](repeating: -1, count: classMark.count)
    for r in 0..<R {
      // Candidate file-level layers on r, ascending.
      let zLayers = (0..<L).filter { fileColumn[$0 * R + r] >= 0 }
      // Signature of each class = the candidate layers that contain it (in zLayers order).
      var signatures: [Int32: [Int32]] = [:]
      var classOrder: [Int32] = []
      for l in zLayers {
        for c in classesOf(l) {
          if classMark[Int(c)] != Int32(r) {
            classMark[Int(c)] = Int32(r)
            classOrder.append(c)
            signatures[c] = []
          }
          signatures[c, default: []].append(Int32(l))
        }
      }
      var groupBySignature: [[Int32]: Int] = [:]
      let firstGroup = groups.count
      for c in classOrder {
        let signature = reductions.fileClasses ? (signatures[c] ?? []) : [c, -1]  // no merging without the reduction
        if let g = groupBySignature[signature] {
          groups[g].sizeBytes = ModelLimits.addingBytes(groups[g].sizeBytes, classBytes(c))
          groups[g].classes.append(c)
          groupOfClass[Int(c)] = Int32(g)
        } else {
          let column = model.addBinaryColumn(name: "y_\(groups.count)_\(r)")
          groupBySignature[signature] = groups.count
          groupOfClass[Int(c)] = Int32(groups.count)
          groups.append(FileGroup(registry: Int32(r), column: Int32(column), sizeBytes: classBytes(c), classes: [c]))
        }
      }
      for l in zLayers {
        let z = fileColumn[l * R + r]
        var needed: [Int32] = []
        for c in classesOf(l) {
          let g = groupOfClass[Int(c)]
          if !needed.contains(g) { needed.append(g) }
        }
        needed.sort()
        groupsOfFile[z] = needed
        for g in needed {
          model.addRow(name: "has_\(z)_\(g)", upperBound: 0, terms: [(Int(z), 1), (Int(groups[Int(g)].column), -1)])
        }
      }
      var capacityTerms: [(column: Int, coefficient: Double)] = []
      for l in 0..<L where layerColumn[l * R + r] >= 0 && index.layerSize[l] > 0 {
        capacityTerms.append((Int(layerColumn[l * R + r]), Double(index.layerSize[l])))
      }
      for g in firstGroup..<groups.count where groups[g].sizeBytes > 0 {
        capacityTerms.append((Int(groups[g].column), Double(groups[g].sizeBytes)))
      }
      if !capacityTerms.isEmpty {
        model.addRow(name: "capacity_\(r)", upperBound: Double(index.capacity[r]), terms: capacityTerms)
      }
    }

    self.model = model
    self.layerColumn = layerColumn
    self.fileColumn = fileColumn
    self.fileGroups = groups
    self.groupsOfFileColumn = groupsOfFile
    self.sources = sources
    self.impossiblePairs = impossible

    // Size of the unreduced model (`Docs/model.md` §6 as written), counted, not built.
    var linkCount = 0
    var aPairs = 0
    var originPairs = 0
    for l in 0..<L {
      for k in index.layerDemand.range(l) {
        let n = Int(index.layerDemand.values[k])
        aPairs += index.nodeLinks.range(n).count
        if index.hasOrigin[n] { originPairs += 1 }
      }
    }
    linkCount = aPairs
    var fileMemberships = 0
    for l in 0..<L { fileMemberships += index.layerFiles[l].count }
    let filesInLayers = index.fileClass.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
    let columns = 2 * L * R + filesInLayers * R + 2 * linkCount + originPairs
    let rows = pairCount + 2 * linkCount + fileMemberships * R + R + L * R
    let nonzeros =
      (2 * linkCount + originPairs) + 4 * linkCount + 2 * fileMemberships * R + (L + filesInLayers) * R + 2 * L * R
    unreducedSize = ModelSize(
      rows: rows, columns: columns, integerColumns: 2 * L * R + filesInLayers * R, nonzeros: nonzeros)
  }

  /// The placement decisions of a column vector: `x = 1` → layer level, `z = 1` → file level
  /// (values above 0.5 count as 1).
  public func placements(from values: [Double]) -> PlacementMatrix {
    var matrix = PlacementMatrix(for: index)
    let R = index.registryCount
    for l in 0..<index.layerCount {
      for r in 0..<R {
        let x = layerColumn[l * R + r]
        let z = fileColumn[l * R + r]
        if x >= 0, values[Int(x)] > 0.5 {
          matrix[l, r] = .layer
        } else if z >= 0, values[Int(z)] > 0.5 {
          matrix[l, r] = .file
        }
      }
    }
    return matrix
  }

  /// A full column vector for a feasible plan, to hand to the MIP as a starting incumbent:
  /// placements without a column are left out (they serve nothing useful), `y` covers the
  /// file-level placements, and every pair is routed to its cheapest kept source. Returns
  /// `nil` if the vector would violate a row (e.g. the plan is over capacity).
  public func columnValues(for matrix: PlacementMatrix) -> [Double]? {
    let R = index.registryCount
    var values = [Double](repeating: 0, count: model.columns.count)
    for l in 0..<index.layerCount {
      for r in 0..<R {
        switch matrix[l, r] {
        case .layer?: if layerColumn[l * R + r] >= 0 { values[Int(layerColumn[l * R + r])] = 1 }
        case .file?:
          let z = fileColumn[l * R + r]
          if z >= 0 {
            values[Int(z)] = 1
            for g in groupsOfFileColumn[z] ?? [] { values[Int(fileGroups[Int(g)].column)] = 1 }
          }
        case nil: break
        }
      }
    }
    // Route: cheapest open source per pair (ties to the lowest column number).
    var best: [Int64: (column: Int32, cost: Double)] = [:]
    for (column, s) in sources.sorted(by: { $0.key < $1.key }) {
      let key = Int(s.layer) * R + Int(s.registry)
      let open = s.fileLevel ? fileColumn[key] : layerColumn[key]
      guard open >= 0, values[Int(open)] > 0.5 else { continue }
      if let origin = index.originCost(node: Int(s.node), layer: Int(s.layer)), s.cost >= origin { continue }
      let pair = Int64(s.node) << 32 | Int64(s.layer)
      if let current = best[pair], current.cost <= s.cost { continue }
      best[pair] = (column, s.cost)
    }
    for (_, choice) in best { values[Int(choice.column)] = 1 }
    return model.firstViolation(of: values, checkIntegrality: true) == nil ? values : nil
  }
}
