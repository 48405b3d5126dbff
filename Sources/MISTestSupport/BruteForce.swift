import MISModel

/// An independent reference optimum for tiny instances, by exhaustive enumeration.
///
/// Every (registry, layer) slot of the demanded layers takes each of {none, layer, file};
/// a depth-first search prunes a branch as soon as a registry is over capacity (storage
/// only grows as placements are added). Costs are computed here from the instance's raw
/// fields, not through `ProblemIndex.evaluate`, so that the check is independent of the
/// evaluator. Layers without demand are left empty: placing them can only use storage.
public enum BruteForce {
  /// The optimal objective and one optimal plan, or `nil` when no plan is feasible.
  public static func optimum(_ instance: Instance) -> (objective: Double, plan: Plan)? {
    let registries = instance.registries
    let layerIds = instance.layers.map(\.id)
    var layerPos: [String: Int] = [:]
    for (i, id) in layerIds.enumerated() { layerPos[id] = i }
    var filePos: [String: Int] = [:]
    for (i, f) in instance.files.enumerated() { filePos[f.id] = i }
    var nodePos: [String: Int] = [:]
    for (i, n) in instance.nodes.enumerated() { nodePos[n.id] = i }
    var registryPos: [String: Int] = [:]
    for (i, r) in registries.enumerated() { registryPos[r.id] = i }
    let L = instance.layers.count
    let R = registries.count
    let N = instance.nodes.count

    // Demand D[n][l].
    var imageLayers: [String: [Int]] = [:]
    for image in instance.images { imageLayers[image.id] = image.layers.compactMap { layerPos[$0] } }
    var demand = [[Double]](repeating: [Double](repeating: 0, count: L), count: N)
    for d in instance.demands {
      guard let n = nodePos[d.node] else { continue }
      for l in imageLayers[d.image] ?? [] { demand[n][l] += d.pulls }
    }
    // Links.
    var link = [[(lat: Double, bw: Double)?]](
      repeating: [(lat: Double, bw: Double)?](repeating: nil, count: R), count: N)
    for k in instance.links {
      if let n = nodePos[k.node], let r = registryPos[k.registry] {
        link[n][r] = (k.latencySeconds, k.bandwidthBytesPerSecond)
      }
    }
    var origin = [(lat: Double, bw: Double)?](repeating: nil, count: N)
    for k in instance.origin?.links ?? [] {
      if let n = nodePos[k.node] { origin[n] = (k.latencySeconds, k.bandwidthBytesPerSecond) }
    }
    let size = instance.layers.map { Double($0.sizeBytes) }
    let rec = instance.layers.map {
      instance.reconstruction.secondsPerLayer + instance.reconstruction.secondsPerByte * Double($0.sizeBytes)
    }
    let files = instance.layers.map { $0.files.compactMap { filePos[$0] } }
    let fileSize = instance.files.map(\.sizeBytes)

    let demanded = (0..<L).filter { l in (0..<N).contains { demand[$0][l] > 0 } }
    var slots: [(l: Int, r: Int)] = []
    for l in demanded { for r in 0..<R { slots.append((l, r)) } }

    var state = [[UInt8]](repeating: [UInt8](repeating: 0, count: R), count: L)
    var blobBytes = [Int64](repeating: 0, count: R)
    var fileUsers = [[Int]](repeating: [Int](repeating: 0, count: instance.files.count), count: R)
    var fileBytes = [Int64](repeating: 0, count: R)
    var best: (Double, [[UInt8]])? = nil

    func objective() -> Double? {
      var total = 0.0
      for n in 0..<N {
        for l in demanded where demand[n][l] > 0 {
          var c = Double.infinity
          if let o = origin[n] { c = o.lat + size[l] / o.bw }
          for r in 0..<R {
            guard let k = link[n][r] else { continue }
            if state[l][r] == 1 { c = min(c, k.lat + size[l] / k.bw) }
            if state[l][r] == 2 { c = min(c, k.lat + size[l] / k.bw + rec[l]) }
          }
          if c == .infinity { return nil }
          total += demand[n][l] * c
        }
      }
      return total
    }

    func search(_ i: Int) {
      if i == slots.count {
        if let t = objective(), t < (best?.0 ?? .infinity) { best = (t, state) }
        return
      }
      let (l, r) = slots[i]
      search(i + 1)
      // Layer level.
      blobBytes[r] += instance.layers[l].sizeBytes
      if blobBytes[r] + fileBytes[r] <= registries[r].capacityBytes {
        state[l][r] = 1
        search(i + 1)
        state[l][r] = 0
      }
      blobBytes[r] -= instance.layers[l].sizeBytes
      // File level.
      for f in files[l] {
        if fileUsers[r][f] == 0 { fileBytes[r] += fileSize[f] }
        fileUsers[r][f] += 1
      }
      if blobBytes[r] + fileBytes[r] <= registries[r].capacityBytes {
        state[l][r] = 2
        search(i + 1)
        state[l][r] = 0
      }
      for f in files[l] {
        fileUsers[r][f] -= 1
        if fileUsers[r][f] == 0 { fileBytes[r] -= fileSize[f] }
      }
    }
    search(0)
    guard let (t, s) = best else { return nil }
    var placements: [Placement] = []
    for r in 0..<R {
      for l in 0..<L where s[l][r] != 0 {
        placements.append(
          Placement(registry: registries[r].id, layer: layerIds[l], granularity: s[l][r] == 1 ? .layer : .file))
      }
    }
    return (t, Plan(instance: instance.name, placements: placements))
  }
}
