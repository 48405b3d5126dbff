import Foundation
import MISApprox
import MISModel
import MISSolver

// Two registries, two sites, one origin; two images share a base layer.
var b = InstanceBuilder(name: "embedded")
b.addRegistry("edge-a", capacityBytes: 30_000_000)
b.addRegistry("edge-b", capacityBytes: 12_000_000)
b.addNode("site-1")
b.addNode("site-2")
b.addLink(node: "site-1", registry: "edge-a", bandwidthBytesPerSecond: 50e6, latencySeconds: 0.01)
b.addLink(node: "site-2", registry: "edge-a", bandwidthBytesPerSecond: 20e6, latencySeconds: 0.03)
b.addLink(node: "site-2", registry: "edge-b", bandwidthBytesPerSecond: 50e6, latencySeconds: 0.01)
b.addOriginLink(node: "site-1", bandwidthBytesPerSecond: 5e6, latencySeconds: 0.15)
b.addOriginLink(node: "site-2", bandwidthBytesPerSecond: 5e6, latencySeconds: 0.15)
b.addFile("base/core", sizeBytes: 12_000_000)
b.addFile("app/web", sizeBytes: 4_000_000)
b.addFile("app/api", sizeBytes: 3_000_000)
b.addLayer("base", sizeBytes: 10_000_000, files: ["base/core"])
b.addLayer("web", sizeBytes: 3_000_000, files: ["app/web"])
b.addLayer("api", sizeBytes: 2_000_000, files: ["app/api"])
b.addImage("web:1", layers: ["base", "web"])
b.addImage("api:1", layers: ["base", "api"])
b.addDemand(node: "site-1", image: "web:1", pulls: 40)
b.addDemand(node: "site-2", image: "api:1", pulls: 25)

do {
  let index = try ProblemIndex(try b.build())  // validates (Docs/model.md §1)

  // A hand-written plan with ids, checked by the evaluator.
  let plan = Plan(placements: [Placement(registry: "edge-a", layer: "base", granularity: .layer)])
  let handMetrics = index.evaluate(plan)
  print("hand plan:", handMetrics.feasible, handMetrics.totalLatencySeconds ?? .nan)

  // Every method returns a PlanningResult. The time limit applies to every method (at the
  // limit: the best plan so far); the hand plan is the exact method's first incumbent.
  var options = PlannerOptions()
  options.timeLimitSeconds = 30
  options.startPlan = plan
  let exact = try Planner.solve(index, method: .exact, options: options)
  let approx = try Planner.solve(index, method: .approx)
  print(exact)  // method, status, termination, objective, bound, certified ratio
  print(ComparisonTable.render([exact, approx]))
  print("site-2 pulls base from:", exact.source(node: "site-2", layer: "base").map { "\($0)" } ?? "nowhere")

  guard handMetrics.feasible, exact.termination == .optimal, let best = exact.objective,
    let hand = handMetrics.totalLatencySeconds, let found = approx.objective,
    Tolerance.atMost(best, hand), Tolerance.atMost(best, found)
  else {
    print("unexpected result")
    exit(1)
  }
} catch {
  print("error:", error)
  exit(2)
}
