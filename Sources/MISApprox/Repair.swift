import MISModel
import MISSolver

/// Turns a rounded plan into a feasible one and then improves it greedily.
enum Repair {
  /// Repair, then (optionally) fill: make room first (cheapest losses per byte), give
  /// stranded pairs (no origin link, no source) the copy that fits with the fewest added
  /// bytes, make room again, then fill. Returns whether the plan ends feasible.
  static func complete(_ state: inout PlanState, candidates: Candidates, fill doFill: Bool) -> Bool {
    _ = fixCapacity(&state)
    serveStranded(&state, candidates: candidates)
    let fits = fixCapacity(&state)
    if fits && doFill { fill(&state, candidates: candidates) }
    return fits && !state.hasUnservedPair
  }

  /// Serves every pair that has neither a source nor an origin link, each with the
  /// candidate copy that adds the fewest bytes (among those that still fit, if any).
  static func serveStranded(_ state: inout PlanState, candidates: Candidates) {
    let index = state.index
    for l in 0..<index.layerCount {
      for k in index.layerDemand.range(l) where state.pairCost[k] >= state.unservedCost {
        let n = Int(index.layerDemand.values[k])
        var best: (fits: Bool, bytes: Int64, cost: Double, r: Int, g: Granularity)? = nil
        for position in index.nodeLinks.range(n) {
          let r = Int(index.nodeLinks.values[position])
          guard state.matrix[l, r] == nil else { continue }
          for g in [Granularity.layer, .file] {
            guard candidates.allows(l, r, g) else { continue }
            let bytes = g == .layer ? index.layerSize[l] : state.addedFileBytes(layer: l, registry: r)
            let cost = state.cost(node: n, layer: l, registry: r, g) ?? .infinity
            let option = (fits: bytes <= state.remaining(r), bytes: bytes, cost: cost, r: r, g: g)
            if let b = best {
              let better =
                option.fits != b.fits
                ? option.fits : (option.bytes != b.bytes ? option.bytes < b.bytes : option.cost < b.cost)
              if !better { continue }
            }
            best = option
          }
        }
        if let best { state.place(layer: l, registry: best.r, best.g) }
      }
    }
  }

  /// While a registry is over capacity, drops the placement on it whose removal adds the
  /// least latency per byte freed. Returns `false` when some registry cannot be brought
  /// within capacity.
  static func fixCapacity(_ state: inout PlanState) -> Bool {
    for r in 0..<state.index.registryCount where !makeRoom(&state, registry: r, keeping: -1) { return false }
    return true
  }

  /// Greedy fill: repeatedly adds the candidate placement with the most latency saved per
  /// byte that still fits, until nothing fits or helps. Lazy evaluation with a heap:
  /// gains only shrink as placements are added, and a file-level candidate whose added
  /// bytes shrink (its files became shared) is pushed again with its new key.
  static func fill(_ state: inout PlanState, candidates: Candidates) {
    let index = state.index
    let R = index.registryCount
    var heap = CandidateHeap()
    func key(_ gain: Double, _ bytes: Int64) -> Double { bytes <= 0 ? .infinity : gain / Double(bytes) }
    func consider(_ l: Int, _ r: Int, _ g: Granularity) {
      guard state.matrix[l, r] == nil else { return }
      let bytes = g == .layer ? index.layerSize[l] : state.addedFileBytes(layer: l, registry: r)
      guard bytes <= state.remaining(r) else { return }
      let gain = state.gain(layer: l, registry: r, g)
      guard gain > 0 else { return }
      heap.push(Candidate(key: key(gain, bytes), id: (l * R + r) * 2 + (g == .file ? 1 : 0)))
    }
    for l in 0..<index.layerCount where !index.layerDemand[l].isEmpty {
      for r in 0..<R {
        if candidates.allows(l, r, .layer) { consider(l, r, .layer) }
        if candidates.allows(l, r, .file) { consider(l, r, .file) }
      }
    }
    var seen = [Int](repeating: 0, count: index.layerCount)
    var stamp = 0
    while let top = heap.pop() {
      let g: Granularity = top.id % 2 == 1 ? .file : .layer
      let l = top.id / 2 / R
      let r = top.id / 2 % R
      guard state.matrix[l, r] == nil else { continue }
      let bytes = g == .layer ? index.layerSize[l] : state.addedFileBytes(layer: l, registry: r)
      guard bytes <= state.remaining(r) else { continue }
      let gain = state.gain(layer: l, registry: r, g)
      guard gain > 0 else { continue }
      let current = Candidate(key: key(gain, bytes), id: top.id)
      if let next = heap.peek(), next.precedes(current) {
        heap.push(current)
        continue
      }
      // Only the classes this placement newly stores make other file-level candidates on
      // r cheaper; each such candidate is pushed again once, with its new key.
      var newClasses: [Int32] = []
      if g == .file { newClasses = index.layerClasses[l].filter { !state.storesClass(Int($0), registry: r) } }
      state.place(layer: l, registry: r, g)
      if !newClasses.isEmpty {
        stamp += 1
        for c in newClasses {
          for other in index.classLayers[Int(c)] where Int(other) != l {
            let o = Int(other)
            guard seen[o] != stamp else { continue }
            seen[o] = stamp
            if state.matrix[o, r] == nil, candidates.allows(o, r, .file) { consider(o, r, .file) }
          }
        }
      }
    }
  }
}

/// A fill candidate: higher key first, then lower id (deterministic order).
struct Candidate {
  var key: Double
  var id: Int
  func precedes(_ other: Candidate) -> Bool { key != other.key ? key > other.key : id < other.id }
}

/// A binary max-heap of candidates.
struct CandidateHeap {
  private var items: [Candidate] = []

  var isEmpty: Bool { items.isEmpty }

  func peek() -> Candidate? { items.first }

  mutating func push(_ c: Candidate) {
    items.append(c)
    var i = items.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard items[i].precedes(items[parent]) else { break }
      items.swapAt(i, parent)
      i = parent
    }
  }

  mutating func pop() -> Candidate? {
    guard let top = items.first else { return nil }
    let last = items.removeLast()
    if !items.isEmpty {
      items[0] = last
      var i = 0
      while true {
        let left = 2 * i + 1
        let right = left + 1
        var best = i
        if left < items.count, items[left].precedes(items[best]) { best = left }
        if right < items.count, items[right].precedes(items[best]) { best = right }
        if best == i { break }
        items.swapAt(i, best)
        i = best
      }
    }
    return top
  }
}

extension Repair {
  /// Swap-based local search against the fragmentation that ratio greedy suffers on
  /// knapsack-like capacities: for the most valuable placements that no longer fit, make
  /// room on their registry by dropping the placements of least loss per byte, and keep the
  /// exchange when the total latency drops. Repeats while a round improves, at most
  /// `rounds` times, trying the `tries` highest-gain placements each round.
  static func improve(_ state: inout PlanState, candidates: Candidates, rounds: Int = 3, tries: Int = 64) {
    let index = state.index
    let R = index.registryCount
    for _ in 0..<rounds {
      var options: [(gain: Double, l: Int, r: Int, g: Granularity)] = []
      for l in 0..<index.layerCount where !index.layerDemand[l].isEmpty {
        for r in 0..<R where state.matrix[l, r] == nil {
          for g in [Granularity.layer, .file] {
            guard candidates.allows(l, r, g) else { continue }
            let gain = state.gain(layer: l, registry: r, g)
            if gain > 0 { options.append((gain, l, r, g)) }
          }
        }
      }
      options.sort { $0.gain != $1.gain ? $0.gain > $1.gain : ($0.l, $0.r) < ($1.l, $1.r) }
      var improved = false
      for option in options.prefix(tries) {
        guard state.matrix[option.l, option.r] == nil else { continue }
        var trial = state
        trial.place(layer: option.l, registry: option.r, option.g)
        guard makeRoom(&trial, registry: option.r, keeping: option.l) else { continue }
        fill(&trial, candidates: candidates)
        if trial.objective < state.objective * (1 - 1e-12) {
          state = trial
          improved = true
        }
      }
      if !improved { return }
    }
  }

  /// Drops placements on `r` (never layer `kept`; -1 for none) by least loss per byte freed
  /// until `r` fits. Returns `false` when nothing left can be dropped and `r` is still over.
  ///
  /// Lazy evaluation over a heap (a removal changes the losses and freed bytes of only a
  /// few other copies): the cheapest entry is re-evaluated when popped and dropped only if
  /// it is still no worse than the next one; otherwise it goes back with its new key. When
  /// the heap runs out while `r` is still over, the placements are scanned once more
  /// (a file-level copy frees bytes only once its last sharer is gone).
  ///
  /// - Complexity: O(P log P) evaluations for P placements on `r`, instead of O(P²).
  static func makeRoom(_ state: inout PlanState, registry r: Int, keeping kept: Int) -> Bool {
    guard state.overCapacity(r) else { return true }
    func ratio(_ l: Int) -> Double? {
      let freed = state.freedBytes(layer: l, registry: r)
      guard freed > 0 else { return nil }
      return state.removalLoss(layer: l, registry: r) / Double(freed)
    }
    var rescans = 0
    while state.overCapacity(r) {
      // Lower ratio first: the heap pops the highest key, so keys are negated ratios.
      var heap = CandidateHeap()
      for l in 0..<state.index.layerCount where l != kept && state.matrix[l, r] != nil {
        if let q = ratio(l) { heap.push(Candidate(key: -q, id: l)) }
      }
      if heap.isEmpty { return false }
      rescans += 1
      while state.overCapacity(r), let top = heap.pop() {
        let l = top.id
        guard state.matrix[l, r] != nil, let q = ratio(l) else { continue }
        let current = Candidate(key: -q, id: l)
        if let next = heap.peek(), next.precedes(current) {
          heap.push(current)
          continue
        }
        state.remove(layer: l, registry: r)
      }
      if rescans > state.index.layerCount + 1 { return !state.overCapacity(r) }
    }
    return true
  }
}

/// Which placements a plan may use: the (layer, registry, granularity) triples with a
/// useful source (the columns of the reduced model).
struct Candidates: Sendable {
  let registryCount: Int
  /// Bit 0 layer level, bit 1 file level, at `l * R + r`.
  private let flags: [UInt8]

  /// The candidates of the lean relaxation model.
  init(_ model: RelaxationModel) {
    registryCount = model.registryCount
    var flags = [UInt8](repeating: 0, count: model.index.layerCount * model.registryCount)
    for s in 0..<model.siteCount {
      let position = Int(model.siteLayer[s]) * model.registryCount + Int(model.siteRegistry[s])
      flags[position] = (model.siteHasLayer[s] ? 1 : 0) | (model.siteHasFile[s] ? 2 : 0)
    }
    self.flags = flags
  }

  /// The candidates of the compact model.
  init(_ formulation: Formulation) {
    registryCount = formulation.index.registryCount
    flags = zip(formulation.layerColumn, formulation.fileColumn).map { (x, z) in
      (x >= 0 ? 1 : 0) | (z >= 0 ? 2 : 0)
    }
  }

  /// Whether layer `l` may be stored on registry `r` at granularity `g`.
  @inline(__always)
  func allows(_ l: Int, _ r: Int, _ g: Granularity) -> Bool {
    flags[l * registryCount + r] & (g == .layer ? 1 : 2) != 0
  }
}

extension Repair {
  /// ``complete(_:candidates:fill:)`` over the compact model's candidates.
  static func complete(_ state: inout PlanState, formulation: Formulation, fill doFill: Bool) -> Bool {
    complete(&state, candidates: Candidates(formulation), fill: doFill)
  }

  /// ``improve(_:candidates:rounds:tries:)`` over the compact model's candidates.
  static func improve(_ state: inout PlanState, formulation: Formulation) {
    improve(&state, candidates: Candidates(formulation))
  }

  /// ``serveStranded(_:candidates:)`` over the compact model's candidates.
  static func serveStranded(_ state: inout PlanState, formulation: Formulation) {
    serveStranded(&state, candidates: Candidates(formulation))
  }

  /// ``fill(_:candidates:)`` over the compact model's candidates.
  static func fill(_ state: inout PlanState, formulation: Formulation) {
    fill(&state, candidates: Candidates(formulation))
  }
}
