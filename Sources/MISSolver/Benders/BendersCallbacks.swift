import MISModel

/// The Benders side of GLPK's branch and cut: optimality cuts, the rounding heuristic and
/// branching priorities for one solve. Lives on the solving thread only.
final class BendersCallbacks: BranchAndCutDelegate {
  let master: BendersMaster
  let options: BendersOptions
  /// Cuts added, by event kind.
  var rootCuts = 0
  var lazyCuts = 0
  var fractionalCuts = 0
  var heuristicCalls = 0
  /// The best heuristic objective submitted so far.
  var bestHeuristic = Double.infinity

  private var currentNode = -1
  private var roundsAtNode = 0
  private var lastBound = -Double.infinity
  private var stalledRounds = 0
  private var heuristicNode = -1
  private var heuristicTriesAtNode = 0

  /// Relative violation below which a cut is not added at an integral point (must be below
  /// GLPK's own feasibility tolerance times the row scale, so that no integral point that the
  /// full model prices higher is accepted).
  static let integralTolerance = 1e-9
  /// Relative violation below which a cut is not added at a fractional point.
  static let fractionalTolerance = 1e-6
  /// Distance to 0/1 under which every binary counts as integral (looser than GLPK's 1e-5,
  /// so every point GLPK calls integral is separated exactly).
  static let integrality = 1e-4

  init(master: BendersMaster, options: BendersOptions) {
    self.master = master
    self.options = options
  }

  var branchingPriority: [Double]? {
    guard options.branchingPriorities else { return nil }
    var priority = [Double](repeating: 0, count: master.model.columns.count)
    for pair in master.pairs {
      let worst = pair.origin ?? pair.costs[pair.costs.count - 1]
      for k in pair.costs.indices { priority[Int(pair.columns[k])] += pair.demand * (worst - pair.costs[k]) }
    }
    // Group columns: the largest saving among the copies that need them.
    for placement in master.placements where placement.fileLevel {
      for g in placement.groups {
        let column = Int(master.groups[Int(g)].column)
        priority[column] = max(priority[column], priority[Int(placement.column)])
      }
    }
    return priority
  }

  private func isIntegral(_ point: UnsafeBufferPointer<Double>) -> Bool {
    for j in 0..<point.count where master.isBinary[j] {
      let v = point[j]
      if min(abs(v), abs(1 - v)) > Self.integrality { return false }
    }
    return true
  }

  /// Σ D·θ + C₀ at `point`: the master LP's objective.
  private func objective(_ point: UnsafeBufferPointer<Double>) -> Double {
    var total = master.model.objectiveConstant
    for pair in master.pairs { total += pair.demand * point[Int(pair.theta)] }
    return total
  }

  func rows(at point: UnsafeBufferPointer<Double>, event: BranchAndCutEvent) -> [LinearModel.Row] {
    switch event {
    case .root:
      // Tailing off: stop when three rounds in a row raise the bound by under 1e-6.
      let bound = objective(point)
      if bound <= lastBound + 1e-6 * max(1, abs(bound)) {
        stalledRounds += 1
        if stalledRounds >= 3 { return [] }
      } else {
        stalledRounds = 0
      }
      lastBound = bound
      let rows = master.violatedCuts(at: point, tolerance: Self.fractionalTolerance)
      rootCuts += rows.count
      return rows
    case .lazy:
      // Exact separation at every integral point (the cuts make θ the true cost there);
      // fractional points are left to the cut event.
      guard isIntegral(point) else { return [] }
      let rows = master.violatedCuts(at: point, tolerance: Self.integralTolerance)
      lazyCuts += rows.count
      return rows
    case .cut(let node, let level):
      guard options.fractionalCuts else { return [] }
      if node != currentNode {
        currentNode = node
        roundsAtNode = 0
      }
      let limit = level == 0 ? options.rootCutRounds : options.nodeCutRounds
      guard roundsAtNode < limit else { return [] }
      roundsAtNode += 1
      let rows = master.violatedCuts(at: point, tolerance: Self.fractionalTolerance)
      fractionalCuts += rows.count
      return rows
    }
  }

  func heuristicSolution(at point: UnsafeBufferPointer<Double>, node: Int) -> [Double]? {
    guard options.roundingHeuristic else { return nil }
    if node != heuristicNode {
      heuristicNode = node
      heuristicTriesAtNode = 0
    }
    // A few tries per node (the LP point changes with every cut round), and only on the
    // first nodes and then every tenth: the rounding is cheap, but not free.
    guard heuristicTriesAtNode < 3, node <= 50 || node % 10 == 0 else { return nil }
    heuristicTriesAtNode += 1
    heuristicCalls += 1
    guard var values = BendersRounding.round(master, point: point) else { return nil }
    guard master.completeThetas(&values) else { return nil }
    var objective = master.model.objectiveConstant
    for pair in master.pairs { objective += pair.demand * values[Int(pair.theta)] }
    guard objective < bestHeuristic - 1e-9 * max(1, abs(objective)) else { return nil }
    bestHeuristic = objective
    return values
  }
}

/// Rounding of a master LP point into a feasible placement (no `θ`), greedily by LP value.
enum BendersRounding {
  /// Takes placements in decreasing order of their LP value (ties: column order) while they
  /// fit, then the remaining ones that still save latency, by saving per byte, while they
  /// fit; then opens the cheapest fitting source of every pair without an origin link that
  /// is still unserved. Returns binaries only (`θ` is left 0), or `nil` when a pair stays
  /// unserved.
  static func round(_ master: BendersMaster, point: UnsafeBufferPointer<Double>) -> [Double]? {
    let index = master.index
    let R = index.registryCount
    var used = [Int64](repeating: 0, count: R)
    var stored = [Bool](repeating: false, count: master.groups.count)
    var taken = [Bool](repeating: false, count: index.layerCount * R)
    var values = [Double](repeating: 0, count: master.model.columns.count)

    func tryPlace(_ p: Int) -> Bool {
      let placement = master.placements[p]
      let slot = Int(placement.layer) * R + Int(placement.registry)
      guard !taken[slot] else { return false }
      let r = Int(placement.registry)
      var extra: Int64 = 0
      if placement.fileLevel {
        for g in placement.groups where !stored[Int(g)] { extra = extra &+ master.groups[Int(g)].sizeBytes }
      } else {
        extra = index.layerSize[Int(placement.layer)]
      }
      guard extra >= 0, used[r] <= index.capacity[r] - extra else { return false }
      used[r] += extra
      taken[slot] = true
      values[Int(placement.column)] = 1
      for g in placement.groups where !stored[Int(g)] {
        stored[Int(g)] = true
        values[Int(master.groups[Int(g)].column)] = 1
      }
      return true
    }

    let order = master.placements.indices.filter { point[Int(master.placements[$0].column)] > 1e-6 }.sorted {
      let a = point[Int(master.placements[$0].column)]
      let b = point[Int(master.placements[$1].column)]
      return a != b ? a > b : $0 < $1
    }
    for p in order { _ = tryPlace(p) }
    // Fill: the copies left out, by saving per byte against the rounded plan, while they fit.
    var current = master.pairs.indices.map { p in
      master.cost(pair: p, open: { values[Int($0)] > 0.5 }) ?? .infinity
    }
    func saving(_ q: Int) -> Double {
      var total = 0.0
      for (p, c) in master.placements[q].serves where c < current[Int(p)] {
        let before = current[Int(p)]
        total += master.pairs[Int(p)].demand * (before.isFinite ? before - c : c)
      }
      return total
    }
    func bytes(_ q: Int) -> Double {
      let placement = master.placements[q]
      guard placement.fileLevel else { return Double(max(1, index.layerSize[Int(placement.layer)])) }
      var extra: Int64 = 0
      for g in placement.groups where !stored[Int(g)] { extra = extra &+ master.groups[Int(g)].sizeBytes }
      return Double(max(1, extra))
    }
    var rest: [(q: Int, ratio: Double)] = []
    for q in master.placements.indices where values[Int(master.placements[q].column)] < 0.5 {
      let ratio = saving(q) / bytes(q)
      if ratio > 0 { rest.append((q, ratio)) }
    }
    rest.sort { a, b in a.ratio != b.ratio ? a.ratio > b.ratio : a.q < b.q }
    for (q, _) in rest where saving(q) > 0 && tryPlace(q) {
      for (p, c) in master.placements[q].serves where c < current[Int(p)] { current[Int(p)] = c }
    }
    for pair in master.pairs where pair.origin == nil {
      if pair.columns.contains(where: { values[Int($0)] > 0.5 }) { continue }
      var served = false
      for column in pair.columns {
        let p = Int(master.placementOfColumn[Int(column)])
        if p >= 0, tryPlace(p) {
          served = true
          break
        }
      }
      if !served { return nil }
    }
    return values
  }
}
