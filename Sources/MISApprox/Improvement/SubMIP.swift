import MISModel
import MISSolver
import Synchronization

/// One placement decision `(layer, registry)` that a neighbourhood frees.
struct Slot: Sendable, Hashable, Comparable {
  var layer: Int32
  var registry: Int32

  init(_ l: Int, _ r: Int) {
    layer = Int32(l)
    registry = Int32(r)
  }

  static func < (a: Slot, b: Slot) -> Bool { (a.layer, a.registry) < (b.layer, b.registry) }
}

/// The restricted MIP of one neighbourhood: the placement decisions of `slots` are free,
/// every other placement stays as in the incumbent.
///
/// Built directly from the index, never from the whole formulation:
/// * each demanded pair `(n, l)` of a layer with a free slot gets a *fixed best cost*: the
///   cheapest of the origin and the incumbent's fixed copies of `l` that `n` can reach;
///   a free source is kept only when it is strictly cheaper (the evaluator's strict `<`),
///   and its objective coefficient is the saving against the fixed best (the savings form
///   of the exact model, with the fixed best playing the origin). A pair without any fixed
///   source must be served by a free one (`= 1` row, plain costs);
/// * fixed placements use storage: each involved registry's capacity row has
///   `capacity − fixed storage` on the right, and the file classes already stored by fixed
///   file-level layers cost nothing to the sub-MIP;
/// * the other file classes of free file-level candidates on a registry are merged by
///   signature (the free candidates that need them), one binary per group.
///
/// The solve gets the incumbent's restriction as its start vector, so GLPK starts from a
/// solution as good as the incumbent.
struct SubMIP {
  /// What one solve produced.
  struct Outcome: Sendable {
    /// The new state of each slot (parallel to the slots), or `nil` when nothing better
    /// was found (or the solve failed).
    var assignment: [Granularity?]?
    /// Columns of the model.
    var columns: Int
    /// Seconds in GLPK (model building included).
    var seconds: Double
    /// Whether the solve proved its neighbourhood optimal.
    var provenOptimal: Bool
    /// Whether GLPK's time limit (rather than the deterministic event limit) ended it.
    var cutByTime: Bool
    /// Whether GLPK failed (an error, not a limit).
    var failed: Bool
  }

  /// Limits of one solve.
  struct Limits: Sendable {
    /// Wall-clock limit in seconds.
    var seconds: Double
    /// Branch-and-cut callback events before the solve is stopped (deterministic effort).
    var events: Int
    /// External stop request.
    var shouldStop: (@Sendable () -> Bool)?
    /// GLPK cut families.
    var cuts: MIPOptions.Cuts
    /// Where every callback event is also counted (the search's total effort).
    var ledger: EffortLedger? = nil
    /// Work (simplex iterations × rows + columns) this solve may spend at most; `nil` for
    /// no limit. Deterministic, like ``events``.
    var work: Int? = nil
  }

  /// Estimated number of columns slot `(l, r)` adds: `x`, `z`, a source of each kind per
  /// demanding node linked to `r`, and the layer's file classes.
  static func estimatedColumns(_ index: ProblemIndex, layer l: Int, linkedDemand: Int) -> Int {
    2 + 2 * linkedDemand + min(index.layerClasses[l].count, 4)
  }

  /// Builds and solves the sub-MIP of `slots` around `incumbent`.
  static func solve(
    _ index: ProblemIndex, incumbent: PlacementMatrix, slots: [Slot], granularities: Set<Granularity>,
    limits: Limits
  ) -> Outcome {
    let watch = Stopwatch()
    let allowLayer = granularities.contains(.layer)
    let allowFile = granularities.contains(.file)
    let R = index.registryCount
    var slotOf: [Int: Int] = [:]
    slotOf.reserveCapacity(slots.count)
    for (i, s) in slots.enumerated() { slotOf[Int(s.layer) * R + Int(s.registry)] = i }
    func isFree(_ l: Int, _ r: Int) -> Bool { slotOf[l * R + r] != nil }

    // Registries involved, ascending; fixed storage on each.
    var involvedMark = [Bool](repeating: false, count: R)
    for s in slots { involvedMark[Int(s.registry)] = true }
    let involved = (0..<R).filter { involvedMark[$0] }
    var fixedUsed = [Int64](repeating: 0, count: R)
    var fixedClass: [Int: [Bool]] = [:]  // registry → class stored by a fixed file-level layer
    for r in involved {
      var stored = [Bool](repeating: false, count: index.classCount)
      var blob: Int64 = 0
      var files: Int64 = 0
      for l in 0..<index.layerCount where !isFree(l, r) {
        switch incumbent[l, r] {
        case .layer?: blob = ModelLimits.addingBytes(blob, index.layerSize[l])
        case .file?:
          for c in index.layerClasses[l] where !stored[Int(c)] {
            stored[Int(c)] = true
            files = ModelLimits.addingBytes(files, index.classSize[Int(c)])
          }
        case nil: break
        }
      }
      fixedUsed[r] = ModelLimits.addingBytes(blob, files)
      fixedClass[r] = stored
    }

    // Layers with a free slot, ascending.
    var layers = slots.map { Int($0.layer) }
    layers.sort()
    layers = layers.enumerated().filter { $0.offset == 0 || layers[$0.offset - 1] != $0.element }.map(\.element)

    var model = LinearModel()
    var xColumn = [Int](repeating: -1, count: slots.count)
    var zColumn = [Int](repeating: -1, count: slots.count)
    struct Source {
      var slot: Int
      var fileLevel: Bool
      var cost: Double
      var objective: Double
      var column: Int
    }
    struct Pair {
      var fixedBest: Double
      var sources: [Source]
    }
    var pairs: [Pair] = []

    for l in layers {
      for k in index.layerDemand.range(l) {
        let n = Int(index.layerDemand.values[k])
        let d = index.layerDemandValue[k]
        var fixedBest = index.originCost(node: n, layer: l) ?? .infinity
        var sources: [Source] = []
        for position in index.nodeLinks.range(n) {
          let r = Int(index.nodeLinks.values[position])
          let cL = index.layerCost(linkPosition: position, layer: l)
          if let i = slotOf[l * R + r] {
            sources.append(Source(slot: i, fileLevel: false, cost: cL, objective: 0, column: -1))
            sources.append(
              Source(slot: i, fileLevel: true, cost: cL + index.reconstructionTime[l], objective: 0, column: -1))
          } else {
            switch incumbent[l, r] {
            case .layer?: fixedBest = min(fixedBest, cL)
            case .file?: fixedBest = min(fixedBest, cL + index.reconstructionTime[l])
            case nil: break
            }
          }
        }
        sources.removeAll { s in
          s.cost >= fixedBest || (s.fileLevel ? !allowFile : !allowLayer)
        }
        for j in sources.indices {
          sources[j].objective =
            fixedBest.isFinite ? -d * (fixedBest - sources[j].cost) : d * sources[j].cost
        }
        pairs.append(Pair(fixedBest: fixedBest, sources: sources))
      }
    }

    // Placement columns for slots with a useful source.
    for pair in pairs {
      for s in pair.sources {
        if s.fileLevel {
          if zColumn[s.slot] < 0 { zColumn[s.slot] = model.addBinaryColumn() }
        } else if xColumn[s.slot] < 0 {
          xColumn[s.slot] = model.addBinaryColumn()
        }
      }
    }
    // Source columns and linking rows; assignment rows.
    for p in pairs.indices {
      var terms: [(column: Int, coefficient: Double)] = []
      for j in pairs[p].sources.indices {
        let s = pairs[p].sources[j]
        let column = model.addColumn(lowerBound: 0, upperBound: 1, objective: s.objective)
        pairs[p].sources[j].column = column
        let placement = s.fileLevel ? zColumn[s.slot] : xColumn[s.slot]
        model.addRow(upperBound: 0, terms: [(column, 1), (placement, -1)])
        terms.append((column, 1))
      }
      if pairs[p].fixedBest.isFinite {
        if terms.count > 1 { model.addRow(upperBound: 1, terms: terms) }
      } else {
        model.addRow(lowerBound: 1, upperBound: 1, terms: terms)
      }
    }
    for i in slots.indices where xColumn[i] >= 0 && zColumn[i] >= 0 {
      model.addRow(upperBound: 1, terms: [(xColumn[i], 1), (zColumn[i], 1)])
    }

    // File groups and capacity rows per involved registry.
    var groupColumns: [Int] = []
    var groupUsers: [[Int]] = []  // slots whose z needs the group
    for r in involved {
      let stored = fixedClass[r] ?? []
      var signature: [Int32: [Int32]] = [:]
      var classOrder: [Int32] = []
      for (i, s) in slots.enumerated() where Int(s.registry) == r && zColumn[i] >= 0 {
        for c in index.layerClasses[Int(s.layer)] where !stored[Int(c)] {
          if signature[c] == nil {
            classOrder.append(c)
            signature[c] = []
          }
          signature[c, default: []].append(Int32(i))
        }
      }
      var groupOf: [[Int32]: Int] = [:]
      var groupSize: [Int64] = []
      var localGroups: [Int] = []
      for c in classOrder {
        let key = signature[c] ?? []
        if let g = groupOf[key] {
          groupSize[g] = ModelLimits.addingBytes(groupSize[g], index.classSize[Int(c)])
        } else {
          groupOf[key] = groupSize.count
          groupSize.append(index.classSize[Int(c)])
          let column = model.addBinaryColumn()
          localGroups.append(column)
          groupColumns.append(column)
          groupUsers.append(key.map(Int.init))
          for i in key { model.addRow(upperBound: 0, terms: [(zColumn[Int(i)], 1), (column, -1)]) }
        }
      }
      var capacityTerms: [(column: Int, coefficient: Double)] = []
      for (i, s) in slots.enumerated() where Int(s.registry) == r && xColumn[i] >= 0 {
        let size = index.layerSize[Int(s.layer)]
        if size > 0 { capacityTerms.append((xColumn[i], Double(size))) }
      }
      for (g, column) in localGroups.enumerated() where groupSize[g] > 0 {
        capacityTerms.append((column, Double(groupSize[g])))
      }
      if !capacityTerms.isEmpty {
        let room = Double(index.capacity[r]) - Double(fixedUsed[r])
        model.addRow(upperBound: max(0, room), terms: capacityTerms)
      }
    }

    var outcome = Outcome(
      assignment: nil, columns: model.columns.count, seconds: 0, provenOptimal: false, cutByTime: false,
      failed: false)
    if model.columns.isEmpty {
      // Nothing useful can be placed: every free slot is better empty.
      outcome.assignment = [Granularity?](repeating: nil, count: slots.count)
      outcome.provenOptimal = true
      outcome.seconds = watch.seconds
      return outcome
    }

    // The incumbent's restriction as the start vector.
    var start = [Double](repeating: 0, count: model.columns.count)
    for (i, s) in slots.enumerated() {
      switch incumbent[Int(s.layer), Int(s.registry)] {
      case .layer?: if xColumn[i] >= 0 { start[xColumn[i]] = 1 }
      case .file?: if zColumn[i] >= 0 { start[zColumn[i]] = 1 }
      case nil: break
      }
    }
    for (g, column) in groupColumns.enumerated() where groupUsers[g].contains(where: { start[zColumn[$0]] > 0.5 }) {
      start[column] = 1
    }
    for pair in pairs {
      var best: (column: Int, cost: Double)? = nil
      for s in pair.sources {
        let open = s.fileLevel ? zColumn[s.slot] : xColumn[s.slot]
        guard start[open] > 0.5 else { continue }
        if best == nil || s.cost < (best?.cost ?? .infinity) { best = (s.column, s.cost) }
      }
      if let best { start[best.column] = 1 }
    }
    let startObjective = zip(model.columns, start).reduce(0.0) { $0 + $1.0.objective * $1.1 }

    let events = EventBudget(limit: limits.events, external: limits.shouldStop, ledger: limits.ledger)
    var options = MIPOptions(timeLimitSeconds: max(limits.seconds, 0.001), incumbent: start)
    options.shouldStop = { events.spend() }
    options.progressIntervalSeconds = .infinity
    options.cuts = limits.cuts
    // GLPK's time per simplex iteration grows with the model it pivots on.
    let size = model.rows.count + model.columns.count
    if let work = limits.work { options.iterationLimit = max(1, work / max(1, size)) }
    let result: MIPOutcome
    do {
      result = try GLPKSolver.solveMIP(model, options: options)
    } catch {
      outcome.failed = true
      outcome.seconds = watch.seconds
      return outcome
    }
    limits.ledger?.add(events: 0, work: result.simplexIterations * size)
    outcome.seconds = watch.seconds
    outcome.provenOptimal = result.status == .optimal
    outcome.cutByTime = result.termination == .timeLimit
    guard result.status == .optimal || result.status == .feasible, let values = result.values,
      let objective = result.objective
    else { return outcome }
    // Only a strictly better sub-plan is worth trying (the evaluator has the last word).
    guard objective < startObjective - 1e-9 * max(1, abs(startObjective)) else {
      return outcome
    }
    var assignment = [Granularity?](repeating: nil, count: slots.count)
    for i in slots.indices {
      if xColumn[i] >= 0, values[xColumn[i]] > 0.5 {
        assignment[i] = .layer
      } else if zColumn[i] >= 0, values[zColumn[i]] > 0.5 {
        assignment[i] = .file
      }
    }
    outcome.assignment = assignment
    return outcome
  }
}

/// Counts branch-and-cut callback events and asks GLPK to stop after `limit` of them, or
/// when the external stop says so. GLPK's event sequence for a given model is the same on
/// every run, so an event budget is a deterministic effort limit (unlike a time limit).
final class EventBudget: Sendable {
  private let spent = Mutex(0)
  private let limit: Int
  private let external: (@Sendable () -> Bool)?
  private let ledger: EffortLedger?

  /// Counts events into `ledger` too, when given.
  init(limit: Int, external: (@Sendable () -> Bool)?, ledger: EffortLedger? = nil) {
    self.limit = limit
    self.external = external
    self.ledger = ledger
  }

  /// Spends one event; `true` means stop.
  func spend() -> Bool {
    let count = spent.withLock { value -> Int in
      value += 1
      return value
    }
    ledger?.addEvent()
    return count > limit || external?() == true
  }
}

/// The callback events of many sub-MIPs, summed (also across threads): the deterministic
/// effort measure of the whole neighbourhood search. Read between batches only, when every
/// solve of the batch has finished, so the total never depends on the thread count.
final class EffortLedger: Sendable {
  private let total = Mutex((events: 0, work: 0))

  /// Counts one callback event.
  func addEvent() { total.withLock { $0.events += 1 } }

  /// Adds `events` and `work`: a finished sub-MIP's simplex iterations times its size
  /// (rows + columns), or another ledger's totals.
  func add(events: Int, work: Int) {
    total.withLock {
      $0.events += events
      $0.work += work
    }
  }

  /// The events counted so far.
  var events: Int { total.withLock { $0.events } }

  /// The work counted so far: simplex iterations weighted by their sub-MIP's rows + columns
  /// (the search's ledger counts only each batch's longest job).
  var work: Int { total.withLock { $0.work } }
}
