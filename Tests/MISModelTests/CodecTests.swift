import MISModel
import Testing

@Suite struct CodecTests {
  @Test func instanceRoundTrip() throws {
    let original = handInstance()
    let bytes = InstanceCodec.encode(original)
    let decoded = try InstanceCodec.decode(bytes)
    #expect(decoded == original)
    // Writing is byte-for-byte stable.
    #expect(InstanceCodec.encode(decoded) == bytes)
    #expect(try InstanceCodec.decode(InstanceCodec.encode(original, pretty: false)) == original)
  }

  @Test func referenceExampleRoundTrip() throws {
    let original = ReferenceExamples.threeRegistries
    #expect(try InstanceCodec.decode(InstanceCodec.encode(original)) == original)
  }

  @Test func extremeNumbersRoundTrip() throws {
    var instance = handInstance()
    instance.registries[0].capacityBytes = ModelLimits.maximumBytes
    instance.links[0].bandwidthBytesPerSecond = 1e12
    instance.links[1].bandwidthBytesPerSecond = 1
    instance.links[2].latencySeconds = 0.1 + 0.2
    instance.demands[0].pulls = 1.0 / 3.0
    instance.nodes[0].id = "nœud-ü\"\\/\n"
    instance.links[0].node = instance.nodes[0].id
    instance.origin?.links[0].node = instance.nodes[0].id
    instance.demands[0].node = instance.nodes[0].id
    #expect(try InstanceCodec.decode(InstanceCodec.encode(instance)) == instance)
  }

  @Test func planRoundTripAndMetricsBlock() throws {
    let index = try ProblemIndex(handInstance())
    let plan = Plan(
      instance: "hand",
      placements: [
        Placement(registry: "r1", layer: "L1", granularity: .file),
        Placement(registry: "r2", layer: "L3", granularity: .layer),
      ])
    let metrics = index.evaluate(plan)
    let report = SolverReport(method: "test", status: .feasible, objective: 10, bound: 8, seconds: 0.5, seed: 7)
    let bytes = PlanCodec.encode(plan, metrics: metrics, solver: report)
    #expect(try PlanCodec.decode(bytes) == plan)
    let value = try JSONReader(bytes: bytes).parseDocumentCopy()
    #expect(value["solver"]?["certifiedRatio"] == .number(1.25))
    #expect(value["solver"]?["gap"] == .number(0.2))
    #expect(value["metrics"]?["feasible"] == .bool(false))
    #expect(value["metrics"]?["violations"] != nil)
  }

  @Test func planStructuralErrors() {
    func issues(_ text: String) -> [ValidationIssue] {
      do {
        _ = try PlanCodec.decode(Array(text.utf8))
        return []
      } catch {
        return error.issues
      }
    }
    #expect(issues(#"{"placements": []}"#).map(\.field) == ["format"])
    #expect(issues(#"{"format": "mis-plan/1"}"#).map(\.field) == ["placements"])
    let bad = issues(
      #"{"format": "mis-plan/1", "placements": [{"registry": "r1", "layer": "L1", "granularity": "blob"}, {"layer": 3}]}"#
    )
    #expect(
      bad.map(\.path) == [
        "placements[0].granularity", "placements[1].registry", "placements[1].layer", "placements[1].granularity",
      ])
  }
}

extension JSONReader {
  /// Parses a copy (the reader is a value).
  func parseDocumentCopy() throws -> JSONValue {
    var copy = self
    return try copy.parseDocument()
  }
}
