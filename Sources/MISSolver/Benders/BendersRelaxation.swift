import MISModel

/// The LP relaxation of the reduced model solved on the thinned Benders master
/// (``BendersMaster``): placement, group and capacity rows as in the compact model, one cost
/// variable `θ` per demanded pair, and the optimality cuts generated as the LP asks for them.
///
/// The routing columns and their linking rows — most of the compact model — never reach
/// GLPK. Each round solves the master LP (the dual simplex re-optimises from the previous
/// basis), separates the most violated cut of every pair in closed form, and adds them;
/// when no cut is violated the master's value *is* the compact LP's (`Docs/exact-solver.md`,
/// "why they are all that is needed"). Whenever the loop stops, the master LP with the cuts
/// so far relaxes the full master, so its value is still a proven lower bound.
package struct CutRelaxation: Sendable {
  /// How the LP ended.
  package var status: Relaxation.Status
  /// The last master LP's value (with the objective constant): a lower bound on `T`, equal
  /// to the compact LP when ``converged``.
  package var lowerBound: Double?
  /// The last master LP's placements, the input of rounding.
  package var fractionalPlan: FractionalPlan?
  /// Capacity prices (seconds per GiB) from the capacity rows' duals: a subgradient of the
  /// master's value function, hence of the LP's (the master only relaxes it and touches it
  /// at the current capacities).
  package var capacityPrices: [Double]?
  /// Whether no optimality cut was left violated (beyond a relative 1e-9).
  package var converged: Bool
  /// Separation rounds and cuts added.
  package var rounds: Int
  /// Cuts added after the initial ones.
  package var cuts: Int

  /// Creates a result from parts (e.g. the compact LP's, converted).
  package init(
    status: Relaxation.Status, lowerBound: Double?, fractionalPlan: FractionalPlan?, capacityPrices: [Double]?,
    converged: Bool, rounds: Int, cuts: Int
  ) {
    self.status = status
    self.lowerBound = lowerBound
    self.fractionalPlan = fractionalPlan
    self.capacityPrices = capacityPrices
    self.converged = converged
    self.rounds = rounds
    self.cuts = cuts
  }

  /// Solves the relaxation of `formulation` by cut generation, within `timeLimitSeconds`,
  /// polling `shouldStop`; at most `maxRounds` separation rounds.
  ///
  /// When the master with *every* optimality cut has at most `upfrontRowLimit` rows, all
  /// cuts go in before the first solve: one simplex solve then reaches the compact LP,
  /// where re-optimising after each round of thousands of cuts costs GLPK's dual simplex
  /// far more pivots (a 10-registry, 200-image layer-level LP: 17 s against 55 s over 7
  /// rounds). Larger masters start from one cut per pair and separate.
  ///
  /// - Throws: ``SolverError`` when GLPK cannot run.
  package static func solve(
    _ formulation: Formulation, timeLimitSeconds: Double? = nil, maxRounds: Int = 500,
    upfrontRowLimit: Int = 50_000, shouldStop: (@Sendable () -> Bool)? = nil
  ) throws(SolverError) -> CutRelaxation {
    let index = formulation.index
    if !formulation.impossiblePairs.isEmpty {
      return CutRelaxation(
        status: .infeasible, lowerBound: nil, fractionalPlan: nil, capacityPrices: nil, converged: true, rounds: 0,
        cuts: 0)
    }
    let master = BendersMaster(formulation)
    var model = master.model
    if model.rows.count + master.allCutCount <= upfrontRowLimit {
      model.rows.append(contentsOf: master.allCuts())
    } else {
      model.rows.append(contentsOf: master.initialCuts())
    }
    let separator = LPSeparator(master: master)
    let outcome = try GLPKSolver.solveLPWithRowGeneration(
      model, delegate: separator, maxRounds: maxRounds, timeLimitSeconds: timeLimitSeconds, shouldStop: shouldStop)
    switch outcome.status {
    case .optimal:
      break
    case .infeasible:
      return CutRelaxation(
        status: .infeasible, lowerBound: nil, fractionalPlan: nil, capacityPrices: nil, converged: true,
        rounds: outcome.statistics.rootRounds, cuts: outcome.statistics.rootRows)
    case .unbounded:
      throw .glpkFailure(code: 0, context: "the Benders master LP reported unbounded, impossible with bounded θ")
    case .limit, .stopped:
      return CutRelaxation(
        status: .limit, lowerBound: outcome.statistics.rootBound, fractionalPlan: nil, capacityPrices: nil,
        converged: false, rounds: outcome.statistics.rootRounds, cuts: outcome.statistics.rootRows)
    }
    let values = outcome.values ?? []
    // Sites: the master's placements come layer by layer, registry by registry, the
    // layer-level column before the file-level one of the same (layer, registry).
    var siteLayer: [Int32] = []
    var siteRegistry: [Int32] = []
    var layerShares: [Double] = []
    var fileShares: [Double] = []
    var starts = [Int](repeating: 0, count: index.layerCount + 1)
    var nextLayer = 0
    for placement in master.placements {
      let l = Int(placement.layer)
      while nextLayer <= l {
        starts[nextLayer] = siteLayer.count
        nextLayer += 1
      }
      let share = min(1, max(0, values[Int(placement.column)]))
      if siteLayer.last != placement.layer || siteRegistry.last != placement.registry {
        siteLayer.append(placement.layer)
        siteRegistry.append(placement.registry)
        layerShares.append(0)
        fileShares.append(0)
      }
      if placement.fileLevel {
        fileShares[fileShares.count - 1] = share
      } else {
        layerShares[layerShares.count - 1] = share
      }
    }
    while nextLayer <= index.layerCount {
      starts[nextLayer] = siteLayer.count
      nextLayer += 1
    }
    let plan = FractionalPlan(
      layerCount: index.layerCount, registryCount: index.registryCount, siteLayer: siteLayer,
      siteRegistry: siteRegistry, layerShares: layerShares, fileShares: fileShares, layerSiteStart: starts)
    var prices = [Double](repeating: 0, count: index.registryCount)
    if let duals = outcome.rowDuals {
      for (row, r) in master.capacityRows where row < duals.count {
        prices[r] = max(0, -duals[row]) * 1_073_741_824
      }
    }
    return CutRelaxation(
      status: .optimal, lowerBound: outcome.objective, fractionalPlan: plan, capacityPrices: prices,
      converged: outcome.converged, rounds: outcome.statistics.rootRounds, cuts: outcome.statistics.rootRows)
  }
}

/// Exact separation of the optimality cuts at LP points (the root event only).
private final class LPSeparator: BranchAndCutDelegate {
  let master: BendersMaster
  /// Relative violation under which a cut is not added.
  static let tolerance = 1e-9

  init(master: BendersMaster) { self.master = master }

  var branchingPriority: [Double]? { nil }

  func heuristicSolution(at point: UnsafeBufferPointer<Double>, node: Int) -> [Double]? { nil }

  func rows(at point: UnsafeBufferPointer<Double>, event: BranchAndCutEvent) -> [LinearModel.Row] {
    guard case .root = event else { return [] }
    return master.violatedCuts(at: point, tolerance: Self.tolerance)
  }
}
