import MISModel

/// A forced insertion followed by re-optimisation: place layer `l` on registry `r`, make
/// room there by dropping the placements of least loss per byte (`Repair`), then solve
/// the registry neighbourhood of every registry that can serve `l` (`r` first) around the
/// perturbed plan, keeping the forced copy. The chain escapes plans that are optimal for
/// every single-registry and registry-pair neighbourhood but not for three or more at once
/// (a big copy displacing another, which moves to a registry whose small copies move on).
/// The result is judged like any sub-MIP's: accepted only when the evaluator finds it
/// strictly better than the incumbent.
enum InsertionChain {
  /// Runs the chain; returns the slots that differ from `incumbent` and their new states
  /// (`nil` assignment when the chain could not start).
  static func run(
    _ context: ImprovementContext, incumbent: PlacementMatrix, layer l: Int, registry r: Int,
    granularities: Set<Granularity>, guide: FractionalGuide?, maxColumns: Int, rinsThreshold: Double,
    limits: SubMIP.Limits
  ) -> (slots: [Slot], outcome: SubMIP.Outcome) {
    let index = context.index
    let watch = Stopwatch()
    var outcome = SubMIP.Outcome(
      assignment: nil, columns: 0, seconds: 0, provenOptimal: false, cutByTime: false, failed: false)
    var state = PlanState(index: index, matrix: incumbent)
    let options = [Granularity.layer, .file].filter { granularities.contains($0) && incumbent[l, r] != $0 }
    guard
      let g = options.max(by: {
        (state.gain(layer: l, registry: r, $0), $1 == .layer ? 1 : 0) < (state.gain(layer: l, registry: r, $1), 0)
      })
    else { return ([], outcome) }
    state.place(layer: l, registry: r, g)
    guard Repair.makeRoom(&state, registry: r, keeping: l) else { return ([], outcome) }
    var matrix = state.matrix
    let registries = [r] + context.relevant[l].map(Int.init).filter { $0 != r }
    for (step, target) in registries.enumerated() {
      if limits.shouldStop?() == true { break }
      let costs = context.pairCosts(matrix)
      var slots = context.slots(
        of: Neighbourhood(kind: .registry, registries: [target], salt: UInt64(step)), incumbent: matrix, costs: costs,
        guide: guide, maxColumns: maxColumns, rinsThreshold: rinsThreshold)
      slots.removeAll { Int($0.layer) == l && Int($0.registry) == r }
      guard !slots.isEmpty else { continue }
      // The chain's sub-MIPs share one work allowance.
      var stepLimits = limits
      if let work = limits.work, let ledger = limits.ledger {
        guard ledger.work < work else { break }
        stepLimits.work = work - ledger.work
      }
      let solved = SubMIP.solve(
        index, incumbent: matrix, slots: slots, granularities: granularities, limits: stepLimits)
      outcome.columns = max(outcome.columns, solved.columns)
      outcome.cutByTime = outcome.cutByTime || solved.cutByTime
      outcome.failed = outcome.failed || solved.failed
      if let assignment = solved.assignment {
        for (i, slot) in slots.enumerated() { matrix[Int(slot.layer), Int(slot.registry)] = assignment[i] }
      }
    }
    var changed: [Slot] = []
    var assignment: [Granularity?] = []
    for k in 0..<index.layerCount {
      for s in 0..<index.registryCount where matrix[k, s] != incumbent[k, s] {
        changed.append(Slot(k, s))
        assignment.append(matrix[k, s])
      }
    }
    outcome.assignment = assignment
    outcome.seconds = watch.seconds
    return (changed, outcome)
  }
}
