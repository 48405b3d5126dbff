import Foundation
import MISModel
@testable import MISSolver
import Testing

@Suite struct LagrangianProbeTests {
  @Test func probe() throws {
    guard ProcessInfo.processInfo.environment["MIS_PROBE"] != nil else { return }
    var cases: [(String, Instance)] = []
    for seed in 0..<12 { cases.append(("tiny\(seed)", tinyInstance(UInt64(seed)))) }
    for (r, n, i, seed) in [(3, 4, 15, 1), (4, 6, 25, 2), (5, 10, 50, 2), (5, 8, 40, 3)] {
      var o = GeneratorOptions(kind: .paper, seed: UInt64(seed))
      o.registries = r
      o.nodes = n
      o.images = i
      o.connections = min(3, r)
      cases.append(("paper\(r)x\(n)x\(i)", InstanceGenerator.generate(o)))
    }
    for (name, instance) in cases {
      let index = try ProblemIndex(instance)
      let gran: Set<Granularity> = ProcessInfo.processInfo.environment["MIS_LAYERONLY"] != nil ? [.layer] : [.layer, .file]
      let model = RelaxationModel(index, granularities: gran)
      if !model.impossiblePairs.isEmpty { continue }
      var options = LagrangianRelaxation.Options()
      options.maximumIterations = Int(ProcessInfo.processInfo.environment["MIS_ITERS"] ?? "600") ?? 600
      let lp = try Relaxation.solve(Formulation(index, granularities: gran))
      let lpb = lp.lowerBound ?? .nan
      if let frac = ProcessInfo.processInfo.environment["MIS_TARGET"].flatMap(Double.init), lpb.isFinite {
        options.targetSaving = (model.referenceLatency - lpb) * frac
      }
      let clock = Stopwatch()
      let lag = LagrangianRelaxation(options: options).solve(model)
      let lagSeconds = clock.seconds
      if ProcessInfo.processInfo.environment["MIS_HIST"] != nil {
        let h = lag.boundHistory
        print(name, stride(from: 0, to: h.count, by: max(1, h.count / 12)).map { String(format: "%.1f", h[$0]) }.joined(separator: " "))
      }
      print(
        "\(name): lag \(lag.lowerBound) lp \(lpb) rel \((lpb - lag.lowerBound) / max(1, abs(lpb))) iters \(lag.iterations)/\(lag.sweeps) \(lag.stop) viol \(lag.primalViolation) t \(lagSeconds) lp t \(lp.seconds)"
      )
    }
  }
}
