import Foundation
import MISModel
import Testing

/// `Codable`, `URL`/`Data` I/O, `LocalizedError` and short descriptions: the model as a Swift
/// user meets it.
@Suite struct SwiftAPITests {
  static let instances: [Instance] = [
    handInstance(), ReferenceExamples.threeRegistries,
    InstanceGenerator.generate(GeneratorOptions(kind: .tiny, seed: 4)),
  ]

  @Test(arguments: instances)
  func codableReadsTheCodecsDocumentAndViceVersa(instance: Instance) throws {
    let codecBytes = InstanceCodec.encode(instance)
    #expect(try JSONDecoder().decode(Instance.self, from: Data(codecBytes)) == instance)
    let encoded = try JSONEncoder().encode(instance)
    #expect(try InstanceCodec.decode([UInt8](encoded)) == instance)
    // The same document: equal once both are re-written by the codec.
    #expect(InstanceCodec.encode(try InstanceCodec.decode([UInt8](encoded))) == codecBytes)
    #expect(instance.jsonData() == Data(codecBytes))
    #expect(try Instance(jsonData: instance.jsonData(pretty: false)) == instance)
  }

  @Test func codableKeysAndDefaults() throws {
    let encoded = try JSONEncoder().encode(handInstance())
    let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
    #expect(object["format"] as? String == "mis-instance/1")
    #expect(
      Set(object.keys)
        == [
          "format", "name", "reconstruction", "registries", "nodes", "links", "origin", "files", "layers", "images",
          "demands",
        ])
    let minimal = #"{"format": "mis-instance/1", "reconstruction": {"secondsPerByte": 0.5}}"#
    let decoded = try JSONDecoder().decode(Instance.self, from: Data(minimal.utf8))
    #expect(decoded.reconstruction == Reconstruction(secondsPerLayer: 0.21, secondsPerByte: 0.5))
    #expect(decoded.registries.isEmpty && decoded.origin == nil && decoded.name == nil)
    #expect(try InstanceCodec.decode(Array(minimal.utf8)) == decoded)
    // Codable accepts and rejects what the codec does: null for optional values, not for lists.
    let nulls = #"{"format": "mis-instance/1", "name": null, "origin": null, "reconstruction": null}"#
    #expect(try JSONDecoder().decode(Instance.self, from: Data(nulls.utf8)) == InstanceCodec.decode(Array(nulls.utf8)))
    for bad in [
      #"{"format": "mis-instance/1", "registries": null}"#,
      #"{"format": "mis-instance/1", "reconstruction": {"secondsPerLayer": null}}"#,
      #"{"format": "mis-instance/1", "origin": {"links": null}}"#,
    ] {
      #expect(throws: DecodingError.self, "\(bad)") { try JSONDecoder().decode(Instance.self, from: Data(bad.utf8)) }
      #expect(throws: ModelError.self, "\(bad)") { try InstanceCodec.decode(Array(bad.utf8)) }
    }
  }

  @Test func codableErrorsCarryContext() {
    func decodingError(_ text: String) -> DecodingError? {
      do {
        _ = try JSONDecoder().decode(Instance.self, from: Data(text.utf8))
        return nil
      } catch {
        return error as? DecodingError
      }
    }
    guard case .dataCorrupted(let context)? = decodingError(mutated("mis-instance/1", "mis-instance/2")) else {
      Issue.record("a wrong format must be dataCorrupted")
      return
    }
    #expect(context.codingPath.map(\.stringValue) == ["format"])
    guard case .keyNotFound(let key, _)? = decodingError(mutated(#""capacityBytes": 4000000000"#, #""cap": 1"#))
    else {
      Issue.record("a missing field must be keyNotFound")
      return
    }
    #expect(key.stringValue == "capacityBytes")
    guard case .dataCorrupted(let invalid)? = decodingError(mutated("\"pulls\": 40", "\"pulls\": -4")) else {
      Issue.record("a rule violation must be dataCorrupted")
      return
    }
    #expect(invalid.debugDescription.contains("demands[0].pulls"))
    guard case .invalidInstance(let issues)? = invalid.underlyingError as? ModelError else {
      Issue.record("the underlying error must be the codec's ModelError")
      return
    }
    #expect(issues.map(\.path) == ["demands[0].pulls"])
  }

  @Test func planCodable() throws {
    let plan = Plan(
      instance: "hand",
      placements: [
        Placement(registry: "r1", layer: "L1", granularity: .file),
        Placement(registry: "r2", layer: "L3", granularity: .layer),
      ])
    let index = try ProblemIndex(handInstance())
    let full = PlanCodec.encode(plan, metrics: index.evaluate(plan))
    #expect(try JSONDecoder().decode(Plan.self, from: Data(full)) == plan)
    #expect(try PlanCodec.decode([UInt8](try JSONEncoder().encode(plan))) == plan)
    #expect(try Plan(jsonData: plan.jsonData()) == plan)
    #expect(plan.jsonData() == Data(PlanCodec.encode(plan)))
    let wrong = #"{"format": "mis-plan/1", "placements": [{"registry": "r", "layer": "l", "granularity": "blob"}]}"#
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(Plan.self, from: Data(wrong.utf8)) }
    // Inside the caller's own Codable type.
    struct Envelope: Codable, Equatable {
      var plan: MISModel.Plan
      var note: String
    }
    let envelope = Envelope(plan: plan, note: "n")
    #expect(try JSONDecoder().decode(Envelope.self, from: JSONEncoder().encode(envelope)) == envelope)
  }

  @Test func urlInputOutput() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mis-api-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let instance = handInstance()
    let url = directory.appendingPathComponent("i.json")
    try instance.write(to: url)
    #expect(try Instance(contentsOf: url) == instance)
    let plan = Plan(instance: "hand", placements: [Placement(registry: "r1", layer: "L2", granularity: .layer)])
    let planURL = directory.appendingPathComponent("p.json")
    try plan.write(to: planURL)
    #expect(try Plan(contentsOf: planURL) == plan)

    // A directory passed as the instance: a typed error naming the path, never Cocoa's 256.
    do {
      _ = try Instance(contentsOf: directory)
      Issue.record("a directory was read as an instance")
    } catch {
      #expect(error == .io(path: directory.path, message: "is a directory, not a file"))
      #expect(error.localizedDescription.contains(directory.path))
      #expect(error.localizedDescription.contains("is a directory"))
      #expect(!error.localizedDescription.contains("NSCocoaErrorDomain"))
    }
    let missing = directory.appendingPathComponent("missing.json")
    #expect(throws: ModelError.io(path: missing.path, message: "no such file")) { try Instance(contentsOf: missing) }
    #expect(throws: ModelError.self) { try Plan(contentsOf: directory) }
    do {
      try instance.write(to: directory)
      Issue.record("an instance was written over a directory")
    } catch {
      #expect(error.localizedDescription.contains("is a directory"))
    }
    let nowhere = directory.appendingPathComponent("no/such/dir/i.json")
    do {
      try instance.write(to: nowhere)
      Issue.record("written into a missing directory")
    } catch {
      #expect(error.localizedDescription.contains("no such directory"), "\(error)")
    }
  }

  @Test func localizedDescriptionIsTheReadableMessage() {
    let errors: [ModelError] = [
      .malformedJSON(line: 3, column: 7, message: "unterminated string"),
      .invalidInstance([ValidationIssue(path: "layers[0].files[1]", field: "files", message: "unknown file id")]),
      .io(path: "/tmp/x", message: "permission denied"),
    ]
    for error in errors {
      #expect(error.localizedDescription == error.description)
      #expect((error as any Error).localizedDescription == error.description)
      #expect(!error.localizedDescription.contains("could not be completed"))
    }
  }

  @Test func descriptionsAreShortSummaries() throws {
    var options = GeneratorOptions(kind: .paper, seed: 2)
    options.filesPerImageScale = 0.2
    let instance = InstanceGenerator.generate(options)
    #expect(instance.files.count > 1000)
    let index = try ProblemIndex(instance)
    var matrix = PlacementMatrix(for: index)
    for l in 0..<index.layerCount { matrix[l, l % index.registryCount] = l % 3 == 0 ? .file : .layer }
    let plan = index.plan(from: matrix)
    let metrics = index.evaluate(matrix)
    let texts = [
      String(describing: instance), String(describing: index), String(describing: plan),
      String(describing: matrix), String(describing: metrics), String(describing: plan.placements[0]),
      String(describing: metrics.registries[0]),
    ]
    for text in texts {
      #expect(text.count < 300, "\(text.prefix(400))")
      #expect(!text.contains("\n"))
    }
    let fileLevel = plan.placements.filter { $0.granularity == .file }.count
    #expect(
      String(describing: plan)
        == "Plan for \"\(instance.name ?? "")\": \(plan.placements.count) placements "
        + "(\(plan.placements.count - fileLevel) layer-level, \(fileLevel) file-level)")
    #expect(String(describing: index).contains("\(index.layerCount) layers"))
    #expect(String(describing: Optional(plan)).count < 320)
    #expect(
      String(describing: ReferenceExamples.threeRegistries)
        == "Instance \"three-registries\": 3 registries, 3 nodes, 6 links, 3 origin links, 10 files, 8 layers, "
        + "4 images, 8 demands")
    #expect(
      Placement(registry: "edge-a", layer: "web-app", granularity: .file).description
        == #"layer "web-app" on registry "edge-a" at file level"#)
  }

  @Test func idBasedQueries() throws {
    let index = try ProblemIndex(handInstance())
    // D[n1, L2] = 3 (image A), D[n2, L2] = 3 (image B, two entries).
    #expect(index.demand(node: "n1", layer: "L2") == 3)
    #expect(index.demand(node: "n2", layer: "L2") == 3)
    #expect(index.demand(node: "n1", layer: "L3") == 0)
    #expect(index.demand(node: "ghost", layer: "L1") == nil)
    #expect(index.linkedRegistries(ofNode: 1) == [0, 1])
    #expect(index.files(ofLayer: 1) == [0, 2])
    #expect(index.demandedNodes(ofLayer: 1).map(\.node) == [0, 1])
    let plan = Plan(placements: [
      Placement(registry: "r2", layer: "L3", granularity: .file),
      Placement(registry: "r1", layer: "L3", granularity: .layer),
    ])
    // n2 → r1 (bandwidth 5, latency 0): 10/5 = 2 s at layer level; r2 (bandwidth 10): 1 + 0.5 s at file level.
    let served = try #require(index.source(node: "n2", layer: "L3", in: plan))
    #expect(served.source == .registry(id: "r2", granularity: .file))
    #expect(abs(served.seconds - 1.5) < 1e-12)
    #expect(index.source(node: "n1", layer: "L3", in: plan)?.source == .registry(id: "r1", granularity: .layer))
    #expect(index.source(node: "n1", layer: "L3", in: Plan())?.source == .origin)
    #expect(index.source(node: "n1", layer: "nope", in: plan) == nil)
  }

  @Test func moduleQualifiedNamesDisambiguate() {
    let file = MISModel.File(id: "f", sizeBytes: 1)
    let node = MISModel.Node(id: "n")
    let image = MISModel.Image(id: "i", layers: ["l"])
    let link = MISModel.Link(node: "n", registry: "r", bandwidthBytesPerSecond: 1, latencySeconds: 0)
    let plan = MISModel.Plan()
    #expect(file.id == "f" && node.id == "n" && image.id == "i" && link.node == "n" && plan.placements.isEmpty)
  }
}
