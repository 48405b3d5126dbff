import Foundation
import MISModel
import Testing

/// Unknown keys and suspicious instances are reported as warnings with their path and the
/// key probably meant; strict mode makes them errors.
@Suite struct WarningTests {
  /// The warnings of `text`, which must decode.
  func warnings(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ValidationWarning] {
    do {
      return try InstanceCodec.decodeWithWarnings(Array(text.utf8)).warnings
    } catch {
      Issue.record("did not decode: \(error)", sourceLocation: sourceLocation)
      return []
    }
  }

  @Test func theValidDocumentHasNoWarning() {
    #expect(warnings(validInstanceJSON).isEmpty)
    #expect(ReferenceExamples.threeRegistries.warnings.isEmpty)
    #expect(handInstance().warnings.isEmpty)
  }

  @Test(
    "each misspelling gives its path and the key probably meant",
    arguments: [
      // (original, misspelled, expected path, expected suggestion)
      ("\"demands\":", "\"demand\":", "demand", "demands"),
      ("\"origin\":", "\"origins\":", "origins", "origin"),
      ("\"pulls\": 40", "\"pulls\": 40, \"pull\": 3", "demands[0].pull", "pulls"),
      ("\"sizeBytes\": 734003", "\"sizeBytes\": 734003, \"size\": 1", "layers[0].size", "sizeBytes"),
      (
        "\"latencySeconds\": 0.15", "\"latencySeconds\": 0.15, \"Latency\": 1", "origin.links[0].Latency",
        "latencySeconds"
      ),
      ("\"registries\":", "\"regsitries\": [], \"registries\":", "regsitries", "registries"),
    ])
  func misspelledKeys(original: String, misspelled: String, path: String, suggestion: String) throws {
    let found = warnings(mutated(original, misspelled)).filter { $0.kind == .unknownKey }
    #expect(found.count == 1, "\(found)")
    #expect(found.first?.path == path)
    #expect(found.first?.suggestion == suggestion)
    #expect(found.first?.description.contains("did you mean \"\(suggestion)\"?") == true)
  }

  @Test func secondsPerLayerInTheWrongCase() throws {
    let text = mutated("\"name\": \"doc\",", "\"name\": \"doc\", \"reconstruction\": {\"secondsPerlayer\": 0.5},")
    let (instance, found) = try InstanceCodec.decodeWithWarnings(Array(text.utf8))
    #expect(instance.reconstruction == .default)  // the misspelled value was not used…
    #expect(found.map(\.path) == ["reconstruction.secondsPerlayer"])  // …but it was reported
    #expect(found.first?.suggestion == "secondsPerLayer")
    #expect(
      found.first?.description
        == #"reconstruction.secondsPerlayer: unknown key "secondsPerlayer" ignored; did you mean "secondsPerLayer"?"#)
  }

  @Test func demandMisspelledAtTheTopLevelAlsoMeansNoDemand() {
    let found = warnings(mutated("\"demands\":", "\"demand\":"))
    #expect(found.map(\.kind) == [.unknownKey, .noDemand])
    #expect(found[0].description == #"demand: unknown key "demand" ignored; did you mean "demands"?"#)
    #expect(found[1].path == "demands")
  }

  @Test func keysFarFromEveryKnownKeyHaveNoSuggestion() {
    let found = warnings(mutated("\"name\": \"doc\",", "\"name\": \"doc\", \"comment\": [1, {\"x\": null}],"))
    #expect(found.map(\.path) == ["comment"])
    #expect(found.first?.suggestion == nil)
    #expect(found.first?.description == #"comment: unknown key "comment" ignored"#)
  }

  @Test func oneWarningPerKeyAndKindOfObjectWithACount() throws {
    var files: [String] = []
    for i in 0..<1000 { files.append(#"{"id": "f\#(i)", "sizeBytes": 1, "digest": "d"}"#) }
    let text = mutated(#"{ "id": "f1", "sizeBytes": 1048576 }"#, files.joined(separator: ", "))
    let found = warnings(text).filter { $0.kind == .unknownKey }
    #expect(found.count == 1)
    #expect(found.first?.path == "files[0].digest")
    #expect(found.first?.message.contains("also in 999 more elements of files") == true)
  }

  @Test func suggestionRules() {
    // Through the public path: a registry with misspelled keys.
    let cases: [(String, String?)] = [
      ("capacity", "capacityBytes"), ("capacity_bytes", "capacityBytes"), ("CAPACITYBYTES", "capacityBytes"),
      ("ID", "id"), ("ids", "id"), ("owner", nil), ("x", nil),
    ]
    for (key, expected) in cases {
      let text = mutated(
        #""capacityBytes": 4000000000 }"#, #""capacityBytes": 4000000000, "\#(key)": 1 }"#)
      let found = warnings(text)
      #expect(found.first?.path == "registries[0].\(key)", "\(key)")
      #expect(found.first?.suggestion == expected, "\(key): \(found)")
    }
  }

  @Test func structuralWarnings() {
    var instance = handInstance()
    instance.registries.append(Registry(id: "lonely", capacityBytes: 10))
    instance.nodes.append(Node(id: "island"))
    instance.images.append(Image(id: "unused:1", layers: ["L1"]))
    let found = instance.warnings
    #expect(found.map(\.kind) == [.unlinkedRegistry, .isolatedNode, .unpulledImage])
    #expect(found.map(\.path) == ["registries[2]", "nodes[2]", "images[2]"])
    #expect(found.map(\.entity) == [#"registry "lonely""#, #"node "island""#, #"image "unused:1""#])
    #expect(found.allSatisfy { $0.suggestion == nil && !$0.message.isEmpty })

    // A node with only an origin link is not isolated.
    instance.origin?.links.append(OriginLink(node: "island", bandwidthBytesPerSecond: 1, latencySeconds: 0))
    #expect(!instance.warnings.map(\.kind).contains(.isolatedNode))

    // No demand at all: one warning, not one per image.
    var idle = handInstance()
    idle.demands = []
    #expect(idle.warnings.map(\.kind) == [.noDemand])
    idle.demands = [Demand(node: "n1", image: "A", pulls: 0)]
    #expect(idle.warnings.map(\.kind) == [.noDemand])
  }

  @Test func strictModeTurnsWarningsIntoIssues() throws {
    let text = Array(mutated("\"demands\":", "\"demand\":").utf8)
    #expect(throws: Never.self) { try InstanceCodec.decode(text) }
    do {
      _ = try InstanceCodec.decodeWithWarnings(text, strict: true)
      Issue.record("strict decoding accepted an unknown key")
    } catch {
      guard case .invalidInstance(let issues) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(issues.map(\.path) == ["demand", "demands"])
      #expect(issues[0].field == "demand")
      #expect(issues[0].message.contains("did you mean \"demands\"?"))
      #expect(issues[0].message.contains("strict"))
    }
    #expect(throws: ModelError.self) { try Instance(jsonData: Data(text), strict: true) }
    #expect(throws: Never.self) { try Instance(jsonData: Data(validInstanceJSON.utf8), strict: true) }
  }

  @Test func strictModeListsWarningsAfterTheErrors() {
    let text = mutated("\"demands\":", "\"demand\": 1, \"demands\":").replacingOccurrences(
      of: "\"capacityBytes\": 4000000000", with: "\"capacityBytes\": -1")
    guard case .invalidInstance(let plain)? = decodeError(text) else {
      Issue.record("expected invalidInstance")
      return
    }
    #expect(plain.map(\.path) == ["registries[0].capacityBytes"])
    do {
      _ = try InstanceCodec.decodeWithWarnings(Array(text.utf8), strict: true)
    } catch {
      #expect(error.issues.map(\.path) == ["registries[0].capacityBytes", "demand"])
    }
  }

  @Test func aMissingFieldNamesTheMisspelledKeyPresent() {
    let text = mutated(#""capacityBytes": 4000000000"#, #""capacity": 4000000000"#)
    guard case .invalidInstance(let issues)? = decodeError(text) else {
      Issue.record("expected invalidInstance")
      return
    }
    #expect(issues.count == 1)
    #expect(issues.first?.message.contains(#"the object has "capacity""#) == true, "\(issues)")
  }

  @Test func planWarnings() throws {
    let text = #"""
      {"format": "mis-plan/1", "instance": "hand", "metric": {},
       "placements": [{"registry": "r1", "layer": "L1", "granularity": "file", "granularty": "layer"}],
       "metrics": {"anything": 1}, "solver": {"termination": "completed"}}
      """#
    let (plan, found) = try PlanCodec.decodeWithWarnings(Array(text.utf8))
    #expect(plan.placements.count == 1)
    #expect(found.map(\.path) == ["metric", "placements[0].granularty"])
    #expect(found.map(\.suggestion) == ["metrics", "granularity"])
    #expect(throws: ModelError.self) { try PlanCodec.decodeWithWarnings(Array(text.utf8), strict: true) }
    #expect(try PlanCodec.decode(Array(text.utf8)) == plan)
  }
}
