import Foundation
import MISModel
import Testing

/// One test per rule of `Docs/formats.md` §1: a bad document and the issue it must produce.
@Suite struct ValidationTests {
  /// Asserts that decoding `text` fails validation with an issue at `path` mentioning `fragment`.
  func expectIssue(
    _ text: String, path: String, field: String, contains fragment: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard case .invalidInstance(let issues)? = decodeError(text) else {
      Issue.record(
        "expected invalidInstance, got \(String(describing: decodeError(text)))", sourceLocation: sourceLocation)
      return
    }
    let hit = issues.first { $0.path == path && $0.field == field && $0.message.contains(fragment) }
    #expect(hit != nil, "no issue at \(path) containing '\(fragment)' in \(issues)", sourceLocation: sourceLocation)
  }

  @Test func validDocumentDecodes() throws {
    let instance = try InstanceCodec.decode(Array(validInstanceJSON.utf8))
    #expect(instance.name == "doc")
    #expect(instance.registries == [Registry(id: "edge-a", capacityBytes: 4_000_000_000)])
    #expect(instance.reconstruction == .default)
    #expect(instance.layers[0].files == ["f1"])
    #expect(instance.origin?.links.count == 1)
  }

  @Test func formatIsRequiredAndExact() {
    expectIssue(mutated("\"format\": \"mis-instance/1\",", ""), path: "format", field: "format", contains: "missing")
    expectIssue(
      mutated("mis-instance/1", "mis-instance/2"), path: "format", field: "format", contains: "mis-instance/2")
    expectIssue(mutated("\"mis-instance/1\"", "1"), path: "format", field: "format", contains: "a number")
  }

  @Test func idsMustBeNonEmptyStrings() {
    expectIssue(
      mutated("{ \"id\": \"site-1\" }", "{ \"id\": \"\" }"), path: "nodes[0].id", field: "id", contains: "non-empty")
    expectIssue(
      mutated("{ \"id\": \"site-1\" }", "{ \"id\": 7 }"), path: "nodes[0].id", field: "id", contains: "must be a string"
    )
    expectIssue(mutated("{ \"id\": \"site-1\" }", "{ }"), path: "nodes[0].id", field: "id", contains: "missing")
  }

  @Test func idsMustBeUniqueInEveryList() {
    expectIssue(
      mutated(
        "{ \"id\": \"edge-a\", \"capacityBytes\": 4000000000 }",
        "{ \"id\": \"edge-a\", \"capacityBytes\": 4000000000 }, { \"id\": \"edge-a\", \"capacityBytes\": 1 }"),
      path: "registries[1].id", field: "id", contains: "duplicate")
    expectIssue(
      mutated("{ \"id\": \"site-1\" }", "{ \"id\": \"site-1\" }, { \"id\": \"site-1\" }"),
      path: "nodes[1].id", field: "id", contains: "duplicate")
    expectIssue(
      mutated(
        "{ \"id\": \"f1\", \"sizeBytes\": 1048576 }",
        "{ \"id\": \"f1\", \"sizeBytes\": 1 }, { \"id\": \"f1\", \"sizeBytes\": 2 }"),
      path: "files[1].id", field: "id", contains: "duplicate")
    expectIssue(
      mutated("\"layers\": [ {", "\"layers\": [ { \"id\": \"sha256:aa\", \"sizeBytes\": 1, \"files\": [] }, {"),
      path: "layers[1].id", field: "id", contains: "duplicate")
    expectIssue(
      mutated("\"images\": [ {", "\"images\": [ { \"id\": \"nginx:1.27\", \"layers\": [\"sha256:aa\"] }, {"),
      path: "images[1].id", field: "id", contains: "duplicate")
  }

  @Test func byteCountsAreIntegersInRange() {
    expectIssue(
      mutated("4000000000", "-1"), path: "registries[0].capacityBytes", field: "capacityBytes",
      contains: "between 0 and 2^53")
    expectIssue(
      mutated("4000000000", "9007199254740993"), path: "registries[0].capacityBytes", field: "capacityBytes",
      contains: "between 0 and 2^53")
    expectIssue(
      mutated("4000000000", "1.5"), path: "registries[0].capacityBytes", field: "capacityBytes", contains: "integer")
    expectIssue(
      mutated("4000000000", "\"4000000000\""), path: "registries[0].capacityBytes", field: "capacityBytes",
      contains: "must be a number")
    expectIssue(
      mutated("4000000000", "1e300"), path: "registries[0].capacityBytes", field: "capacityBytes", contains: "integer")
    expectIssue(
      mutated("1048576", "-5"), path: "files[0].sizeBytes", field: "sizeBytes", contains: "between 0 and 2^53")
    expectIssue(mutated("734003", "0.25"), path: "layers[0].sizeBytes", field: "sizeBytes", contains: "integer")
    // 2^53 itself is allowed.
    #expect(decodeError(mutated("4000000000", "9007199254740992")) == nil)
  }

  @Test func bandwidthIsFinitePositive() {
    expectIssue(
      mutated("12500000", "0"), path: "links[0].bandwidthBytesPerSecond", field: "bandwidthBytesPerSecond",
      contains: "> 0")
    expectIssue(
      mutated("12500000", "-3"), path: "links[0].bandwidthBytesPerSecond", field: "bandwidthBytesPerSecond",
      contains: "> 0")
    expectIssue(
      mutated("12500000", "\"NaN\""), path: "links[0].bandwidthBytesPerSecond", field: "bandwidthBytesPerSecond",
      contains: "NaN")
    expectIssue(
      mutated("2500000", "0"), path: "origin.links[0].bandwidthBytesPerSecond", field: "bandwidthBytesPerSecond",
      contains: "> 0")
    // Overflowing literals become infinite and are rejected, not accepted.
    expectIssue(
      mutated("12500000", "1e400"), path: "links[0].bandwidthBytesPerSecond", field: "bandwidthBytesPerSecond",
      contains: "finite")
  }

  @Test func nonNegativeNumbers() {
    expectIssue(
      mutated("\"latencySeconds\": 0.02", "\"latencySeconds\": -0.02"), path: "links[0].latencySeconds",
      field: "latencySeconds", contains: "≥ 0")
    expectIssue(
      mutated("\"latencySeconds\": 0.15", "\"latencySeconds\": -1"), path: "origin.links[0].latencySeconds",
      field: "latencySeconds", contains: "≥ 0")
    expectIssue(mutated("\"pulls\": 40", "\"pulls\": -40"), path: "demands[0].pulls", field: "pulls", contains: "≥ 0")
    expectIssue(
      mutated("\"name\": \"doc\",", "\"reconstruction\": { \"secondsPerLayer\": -0.21 },"),
      path: "reconstruction.secondsPerLayer", field: "secondsPerLayer", contains: "≥ 0")
    expectIssue(
      mutated("\"name\": \"doc\",", "\"reconstruction\": { \"secondsPerByte\": \"Infinity\" },"),
      path: "reconstruction.secondsPerByte", field: "secondsPerByte", contains: "must be a number")
  }

  @Test func linksNameKnownEntitiesOnce() {
    expectIssue(
      mutated("\"node\": \"site-1\", \"registry\": \"edge-a\"", "\"node\": \"site-9\", \"registry\": \"edge-a\""),
      path: "links[0].node", field: "node", contains: "site-9")
    expectIssue(
      mutated("\"node\": \"site-1\", \"registry\": \"edge-a\"", "\"node\": \"site-1\", \"registry\": \"edge-z\""),
      path: "links[0].registry", field: "registry", contains: "edge-z")
    let link =
      "{ \"node\": \"site-1\", \"registry\": \"edge-a\", \"bandwidthBytesPerSecond\": 12500000, \"latencySeconds\": 0.02 }"
    expectIssue(mutated(link, link + ", " + link), path: "links[1]", field: "links", contains: "second link")
  }

  @Test func originLinksNameKnownNodesOnce() {
    let link = "{ \"node\": \"site-1\", \"bandwidthBytesPerSecond\": 2500000, \"latencySeconds\": 0.15 }"
    expectIssue(
      mutated(link, link + ", " + link), path: "origin.links[1].node", field: "node", contains: "second origin link")
    expectIssue(
      mutated(link, link.replacingOccurrences(of: "site-1", with: "ghost")), path: "origin.links[0].node",
      field: "node", contains: "ghost")
  }

  @Test func layerFilesAreKnownWithoutRepeats() {
    expectIssue(
      mutated("\"files\": [\"f1\"]", "\"files\": [\"f9\"]"), path: "layers[0].files[0]", field: "files",
      contains: "unknown file id \"f9\"")
    expectIssue(
      mutated("\"files\": [\"f1\"]", "\"files\": [\"f1\", \"f1\"]"), path: "layers[0].files[1]", field: "files",
      contains: "twice")
    #expect(decodeError(mutated("\"files\": [\"f1\"]", "\"files\": []")) == nil)
  }

  @Test func imageLayersAreKnownNonEmptyWithoutRepeats() {
    expectIssue(
      mutated("\"layers\": [\"sha256:aa\"]", "\"layers\": [\"sha256:zz\"]"), path: "images[0].layers[0]",
      field: "layers", contains: "sha256:zz")
    expectIssue(
      mutated("\"layers\": [\"sha256:aa\"]", "\"layers\": [\"sha256:aa\", \"sha256:aa\"]"), path: "images[0].layers[1]",
      field: "layers", contains: "twice")
    expectIssue(
      mutated("\"layers\": [\"sha256:aa\"]", "\"layers\": []"), path: "images[0].layers", field: "layers",
      contains: "at least one")
  }

  @Test func demandsNameKnownNodeAndImage() {
    expectIssue(
      mutated("\"node\": \"site-1\", \"image\"", "\"node\": \"nobody\", \"image\""), path: "demands[0].node",
      field: "node", contains: "nobody")
    expectIssue(
      mutated("\"image\": \"nginx:1.27\"", "\"image\": \"nginx:9\""), path: "demands[0].image", field: "image",
      contains: "nginx:9")
  }

  @Test func demandsForOnePairAddUp() throws {
    let text = mutated(
      "\"demands\": [ { \"node\": \"site-1\", \"image\": \"nginx:1.27\", \"pulls\": 40 } ]",
      "\"demands\": [ { \"node\": \"site-1\", \"image\": \"nginx:1.27\", \"pulls\": 40 }, { \"node\": \"site-1\", \"image\": \"nginx:1.27\", \"pulls\": 2.5 } ]"
    )
    let index = try ProblemIndex(try InstanceCodec.decode(Array(text.utf8)))
    #expect(index.layerDemandValue == [42.5])
    #expect(index.totalPulls == 42.5)
  }

  @Test func everyProblemIsReportedNotJustTheFirst() {
    let text = mutated("4000000000", "-1")
      .replacingOccurrences(of: "\"pulls\": 40", with: "\"pulls\": -1")
      .replacingOccurrences(of: "\"files\": [\"f1\"]", with: "\"files\": [\"nope\"]")
    guard case .invalidInstance(let issues)? = decodeError(text) else {
      Issue.record("expected invalidInstance")
      return
    }
    #expect(Set(issues.map(\.path)) == ["registries[0].capacityBytes", "demands[0].pulls", "layers[0].files[0]"])
    // Each issue names its entity.
    #expect(issues.first { $0.path == "layers[0].files[0]" }?.entity == "layer \"sha256:aa\"")
  }

  @Test func wrongTypesAreReportedWithTheirPath() {
    expectIssue(
      mutated("\"nodes\": [ { \"id\": \"site-1\" } ]", "\"nodes\": { \"id\": \"site-1\" }"), path: "nodes",
      field: "nodes", contains: "must be an array")
    expectIssue(
      mutated("\"nodes\": [ { \"id\": \"site-1\" } ]", "\"nodes\": [ \"site-1\" ]"), path: "nodes[0]", field: "nodes",
      contains: "must be an object")
    expectIssue(
      mutated("\"files\": [\"f1\"]", "\"files\": \"f1\""), path: "layers[0].files", field: "files", contains: "array")
    expectIssue(
      mutated("{ \"id\": \"site-1\" }", "{ \"id\": \"site-1\", \"id\": \"site-2\" }"), path: "nodes[0].id", field: "id",
      contains: "twice")
  }

  @Test func malformedJSONReportsLineAndColumn() {
    let text = "{\n  \"format\": \"mis-instance/1\",\n  \"nodes\": [ { \"id\": \"a\" }, ]\n}"
    guard case .malformedJSON(let line, let column, _)? = decodeError(text) else {
      Issue.record("expected malformedJSON")
      return
    }
    #expect(line == 3)
    #expect(column == 29)
    guard case .malformedJSON(1, 1, _)? = decodeError("") else {
      Issue.record("empty document should be malformed at 1:1")
      return
    }
  }

  @Test func unknownKeysAreIgnoredButReported() throws {
    let text = mutated("\"name\": \"doc\",", "\"name\": \"doc\", \"comment\": [1, {\"x\": null}],")
    #expect(decodeError(text) == nil)
    let (instance, warnings) = try InstanceCodec.decodeWithWarnings(Array(text.utf8))
    #expect(instance == (try InstanceCodec.decode(Array(validInstanceJSON.utf8))))
    #expect(warnings.map(\.path) == ["comment"])
  }

  @Test func builderValidates() {
    var b = InstanceBuilder()
    b.addRegistry("r", capacityBytes: -3)
    b.addImage("i", layers: ["ghost"])
    #expect(throws: ModelError.self) { try b.build() }
    #expect(b.instance.validationIssues().count == 2)
  }
}
