import MISModel

/// One-placement moves between sub-MIPs: change a copy's granularity, or move the copy to
/// another registry (at either granularity), whenever that lowers the total latency and
/// fits. Only the moved layer's pairs change cost, so each trial costs one layer's pairs.
///
/// The exchange local search that adds a placement by dropping others (`Repair`) is not
/// repeated here: the improver calls it when it has a formulation.
enum CheapMoves {
  /// Applies improving moves, best move per placement, in (layer, registry) order, for
  /// at most `rounds` sweeps. Returns how many moves were applied.
  static func run(
    _ state: inout PlanState, context: ImprovementContext, granularities: Set<Granularity>, rounds: Int = 2,
    shouldStop: () -> Bool
  ) -> Int {
    let index = context.index
    let allowed: [Granularity] = [.layer, .file].filter { granularities.contains($0) }
    var applied = 0
    func layerObjective(_ l: Int) -> Double {
      var total = 0.0
      for k in index.layerDemand.range(l) { total += index.layerDemandValue[k] * state.pairCost[k] }
      return total
    }
    for _ in 0..<rounds {
      var improved = false
      for l in context.demandedLayers {
        if shouldStop() { return applied }
        for position in context.relevant.range(l) {
          let r = Int(context.relevant.values[position])
          guard let g = state.matrix[l, r] else { continue }
          let base = layerObjective(l)
          var best: (value: Double, r: Int, g: Granularity)? = nil
          for target in context.relevant.range(l) {
            let r2 = Int(context.relevant.values[target])
            guard r2 == r || state.matrix[l, r2] == nil else { continue }
            for g2 in allowed where !(r2 == r && g2 == g) {
              state.remove(layer: l, registry: r)
              state.place(layer: l, registry: r2, g2)
              if !state.overCapacity(r2) {
                let value = layerObjective(l)
                if value < (best?.value ?? base) - 1e-12 * max(1, abs(base)) { best = (value, r2, g2) }
              }
              state.remove(layer: l, registry: r2)
              state.place(layer: l, registry: r, g)
            }
          }
          if let best {
            state.remove(layer: l, registry: r)
            state.place(layer: l, registry: best.r, best.g)
            applied += 1
            improved = true
          }
        }
      }
      if !improved { break }
    }
    return applied
  }
}
