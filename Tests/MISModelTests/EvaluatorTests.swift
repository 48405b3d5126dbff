import MISModel
import Testing

/// Evaluator results on hand-computed instances (`Docs/model.md` §4–5).
@Suite struct EvaluatorTests {
  let index: ProblemIndex

  init() throws { index = try ProblemIndex(handInstance()) }

  func plan(_ entries: [(String, String, Granularity)]) -> Plan {
    Plan(placements: entries.map { Placement(registry: $0.0, layer: $0.1, granularity: $0.2) })
  }

  @Test func demandPerNodeAndLayer() {
    // D[n1,L1] = 3, D[n1,L2] = 3, D[n2,L2] = 2 + 1, D[n2,L3] = 3.
    #expect(Array(index.layerDemand[0]) == [0])
    #expect(Array(index.layerDemand[1]) == [0, 1])
    #expect(Array(index.layerDemand[2]) == [1])
    #expect(index.layerDemandValue == [3, 3, 3, 3])
    #expect(index.totalPulls == 6)
  }

  @Test func costFunctions() {
    #expect(index.layerCost(node: 0, layer: 0, registry: 0) == 5)  // 1 + 40/10
    #expect(index.fileCost(node: 0, layer: 0, registry: 0) == 5.5)  // + 0.5
    #expect(index.originCost(node: 0, layer: 0) == 42)  // 2 + 40/1
    #expect(index.originCost(node: 1, layer: 0) == nil)  // n2 has no origin link
    #expect(index.layerCost(node: 0, layer: 0, registry: 1) == nil)  // n1 has no link to r2
  }

  @Test func fileClassesMergeIdenticalMembership() throws {
    // f1 ∈ {L1, L2}, f2 ∈ {L1}, f3 ∈ {L2, L3}: three classes. Add a file in L1 only too.
    var instance = handInstance()
    instance.files.append(File(id: "f4", sizeBytes: 7))
    instance.layers[0].files.append("f4")
    instance.files.append(File(id: "orphan", sizeBytes: 99))
    let index = try ProblemIndex(instance)
    #expect(index.classCount == 3)
    #expect(index.fileClass[1] == index.fileClass[3])  // f2 and f4 merge
    #expect(index.classSize[Int(index.fileClass[1])] == 27)
    #expect(index.fileClass[4] == -1)  // in no layer
    #expect(Array(index.layerClasses[0]).count == 2)
  }

  @Test func mixedPlanSharedFilesCountedOnce() {
    let m = index.evaluate(plan([("r1", "L1", .file), ("r1", "L2", .file), ("r2", "L3", .layer)]))
    #expect(m.feasible)
    #expect(m.violations.isEmpty)
    // (n1,L1) 3·5.5 + (n1,L2) 3·5.0 + (n2,L2) 3·7.5 + (n2,L3) 3·1 = 57
    #expect(m.totalLatencySeconds == 57)
    #expect(m.totalPulls == 6)
    #expect(m.meanImagePullSeconds == 9.5)
    #expect(m.reconstructionSeconds == 4.5)
    #expect(m.originShare == 0)
    #expect(
      m.registries[0]
        == RegistryMetrics(
          registry: "r1", usedBytes: 60, capacityBytes: 100, layerLevelLayers: 0, fileLevelLayers: 2,
          storedFiles: 3, dedupSavedBytes: 30))
    #expect(
      m.registries[1]
        == RegistryMetrics(
          registry: "r2", usedBytes: 10, capacityBytes: 50, layerLevelLayers: 1, fileLevelLayers: 0,
          storedFiles: 0, dedupSavedBytes: 0))
  }

  @Test func nodeWithoutOriginIsUnservedByEmptyPlan() {
    let m = index.evaluate(Plan.empty)
    #expect(!m.feasible)
    #expect(m.totalLatencySeconds == nil)
    #expect(m.violations.contains(.unservedDemand(node: "n2", layer: "L2", demand: 3)))
    #expect(m.violations.contains(.unservedDemand(node: "n2", layer: "L3", demand: 3)))
    #expect(m.violations.count == 2)
    // n1 is served by the origin: 3·42 + 3·37.
    #expect(m.originShare == 0.5)
  }

  @Test func overCapacityIsReported() {
    let m = index.evaluate(plan([("r2", "L2", .layer), ("r2", "L3", .file), ("r2", "L1", .layer)]))
    #expect(!m.feasible)
    #expect(m.violations == [.overCapacity(registry: "r2", usedBytes: 85, capacityBytes: 50)])
    #expect(m.totalLatencySeconds != nil)
  }

  @Test func unknownIdsAndDuplicatesAreViolationsNotFixes() {
    let m = index.evaluate(
      plan([
        ("r1", "L2", .layer), ("r2", "L3", .layer), ("rX", "L1", .layer), ("r1", "LX", .file),
        ("r1", "L2", .layer), ("r1", "L2", .file),
      ]))
    #expect(!m.feasible)
    #expect(m.violations.contains(.unknownRegistry(index: 2, registry: "rX")))
    #expect(m.violations.contains(.unknownLayer(index: 3, layer: "LX")))
    #expect(m.violations.contains(.duplicatePlacement(index: 4, registry: "r1", layer: "L2", firstIndex: 0)))
    #expect(m.violations.contains(.duplicatePlacement(index: 5, registry: "r1", layer: "L2", firstIndex: 0)))
    // Both conflicting copies are counted in storage: 35 (blob) + 40 (f1, f3).
    #expect(m.registries[0].usedBytes == 75)
  }

  @Test func tiesPreferLayerThenFileThenOriginThenFirstRegistry() throws {
    var b = InstanceBuilder(reconstruction: Reconstruction(secondsPerLayer: 0))
    b.addRegistry("a", capacityBytes: 100)
    b.addRegistry("b", capacityBytes: 100)
    b.addNode("n")
    b.addLink(node: "n", registry: "a", bandwidthBytesPerSecond: 10, latencySeconds: 1)
    b.addLink(node: "n", registry: "b", bandwidthBytesPerSecond: 10, latencySeconds: 1)
    b.addOriginLink(node: "n", bandwidthBytesPerSecond: 10, latencySeconds: 1)
    b.addFile("f", sizeBytes: 10)
    b.addLayer("l", sizeBytes: 10, files: ["f"])
    b.addImage("i", layers: ["l"])
    b.addDemand(node: "n", image: "i", pulls: 4)
    let index = try ProblemIndex(try b.build())
    var m = PlacementMatrix(for: index)
    // Every source costs 2 s. File level vs origin: the file-level copy serves.
    m[0, 1] = .file
    #expect(index.cheapestSource(node: 0, layer: 0, in: m)?.0 == .fileLevel(registry: 1))
    #expect(index.evaluate(m).originShare == 0)
    // Layer level beats file level on a tie, whatever the registry order.
    m[0, 1] = .layer
    m[0, 0] = .file
    #expect(index.cheapestSource(node: 0, layer: 0, in: m)?.0 == .layerLevel(registry: 1))
    // Among registries the first listed wins.
    m[0, 0] = .layer
    #expect(index.cheapestSource(node: 0, layer: 0, in: m)?.0 == .layerLevel(registry: 0))
    #expect(index.evaluate(m).totalLatencySeconds == 8)
    // Nothing stored: the origin.
    #expect(index.evaluate(PlacementMatrix(for: index)).originShare == 1)
  }

  @Test func zeroDemandLayersCostNothing() throws {
    var instance = handInstance()
    instance.demands.append(Demand(node: "n1", image: "B", pulls: 0))
    let index = try ProblemIndex(instance)
    #expect(index.layerDemandValue.count == 4)  // the zero demand adds no pair
  }

  @Test func referenceExampleIsValid() throws {
    let index = try ProblemIndex(ReferenceExamples.threeRegistries)
    #expect(index.registryCount == 3)
    #expect(index.originOnlyLatency != nil)
    // The Ubuntu releases share os/core and os/libs (one class); every other file is its own.
    #expect(index.classCount == 9)
  }
}
