import Foundation
import MISModel
import Testing

// A seeded, structured fuzzer for everything that reads outside input: the instance
// decoder + validator, the plan decoder + evaluator, and the builder API.
//
// Every case must end in one of the outcomes the library promises (Docs/robustness.md):
// a valid instance (then `ProblemIndex` succeeds, `evaluate(Plan.empty)` runs, and the
// instance survives an encode/decode round trip), a `ModelError.invalidInstance` /
// `.invalidPlan` whose issues each name a path and a field, or `.malformedJSON` with a
// line and column inside the document. Never a crash, never another error.
//
// `MIS_FUZZ_CASES=1000000 swift test --filter FuzzTests` runs the long mode;
// `MIS_FUZZ_SEED=N` changes the seed. A failure prints the seed and case number, and the
// offending document is written to `$TMPDIR/mis-fuzz-<seed>-<case>.json`.

/// Fuzzing parameters from the environment.
enum FuzzConfig {
  /// Cases per fuzz test (default 4000 for instances, so ≥ 10 000 over the suite).
  static func cases(default value: Int) -> Int {
    if let text = ProcessInfo.processInfo.environment["MIS_FUZZ_CASES"], let n = Int(text), n > 0 { return n }
    return value
  }

  /// The base seed (default 0x5EED).
  static var seed: UInt64 {
    if let text = ProcessInfo.processInfo.environment["MIS_FUZZ_SEED"], let n = UInt64(text) { return n }
    return 0x5EED
  }
}

/// What went wrong in one fuzz case, for the report.
struct FuzzFailure: CustomStringConvertible {
  var seed: UInt64
  var caseNumber: Int
  var what: String
  var document: [UInt8]

  var description: String {
    let preview = String(decoding: document.prefix(300), as: UTF8.self)
    return "seed \(seed) case \(caseNumber): \(what)\n  document (\(document.count) bytes): \(preview)"
  }

  /// Writes the document for reproduction; returns its path.
  func save() -> String {
    let path = NSTemporaryDirectory() + "mis-fuzz-\(seed)-\(caseNumber).json"
    try? Data(document).write(to: URL(fileURLWithPath: path))
    return path
  }
}

// MARK: - The oracle

/// How a fuzz case ended.
enum FuzzOutcome { case valid, invalid, malformed }

/// Checks the library's promise for one instance document; returns what broke, or nil.
func checkInstanceDocument(_ bytes: [UInt8]) -> String? { checkInstanceDocument(bytes, outcome: nil) }

/// As ``checkInstanceDocument(_:)``, also telling how decoding ended.
func checkInstanceDocument(_ bytes: [UInt8], outcome: UnsafeMutablePointer<FuzzOutcome>?) -> String? {
  let instance: Instance
  do {
    instance = try InstanceCodec.decode(bytes)
  } catch {
    if case .malformedJSON = error { outcome?.pointee = .malformed } else { outcome?.pointee = .invalid }
    return checkModelError(error, document: bytes, expectPlan: false)
  }
  outcome?.pointee = .valid
  let index: ProblemIndex
  do {
    index = try ProblemIndex(instance)
  } catch {
    return "decoded instance fails ProblemIndex: \(error)"
  }
  let metrics = index.evaluate(Plan.empty)
  if metrics.registries.count != index.registryCount { return "evaluate(.empty) lost registries" }
  // Round trip: what we write, we read back identically.
  do {
    let again = try InstanceCodec.decode(InstanceCodec.encode(instance, pretty: false))
    if again != instance { return "round trip changed the instance" }
  } catch {
    return "re-encoded valid instance does not decode: \(error)"
  }
  // Warnings: the same instance, every warning located and worded, strict iff there are some.
  do {
    let (same, warnings) = try InstanceCodec.decodeWithWarnings(bytes)
    if same != instance { return "decodeWithWarnings decoded another instance" }
    if let bad = warnings.first(where: { $0.path.isEmpty || $0.message.isEmpty }) { return "empty warning \(bad)" }
    do {
      _ = try InstanceCodec.decodeWithWarnings(bytes, strict: true)
      if !warnings.isEmpty { return "strict decoding ignored \(warnings.count) warnings" }
    } catch {
      if warnings.isEmpty { return "strict decoding failed without warnings: \(error)" }
      if error.issues.count != warnings.count { return "strict decoding listed \(error.issues.count) issues" }
    }
  } catch {
    return "decodeWithWarnings failed where decode succeeded: \(error)"
  }
  // Codable reads what the codec writes.
  do {
    let viaCodable = try JSONDecoder().decode(Instance.self, from: Data(InstanceCodec.encode(instance, pretty: false)))
    if viaCodable != instance { return "JSONDecoder read another instance from the codec's document" }
  } catch {
    return "JSONDecoder rejects the codec's document: \(error)"
  }
  return nil
}

/// Checks that a thrown `ModelError` is one of the promised, well-formed kinds.
func checkModelError(_ error: ModelError, document: [UInt8], expectPlan: Bool) -> String? {
  _ = error.description  // must not crash either
  switch error {
  case .malformedJSON(let line, let column, let message):
    if line < 1 || column < 1 { return "malformed JSON position \(line):\(column) not ≥ 1" }
    let lines = document.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    if line > lines { return "malformed JSON line \(line) beyond the document's \(lines) lines" }
    if column > document.count + 1 { return "malformed JSON column \(column) beyond the document" }
    if message.isEmpty { return "malformed JSON without a message" }
    return nil
  case .invalidInstance(let issues), .invalidPlan(let issues):
    if case .invalidPlan = error, !expectPlan { return "instance decoding threw invalidPlan" }
    if case .invalidInstance = error, expectPlan { return "plan decoding threw invalidInstance" }
    if issues.isEmpty { return "validation error without issues" }
    for issue in issues {
      if issue.path.isEmpty || issue.field.isEmpty || issue.message.isEmpty {
        return "issue without path/field/message: \(issue)"
      }
    }
    return nil
  case .io:
    return "decoding bytes threw an I/O error: \(error)"
  }
}

// MARK: - Mutations

/// Raw JSON text spliced into a tree: a string value `"\u{1}RAW<k>"` is replaced by `raw[k]`
/// after writing, so the fuzzer can produce what `JSONValue` cannot hold (NaN, 1e400, -0).
struct RawSplicer {
  var raw: [String] = []

  mutating func value(_ text: String) -> JSONValue {
    raw.append(text)
    return .string("\u{1}RAW\(raw.count - 1)")
  }

  func render(_ value: JSONValue, pretty: Bool) -> [UInt8] {
    var text = JSONWriter(pretty: pretty).string(of: value)
    // Longest markers first so RAW1 does not eat RAW10.
    for k in raw.indices.reversed() {
      text = text.replacingOccurrences(of: "\"\\u0001RAW\(k)\"", with: raw[k])
    }
    return Array(text.utf8)
  }
}

/// Hostile scalar values: wrong types, extreme numbers, odd strings.
func hostileValue(_ rng: inout SplitMix64, _ raw: inout RawSplicer, ids: [String]) -> JSONValue {
  switch rng.nextInt(upperBound: 30) {
  case 0: return .null
  case 1: return .bool(rng.nextBernoulli(0.5))
  case 2: return .string("")
  case 3: return .string("NaN")
  case 4: return .string("Infinity")
  case 5:
    return raw.value(
      ["NaN", "Infinity", "-Infinity", "nan", "inf", "+1", "01", ".5", "1.", "0x10"][rng.nextInt(upperBound: 10)])
  case 6:
    return raw.value(
      ["1e400", "-1e400", "1e-400", "-0", "-0.0", "0e0", "1E+2", "123456789012345678901234567890"][
        rng.nextInt(upperBound: 8)])
  case 7: return .number(-1)
  case 8: return .number(9_007_199_254_740_993)  // 2^53 + 1 (written via Double: 2^53)
  case 9: return raw.value("9007199254740993")  // 2^53 + 1, exactly
  case 10: return .number(9_007_199_254_740_992)  // 2^53
  case 11: return .number(9.3e18)
  case 12: return .number(1e300)
  case 13: return .number(0.5)
  case 14: return .number(5e-324)
  case 15: return .array([])
  case 16: return .object([])
  case 17: return .array([.string(ids.isEmpty ? "x" : ids[rng.nextInt(upperBound: ids.count)])])
  case 18: return .string("unknown-\(rng.nextInt(upperBound: 100))")
  case 19: return .string("nœud-ü-\u{1F600}-\u{202E}")
  case 20: return .string("ctl-\u{0}-\u{7}-\u{1B}-\u{7F}")
  case 21: return .string("\u{FEFF}bom")
  case 22: return .string(String(repeating: "x", count: 10_000))
  case 23: return raw.value("\"\\ud800\"")  // unpaired surrogate escape
  case 24: return raw.value("\"\\u00\"")  // truncated escape
  case 25: return raw.value("\"tab\tinside\"")  // raw control character
  case 26: return .number(0)
  case 27: return .number(Double(rng.nextInt(in: 0...1_000_000)))
  case 28: return ids.isEmpty ? .string("id") : .string(ids[rng.nextInt(upperBound: ids.count)])
  default: return .number(rng.nextUniform() * 100)
  }
}

/// Every id string in a document (to make plausible references).
func collectIds(_ value: JSONValue, into ids: inout [String]) {
  switch value {
  case .object(let pairs):
    for pair in pairs {
      if ["id", "node", "registry", "image"].contains(pair.key), case .string(let s) = pair.value { ids.append(s) }
      collectIds(pair.value, into: &ids)
    }
  case .array(let elements):
    for e in elements { collectIds(e, into: &ids) }
  default: break
  }
}

/// Applies one structural mutation at a random place of `value`.
func mutateTree(
  _ value: inout JSONValue, _ rng: inout SplitMix64, _ raw: inout RawSplicer, ids: [String], depth: Int = 0
) {
  // Descend with some probability, else mutate here.
  switch value {
  case .object(var pairs):
    if !pairs.isEmpty, depth < 6, rng.nextBernoulli(0.7) {
      let k = rng.nextInt(upperBound: pairs.count)
      mutateTree(&pairs[k].value, &rng, &raw, ids: ids, depth: depth + 1)
      value = .object(pairs)
      return
    }
    switch rng.nextInt(upperBound: 6) {
    case 0 where !pairs.isEmpty: pairs.remove(at: rng.nextInt(upperBound: pairs.count))  // missing key
    case 1 where !pairs.isEmpty:  // duplicate key, same or hostile value
      let k = rng.nextInt(upperBound: pairs.count)
      let dup = rng.nextBernoulli(0.5) ? pairs[k].value : hostileValue(&rng, &raw, ids: ids)
      pairs.insert((pairs[k].key, dup), at: rng.nextInt(upperBound: pairs.count + 1))
    case 2: pairs.append(("unknown\(rng.nextInt(upperBound: 3))", hostileValue(&rng, &raw, ids: ids)))
    case 3 where !pairs.isEmpty:  // wrong type / hostile value for a field
      let k = rng.nextInt(upperBound: pairs.count)
      pairs[k].value = hostileValue(&rng, &raw, ids: ids)
    case 4:
      value = hostileValue(&rng, &raw, ids: ids)
      return
    default:
      if !pairs.isEmpty { pairs.swapAt(0, rng.nextInt(upperBound: pairs.count)) }
    }
    value = .object(pairs)
  case .array(var elements):
    if !elements.isEmpty, depth < 6, rng.nextBernoulli(0.7) {
      let k = rng.nextInt(upperBound: elements.count)
      mutateTree(&elements[k], &rng, &raw, ids: ids, depth: depth + 1)
      value = .array(elements)
      return
    }
    switch rng.nextInt(upperBound: 6) {
    case 0: elements = []  // empty array
    case 1 where !elements.isEmpty: elements.remove(at: rng.nextInt(upperBound: elements.count))
    case 2 where !elements.isEmpty:  // duplicate an element (duplicate ids, repeated refs)
      let k = rng.nextInt(upperBound: elements.count)
      elements.insert(elements[k], at: rng.nextInt(upperBound: elements.count + 1))
    case 3: elements.append(hostileValue(&rng, &raw, ids: ids))
    case 4:
      value = hostileValue(&rng, &raw, ids: ids)
      return
    default:
      if elements.count > 1 { elements.swapAt(0, elements.count - 1) }
    }
    value = .array(elements)
  default:
    value = hostileValue(&rng, &raw, ids: ids)
  }
}

/// Byte-level damage: flips, insertions, deletions, truncation, BOM, invalid UTF-8.
func mutateBytes(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
  let count = rng.nextInt(in: 1...4)
  for _ in 0..<count {
    let position = bytes.isEmpty ? 0 : rng.nextInt(upperBound: bytes.count)
    switch rng.nextInt(upperBound: 9) {
    case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1 << rng.nextInt(upperBound: 8))
    case 1: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
    case 2 where !bytes.isEmpty: bytes.remove(at: position)
    case 3: bytes.removeSubrange(position...)  // truncated document
    case 4: bytes.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: rng.nextBernoulli(0.5) ? 0 : position)  // BOM
    case 5:  // invalid UTF-8 inside a string if possible
      let bad: [[UInt8]] = [
        [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82],
      ]
      let at = bytes.firstIndex(of: 0x22).map { min($0 + 1, bytes.count) } ?? position
      bytes.insert(contentsOf: bad[rng.nextInt(upperBound: bad.count)], at: rng.nextBernoulli(0.5) ? at : position)
    case 6:  // duplicate a chunk
      if !bytes.isEmpty {
        let end = min(bytes.count, position + rng.nextInt(in: 1...64))
        bytes.insert(contentsOf: Array(bytes[position..<end]), at: rng.nextInt(upperBound: bytes.count))
      }
    case 7:
      bytes.insert(
        contentsOf: Array(["\\", "\"", "{", "[", ",", ":", "\u{0}", "-", "e", "."][rng.nextInt(upperBound: 10)].utf8),
        at: position)
    default:
      if !bytes.isEmpty { bytes[position] = [0x20, 0x0A, 0x0D, 0x09, 0x0B, 0x0C][rng.nextInt(upperBound: 6)] }
    }
  }
}

// MARK: - Seeds

/// Valid documents to mutate: the reference example, the evaluator's hand instance, the
/// small fixture document, seeded tiny instances and small paper instances.
let fuzzSeedDocuments: [[UInt8]] = {
  var docs: [[UInt8]] = [Array(validInstanceJSON.utf8)]
  docs.append(InstanceCodec.encode(ReferenceExamples.threeRegistries))
  docs.append(InstanceCodec.encode(handInstance(), pretty: false))
  for seed in 0..<12 as Range<UInt64> {
    docs.append(
      InstanceCodec.encode(InstanceGenerator.generate(GeneratorOptions(kind: .tiny, seed: seed)), pretty: seed % 2 == 0)
    )
  }
  for seed in 1...2 as ClosedRange<UInt64> {
    let options = GeneratorOptions(
      kind: .paper, seed: seed, registries: 3, nodes: 3, images: 3, includeOrigin: seed == 1,
      originDropProbability: 0.5,
      filesPerImageScale: 0.01)
    docs.append(InstanceCodec.encode(InstanceGenerator.generate(options), pretty: false))
  }
  return docs
}()

// MARK: - Tests

@Suite struct FuzzTests {
  /// ≥ 10 000 mutated instance documents (structure + bytes), each checked by the oracle.
  @Test func instanceDecoderFuzz() throws {
    let cases = FuzzConfig.cases(default: 10_000)
    let seed = FuzzConfig.seed
    var rng = SplitMix64(seed: seed)
    var failures: [FuzzFailure] = []
    var outcomes = (valid: 0, invalid: 0, malformed: 0)
    let trees = try fuzzSeedDocuments.map { doc throws -> JSONValue in
      var reader = JSONReader(bytes: doc)
      return try reader.parseDocument()
    }
    let idLists = trees.map { tree -> [String] in
      var ids: [String] = []
      collectIds(tree, into: &ids)
      return ids
    }
    for caseNumber in 0..<cases {
      let s = rng.nextInt(upperBound: trees.count)
      var tree = trees[s]
      var raw = RawSplicer()
      let mutations = rng.nextInt(in: 0...4)
      for _ in 0..<mutations { mutateTree(&tree, &rng, &raw, ids: idLists[s]) }
      var bytes = raw.render(tree, pretty: rng.nextBernoulli(0.3))
      if rng.nextBernoulli(0.3) { mutateBytes(&bytes, &rng) }
      var outcome = FuzzOutcome.valid
      let failure = withUnsafeMutablePointer(to: &outcome) { checkInstanceDocument(bytes, outcome: $0) }
      if let failure {
        failures.append(FuzzFailure(seed: seed, caseNumber: caseNumber, what: failure, document: bytes))
        if failures.count >= 5 { break }
      }
      switch outcome {
      case .valid: outcomes.valid += 1
      case .malformed: outcomes.malformed += 1
      case .invalid: outcomes.invalid += 1
      }
    }
    for failure in failures { Issue.record("\(failure) (saved to \(failure.save()))") }
    // The mix must exercise every outcome, or the fuzzer is not doing its job.
    #expect(outcomes.valid > cases / 50)
    #expect(outcomes.invalid > cases / 10)
    #expect(outcomes.malformed > cases / 20)
    if ProcessInfo.processInfo.environment["MIS_FUZZ_CASES"] != nil {
      print("instance fuzz: \(cases) cases, \(outcomes)")
    }
  }

  /// Documents that are hostile as a whole rather than by one mutation.
  @Test func hostileWholeDocuments() {
    let deepArrays =
      "{\"format\":\"mis-instance/1\",\"name\":" + String(repeating: "[", count: 10_000)
      + String(repeating: "]", count: 10_000) + "}"
    let deepObjects = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
    let deepInList = "{\"format\":\"mis-instance/1\",\"registries\":[" + String(repeating: "[", count: 10_000) + "]}"
    let deepUnclosed = String(repeating: "[", count: 10_000)
    let documents: [(String, [UInt8])] = [
      ("empty", []),
      ("whitespace", Array(" \n\t\r ".utf8)),
      ("BOM only", [0xEF, 0xBB, 0xBF]),
      ("BOM + valid", [0xEF, 0xBB, 0xBF] + Array(validInstanceJSON.utf8)),
      ("NUL bytes", [0, 0, 0]),
      ("top-level array", Array("[]".utf8)),
      ("top-level string", Array("\"mis-instance/1\"".utf8)),
      ("top-level number", Array("1e400".utf8)),
      ("empty object", Array("{}".utf8)),
      ("only format", Array("{\"format\":\"mis-instance/1\"}".utf8)),
      ("deep arrays 10k", Array(deepArrays.utf8)),
      ("deep objects 10k", Array(deepObjects.utf8)),
      ("deep in list 10k", Array(deepInList.utf8)),
      ("deep unclosed 10k", Array(deepUnclosed.utf8)),
      ("trailing garbage", Array((validInstanceJSON + "x").utf8)),
      ("two documents", Array((validInstanceJSON + validInstanceJSON).utf8)),
      ("invalid UTF-8 key", Array("{\"format\":\"mis-instance/1\",\"\u{FF}\":1}".utf8).map { $0 == 0xC3 ? 0xFF : $0 }),
      ("lone continuation", [0x7B, 0x22, 0x80, 0x22, 0x3A, 0x31, 0x7D]),
      ("NaN bare", Array(mutated("\"pulls\": 40", "\"pulls\": NaN").utf8)),
      ("Infinity bare", Array(mutated("\"pulls\": 40", "\"pulls\": Infinity").utf8)),
      ("-Infinity bare", Array(mutated("\"pulls\": 40", "\"pulls\": -Infinity").utf8)),
      ("1e400 capacity", Array(mutated("4000000000", "1e400").utf8)),
      ("-1e400 latency", Array(mutated("\"latencySeconds\": 0.02", "\"latencySeconds\": -1e400").utf8)),
      ("1e-400 latency", Array(mutated("\"latencySeconds\": 0.02", "\"latencySeconds\": 1e-400").utf8)),
      ("-0 pulls", Array(mutated("\"pulls\": 40", "\"pulls\": -0").utf8)),
      ("-0 capacity", Array(mutated("4000000000", "-0").utf8)),
      ("-0.0 size", Array(mutated("\"sizeBytes\": 1048576", "\"sizeBytes\": -0.0").utf8)),
      ("2^53+1", Array(mutated("4000000000", "9007199254740993").utf8)),
      ("2^64", Array(mutated("4000000000", "18446744073709551616").utf8)),
      ("huge exponent", Array(mutated("4000000000", "1e99999999999999999999").utf8)),
      ("long number", Array(mutated("4000000000", String(repeating: "9", count: 100_000)).utf8)),
      ("control char in id", Array(mutated("\"edge-a\", \"capacityBytes\"", "\"edge\u{1}a\", \"capacityBytes\"").utf8)),
      ("escaped NUL id", Array(mutated("\"id\": \"f1\"", "\"id\": \"f\\u0000\"").utf8)),
    ]
    for (name, bytes) in documents {
      if let failure = checkInstanceDocument(bytes) { Issue.record("\(name): \(failure)") }
    }
    // The specific answers that matter.
    for name in [
      "NaN bare", "Infinity bare", "empty", "deep arrays 10k", "deep objects 10k", "deep unclosed 10k", "BOM + valid",
    ] {
      guard let bytes = documents.first(where: { $0.0 == name })?.1 else { continue }
      #expect(throws: ModelError.self, "\(name) must be malformed JSON") { try InstanceCodec.decode(bytes) }
    }
    for name in ["1e400 capacity", "-1e400 latency", "2^53+1", "2^64", "huge exponent", "long number"] {
      guard let bytes = documents.first(where: { $0.0 == name })?.1 else { continue }
      do {
        _ = try InstanceCodec.decode(bytes)
        Issue.record("\(name) decoded as valid")
      } catch {
        #expect(
          error.issues.contains { $0.field == "capacityBytes" || $0.field == "latencySeconds" }, "\(name): \(error)")
      }
    }
    // -0 is zero, a valid value; 1e-400 underflows to 0, also valid.
    for name in ["-0 pulls", "-0 capacity", "-0.0 size", "1e-400 latency"] {
      guard let bytes = documents.first(where: { $0.0 == name })?.1 else { continue }
      #expect(throws: Never.self, "\(name)") { try InstanceCodec.decode(bytes) }
    }
  }

  /// One layer with a million files, decoded, indexed and evaluated once.
  @Test func millionFileLayer() throws {
    let count = 1_000_000
    var text = "{\"format\":\"mis-instance/1\",\"registries\":[{\"id\":\"r\",\"capacityBytes\":2000000}],"
    text +=
      "\"nodes\":[{\"id\":\"n\"}],\"links\":[{\"node\":\"n\",\"registry\":\"r\",\"bandwidthBytesPerSecond\":1e6,\"latencySeconds\":0}],"
    text += "\"origin\":{\"links\":[{\"node\":\"n\",\"bandwidthBytesPerSecond\":1,\"latencySeconds\":1}]},\"files\":["
    text.reserveCapacity(60 * count)
    for f in 0..<count {
      if f > 0 { text += "," }
      text += "{\"id\":\"f\(f)\",\"sizeBytes\":1}"
    }
    text += "],\"layers\":[{\"id\":\"big\",\"sizeBytes\":1000000,\"files\":["
    for f in 0..<count {
      if f > 0 { text += "," }
      text += "\"f\(f)\""
    }
    text +=
      "]}],\"images\":[{\"id\":\"i\",\"layers\":[\"big\"]}],\"demands\":[{\"node\":\"n\",\"image\":\"i\",\"pulls\":2}]}"
    let instance = try InstanceCodec.decode(Array(text.utf8))
    #expect(instance.layers[0].files.count == count)
    let index = try ProblemIndex(instance)
    #expect(index.classCount == 1)
    #expect(index.classSize == [Int64(count)])
    let plan = Plan(placements: [Placement(registry: "r", layer: "big", granularity: .file)])
    let metrics = index.evaluate(plan)
    #expect(metrics.feasible)
    #expect(metrics.registries[0].storedFiles == count)
    #expect(metrics.registries[0].usedBytes == Int64(count))
  }

  // MARK: Plans

  /// Random hostile plans (unknown ids, duplicates, both granularities, over capacity):
  /// the evaluator must report every violation an independent oracle finds, and agree on
  /// the objective. Plan documents are also mutated and decoded.
  @Test func planDecoderAndEvaluatorFuzz() throws {
    let cases = FuzzConfig.cases(default: 3_000)
    let seed = FuzzConfig.seed &+ 1
    var rng = SplitMix64(seed: seed)
    var instances: [Instance] = [ReferenceExamples.threeRegistries, handInstance()]
    for s in 0..<10 as Range<UInt64> {
      instances.append(InstanceGenerator.generate(GeneratorOptions(kind: .tiny, seed: s)))
    }
    let indexes = try instances.map { try ProblemIndex($0) }
    var failures: [String] = []
    var decodeFailures: [FuzzFailure] = []
    var seenKinds: Set<String> = []
    for caseNumber in 0..<cases {
      let index = indexes[rng.nextInt(upperBound: indexes.count)]
      let plan = randomPlan(index, &rng)
      let metrics = index.evaluate(plan)
      if let problem = checkPlanAgainstOracle(index, plan, metrics) {
        failures.append("seed \(seed) case \(caseNumber): \(problem)")
        if failures.count >= 5 { break }
      }
      for v in metrics.violations { seenKinds.insert(v.kind) }
      // The document path: encode, maybe mutate, decode. A decoded plan must be the plan.
      var tree = PlanCodec.encodeValue(plan, metrics: metrics)
      var raw = RawSplicer()
      let mutations = rng.nextBernoulli(0.5) ? 0 : rng.nextInt(in: 1...3)
      var ids = instances.flatMap { $0.layers.map(\.id) } + ["layer", "file", "Layer", "FILE", "blob"]
      ids.append(contentsOf: index.instance.registries.map(\.id))
      for _ in 0..<mutations { mutateTree(&tree, &rng, &raw, ids: ids) }
      var bytes = raw.render(tree, pretty: rng.nextBernoulli(0.5))
      if mutations > 0, rng.nextBernoulli(0.3) { mutateBytes(&bytes, &rng) }
      do {
        let decoded = try PlanCodec.decode(bytes)
        if mutations == 0, decoded != plan { failures.append("case \(caseNumber): plan round trip changed the plan") }
        _ = index.evaluate(decoded)
      } catch {
        if mutations == 0 { failures.append("case \(caseNumber): an encoded plan does not decode: \(error)") }
        if let problem = checkModelError(error, document: bytes, expectPlan: true) {
          decodeFailures.append(FuzzFailure(seed: seed, caseNumber: caseNumber, what: problem, document: bytes))
        }
      }
    }
    for f in failures { Issue.record(Comment(rawValue: f)) }
    for f in decodeFailures.prefix(5) { Issue.record("\(f) (saved to \(f.save()))") }
    #expect(seenKinds == ["overCapacity", "unservedDemand", "duplicatePlacement", "unknownRegistry", "unknownLayer"])
  }

  /// A wrong granularity is a decoding error naming the placement, never dropped.
  @Test func wrongGranularityIsReported() {
    for g in ["\"Layer\"", "\"\"", "\"blob\"", "1", "null", "[\"layer\"]"] {
      let text =
        "{\"format\":\"mis-plan/1\",\"placements\":[{\"registry\":\"r1\",\"layer\":\"L1\",\"granularity\":\(g)}]}"
      do {
        let plan = try PlanCodec.decode(Array(text.utf8))
        Issue.record("granularity \(g) accepted: \(plan)")
      } catch {
        #expect(
          error.issues.contains { $0.path == "placements[0].granularity" && $0.field == "granularity" },
          "\(g): \(error)")
      }
    }
  }

  // MARK: Builder

  /// Random (often invalid) values through the builder: `build()` must agree with an
  /// independent validity oracle, and a built instance must index, evaluate and round-trip.
  @Test func builderFuzz() {
    let cases = FuzzConfig.cases(default: 3_000)
    let seed = FuzzConfig.seed &+ 2
    var rng = SplitMix64(seed: seed)
    var failures: [String] = []
    var validCount = 0
    for caseNumber in 0..<cases {
      let (builder, expectValid) = randomBuilder(&rng)
      do {
        let instance = try builder.build()
        validCount += 1
        if !expectValid { failures.append("case \(caseNumber): invalid instance built: \(instance)") }
        let index = try ProblemIndex(instance)
        _ = index.evaluate(Plan.empty)
        if try InstanceCodec.decode(InstanceCodec.encode(instance)) != instance {
          failures.append("case \(caseNumber): builder instance does not round-trip")
        }
      } catch {
        if expectValid { failures.append("case \(caseNumber): valid instance rejected: \(error)") }
        if case .invalidInstance(let issues) = error {
          if issues.isEmpty || issues.contains(where: { $0.path.isEmpty || $0.field.isEmpty }) {
            failures.append("case \(caseNumber): issues without path/field: \(issues)")
          }
          // The same instance through JSON must be invalid too (except byte counts just
          // above 2^53, which a JSON number cannot carry exactly: Docs/robustness.md).
          let inexact =
            builder.instance.registries.map(\.capacityBytes) + builder.instance.files.map(\.sizeBytes)
            + builder.instance.layers.map(\.sizeBytes)
          if !inexact.contains(where: { $0 > 1 << 53 && Double($0) == 0x1p53 }),
            (try? InstanceCodec.decode(InstanceCodec.encode(builder.instance))) != nil
          {
            failures.append("case \(caseNumber): invalid instance decodes as valid after encoding")
          }
        } else {
          failures.append("case \(caseNumber): unexpected error \(error)")
        }
      }
      if failures.count >= 5 { break }
    }
    for f in failures { Issue.record(Comment(rawValue: "seed \(seed) \(f)")) }
    #expect(validCount > cases / 20)
    #expect(validCount < cases)
  }
}

// MARK: - Plan oracle

/// A random plan: mostly known ids, sometimes unknown, with duplicates of both kinds.
func randomPlan(_ index: ProblemIndex, _ rng: inout SplitMix64) -> Plan {
  let registries = index.instance.registries.map(\.id)
  let layers = index.instance.layers.map(\.id)
  var placements: [Placement] = []
  let count = rng.nextInt(in: 0...(2 * index.layerCount * index.registryCount + 2))
  for _ in 0..<count {
    let r =
      rng.nextBernoulli(0.05)
      ? "ghost-\(rng.nextInt(upperBound: 3))" : registries[rng.nextInt(upperBound: registries.count)]
    let l = rng.nextBernoulli(0.05) ? "ghost-layer" : layers[rng.nextInt(upperBound: layers.count)]
    placements.append(Placement(registry: r, layer: l, granularity: rng.nextBernoulli(0.5) ? .layer : .file))
  }
  if !placements.isEmpty, rng.nextBernoulli(0.3) {
    placements.append(placements[rng.nextInt(upperBound: placements.count)])  // exact duplicate
  }
  return Plan(instance: index.instance.name, placements: placements)
}

/// Recomputes `Docs/model.md` §4 from the instance with plain loops over ids and compares.
func checkPlanAgainstOracle(_ index: ProblemIndex, _ plan: Plan, _ metrics: PlanMetrics) -> String? {
  let instance = index.instance
  let registryIds = instance.registries.map(\.id)
  let layerIds = instance.layers.map(\.id)
  var expected: [PlanViolation] = []
  var first: [String: Int] = [:]
  var stored: [(r: Int, l: Int, g: Granularity)] = []
  for (i, p) in plan.placements.enumerated() {
    let r = registryIds.firstIndex(of: p.registry)
    let l = layerIds.firstIndex(of: p.layer)
    if r == nil { expected.append(.unknownRegistry(index: i, registry: p.registry)) }
    if l == nil { expected.append(.unknownLayer(index: i, layer: p.layer)) }
    guard let r, let l else { continue }
    let key = "\(r)/\(l)"
    if let f = first[key] {
      expected.append(.duplicatePlacement(index: i, registry: p.registry, layer: p.layer, firstIndex: f))
    } else {
      first[key] = i
    }
    if !stored.contains(where: { $0.r == r && $0.l == l && $0.g == p.granularity }) {
      stored.append((r, l, p.granularity))
    }
  }
  // Storage: layer-level sizes + union of files of file-level layers.
  let fileSize = Dictionary(instance.files.map { ($0.id, $0.sizeBytes) }, uniquingKeysWith: { a, _ in a })
  for (r, registry) in instance.registries.enumerated() {
    var used: Int64 = 0
    var files: Set<String> = []
    for s in stored where s.r == r {
      if s.g == .layer { used += instance.layers[s.l].sizeBytes } else { files.formUnion(instance.layers[s.l].files) }
    }
    for f in files { used += fileSize[f] ?? 0 }
    if metrics.registries[r].usedBytes != used {
      return "registry \(registry.id): usedBytes \(metrics.registries[r].usedBytes), oracle \(used)"
    }
    if used > registry.capacityBytes {
      expected.append(.overCapacity(registry: registry.id, usedBytes: used, capacityBytes: registry.capacityBytes))
    }
  }
  // Service: cheapest available source per demanded pair.
  var total = 0.0
  var unserved = false
  for n in 0..<index.nodeCount {
    for l in 0..<index.layerCount {
      var demand = 0.0
      for d in instance.demands where d.node == instance.nodes[n].id {
        if let image = instance.images.first(where: { $0.id == d.image }), image.layers.contains(layerIds[l]) {
          demand += d.pulls
        }
      }
      guard demand > 0 else { continue }
      var best = Double.infinity
      for link in instance.links where link.node == instance.nodes[n].id {
        guard let r = registryIds.firstIndex(of: link.registry) else { continue }
        let cL = link.latencySeconds + Double(instance.layers[l].sizeBytes) / link.bandwidthBytesPerSecond
        for s in stored where s.r == r && s.l == l {
          best = min(best, s.g == .layer ? cL : cL + index.reconstructionTime[l])
        }
      }
      if let o = instance.origin?.links.first(where: { $0.node == instance.nodes[n].id }) {
        best = min(best, o.latencySeconds + Double(instance.layers[l].sizeBytes) / o.bandwidthBytesPerSecond)
      }
      if best == .infinity {
        unserved = true
        expected.append(.unservedDemand(node: instance.nodes[n].id, layer: layerIds[l], demand: demand))
      } else {
        total += demand * best
      }
    }
  }
  let got = Set(metrics.violations.map(\.description))
  let want = Set(expected.map(\.description))
  if got != want || metrics.violations.count != expected.count {
    return "violations differ: missing \(want.subtracting(got)), extra \(got.subtracting(want))"
  }
  if metrics.feasible != expected.isEmpty { return "feasible = \(metrics.feasible) with \(expected.count) violations" }
  if unserved != (metrics.totalLatencySeconds == nil) { return "T present/absent wrongly" }
  if let t = metrics.totalLatencySeconds, !Tolerance.objectivesAgree(t, total) { return "T = \(t), oracle \(total)" }
  return nil
}

// MARK: - Builder oracle

/// A random builder and whether `Docs/formats.md` §1 says the result is valid (computed here
/// independently of the library's validation).
func randomBuilder(_ rng: inout SplitMix64) -> (InstanceBuilder, Bool) {
  var valid = true
  func pick<T>(_ values: [T], _ rng: inout SplitMix64) -> T { values[rng.nextInt(upperBound: values.count)] }
  func bytes(_ rng: inout SplitMix64, _ valid: inout Bool) -> Int64 {
    if rng.nextBernoulli(0.97) { return Int64(rng.nextInt(in: 0...1_000_000)) }
    let v: Int64 = pick([-1, Int64.min, Int64.max, (1 << 53) + 1, 1 << 53, 0, -0], &rng)
    if v < 0 || v > 1 << 53 { valid = false }
    return v
  }
  func nonNegative(_ rng: inout SplitMix64, _ valid: inout Bool) -> Double {
    if rng.nextBernoulli(0.97) { return rng.nextUniform() * 10 }
    let v: Double = pick([-1, .nan, .infinity, -.infinity, -0.0, 0, 5e-324, 1e300, .ulpOfOne], &rng)
    if !(v.isFinite && v >= 0) { valid = false }
    return v
  }
  func bandwidth(_ rng: inout SplitMix64, _ valid: inout Bool) -> Double {
    if rng.nextBernoulli(0.97) { return 1 + rng.nextUniform() * 1e9 }
    let v: Double = pick([0, -0.0, -1, .nan, .infinity, 5e-324, 1e12, 1], &rng)
    if !(v.isFinite && v > 0) { valid = false }
    return v
  }
  let idPool = ["a", "b", "c", "ü", "\u{0}", "\u{FEFF}", "x y", "", "sha256:00"]
  func id(_ prefix: String, _ i: Int, _ rng: inout SplitMix64) -> String {
    rng.nextBernoulli(0.02) ? pick(idPool, &rng) : "\(prefix)\(i)"
  }
  func uniqueIds(_ ids: [String], _ valid: inout Bool) {
    if ids.contains("") || Set(ids).count != ids.count { valid = false }
  }
  func reference(_ ids: [String], _ rng: inout SplitMix64, _ valid: inout Bool) -> String {
    if ids.isEmpty || rng.nextBernoulli(0.01) {
      let ghost = "ghost"
      valid = false
      return ghost
    }
    return pick(ids, &rng)
  }
  var b = InstanceBuilder(
    name: rng.nextBernoulli(0.5) ? nil : "fuzz",
    reconstruction: Reconstruction(
      secondsPerLayer: nonNegative(&rng, &valid), secondsPerByte: rng.nextBernoulli(0.9) ? 0 : nonNegative(&rng, &valid)
    ))
  let registries = (0..<rng.nextInt(in: 0...3)).map { id("r", $0, &rng) }
  let nodes = (0..<rng.nextInt(in: 0...3)).map { id("n", $0, &rng) }
  let files = (0..<rng.nextInt(in: 0...5)).map { id("f", $0, &rng) }
  let layers = (0..<rng.nextInt(in: 0...4)).map { id("l", $0, &rng) }
  let images = (0..<rng.nextInt(in: 0...3)).map { id("i", $0, &rng) }
  for list in [registries, nodes, files, layers, images] { uniqueIds(list, &valid) }
  for r in registries { b.addRegistry(r, capacityBytes: bytes(&rng, &valid)) }
  for n in nodes { b.addNode(n) }
  var linked: Set<[String]> = []
  for _ in 0..<rng.nextInt(in: 0...4) where !nodes.isEmpty || rng.nextBernoulli(0.1) {
    let n = reference(nodes, &rng, &valid)
    let r = reference(registries, &rng, &valid)
    if !linked.insert([n, r]).inserted, nodes.contains(n), registries.contains(r) { valid = false }
    b.addLink(
      node: n, registry: r, bandwidthBytesPerSecond: bandwidth(&rng, &valid), latencySeconds: nonNegative(&rng, &valid))
  }
  var originLinked: Set<String> = []
  for _ in 0..<rng.nextInt(in: 0...3) where !nodes.isEmpty {
    let n = reference(nodes, &rng, &valid)
    if !originLinked.insert(n).inserted, nodes.contains(n) { valid = false }
    b.addOriginLink(
      node: n, bandwidthBytesPerSecond: bandwidth(&rng, &valid), latencySeconds: nonNegative(&rng, &valid))
  }
  for f in files { b.addFile(f, sizeBytes: bytes(&rng, &valid)) }
  for l in layers {
    var members: [String] = []
    for _ in 0..<rng.nextInt(in: 0...3) where !files.isEmpty || rng.nextBernoulli(0.2) {
      let f = reference(files, &rng, &valid)
      if members.contains(f), files.contains(f) { valid = false }
      members.append(f)
    }
    b.addLayer(l, sizeBytes: bytes(&rng, &valid), files: members)
  }
  for i in images {
    var members: [String] = []
    for _ in 0..<rng.nextInt(in: rng.nextBernoulli(0.95) ? 1...3 : 0...0)
    where !layers.isEmpty || rng.nextBernoulli(0.2) {
      let l = reference(layers, &rng, &valid)
      if members.contains(l), layers.contains(l) { valid = false }
      members.append(l)
    }
    if members.isEmpty { valid = false }
    b.addImage(i, layers: members)
  }
  for _ in 0..<rng.nextInt(in: 0...4) where !nodes.isEmpty && !images.isEmpty {
    b.addDemand(
      node: reference(nodes, &rng, &valid), image: reference(images, &rng, &valid), pulls: nonNegative(&rng, &valid))
  }
  return (b, valid)
}
