/// Reads and writes `mis-plan/1` documents (`Docs/formats.md` §2–4).
public enum PlanCodec {
  /// Decodes a plan. `metrics` and `solver` blocks are informative and not read; warnings
  /// (unknown keys) are dropped, see ``decodeWithWarnings(_:strict:)``.
  ///
  /// - Throws: ``ModelError/malformedJSON(line:column:message:)`` or
  ///   ``ModelError/invalidPlan(_:)`` listing every structural problem (wrong format,
  ///   missing or mistyped fields, unknown granularity). Unknown ids and duplicate
  ///   placements are not errors here: the evaluator reports them as violations.
  public static func decode(_ bytes: [UInt8]) throws(ModelError) -> Plan {
    try decodeWithWarnings(bytes).plan
  }

  /// Decodes a plan and reports every unknown key (outside the informative `metrics` and
  /// `solver` blocks) as a ``ValidationWarning`` with its path and the nearest known key,
  /// e.g. `placements[0].granularty: unknown key "granularty" ignored; did you mean
  /// "granularity"?`.
  ///
  /// - Parameters:
  ///   - bytes: the UTF-8 JSON document.
  ///   - strict: when `true`, warnings are errors: the call throws
  ///     ``ModelError/invalidPlan(_:)`` listing each as a ``ValidationIssue``.
  /// - Throws: as ``decode(_:)``; in strict mode also for warnings.
  public static func decodeWithWarnings(_ bytes: [UInt8], strict: Bool = false) throws(ModelError) -> (
    plan: Plan, warnings: [ValidationWarning]
  ) {
    var reader = JSONReader(bytes: bytes)
    let document: JSONValue
    do {
      document = try reader.parseDocument()
    } catch {
      throw .malformedJSON(line: error.line, column: error.column, message: error.message)
    }
    var s = StructureReader()
    guard case .object(let pairs) = document else {
      throw .invalidPlan([
        ValidationIssue(path: "$", field: "format", message: "a plan must be a JSON object, got \(document.typeName)")
      ])
    }
    var seen: Set<String> = []
    for pair in pairs where !seen.insert(pair.key).inserted {
      s.issue(pair.key, nil, pair.key, "the key \"\(pair.key)\" appears twice in the document")
    }
    s.unknownKeys(of: document, at: "", known: KnownKeys.plan)
    switch document["format"] {
    case nil:
      s.issue("format", nil, "format", "missing required field \"format\" (expected \"\(Plan.format)\")")
    case .string(let f)? where f == Plan.format: break
    case .string(let f)?: s.issue("format", nil, "format", "expected \"\(Plan.format)\", got \"\(f)\"")
    case let v?: s.issue("format", nil, "format", "must be the string \"\(Plan.format)\", got \(v.typeName)")
    }
    var plan = Plan()
    plan.instance = s.string(document, "instance", path: "$", entity: nil, required: false)
    switch document["placements"] {
    case nil: s.issue("placements", nil, "placements", "missing required field \"placements\"")
    case .array(let elements)?:
      for (i, element) in elements.enumerated() {
        let path = "placements[\(i)]"
        guard let e = s.members(element, path: path, what: "a placement") else { continue }
        s.unknownKeys(of: e, at: path, list: "placements", known: KnownKeys.placement)
        let registry = s.string(e, "registry", path: path, entity: nil)
        let layer = s.string(e, "layer", path: path, entity: nil)
        let g = s.string(e, "granularity", path: path, entity: nil)
        var granularity: Granularity? = nil
        if let g {
          granularity = Granularity(rawValue: g)
          if granularity == nil {
            s.issue(path + ".granularity", nil, "granularity", "must be \"layer\" or \"file\", got \"\(g)\"")
          }
        }
        if let registry, let layer, let granularity {
          plan.placements.append(Placement(registry: registry, layer: layer, granularity: granularity))
        }
      }
    case let v?: s.issue("placements", nil, "placements", "must be an array, got \(v.typeName)")
    }
    let warnings = s.warnings
    var issues = s.issues
    if strict { issues += warnings.map(ValidationIssue.init) }
    if !issues.isEmpty { throw .invalidPlan(issues) }
    return (plan, warnings)
  }

  /// Decodes a plan from a file; warnings are dropped.
  ///
  /// - Throws: ``ModelError/io(path:message:)`` when the file cannot be read, else as
  ///   ``decode(_:)``.
  public static func read(contentsOf path: String) throws(ModelError) -> Plan {
    try decode(try readBytes(path))
  }

  /// Decodes a plan from a file and reports its warnings, as ``decodeWithWarnings(_:strict:)``.
  public static func readWithWarnings(contentsOf path: String, strict: Bool = false) throws(ModelError) -> (
    plan: Plan, warnings: [ValidationWarning]
  ) {
    try decodeWithWarnings(try readBytes(path), strict: strict)
  }

  /// The plan document: format, instance, placements, then `metrics` and `solver` when given.
  public static func encodeValue(_ plan: Plan, metrics: PlanMetrics? = nil, solver: SolverReport? = nil) -> JSONValue {
    var top: [(key: String, value: JSONValue)] = [("format", .string(Plan.format))]
    if let name = plan.instance { top.append(("instance", .string(name))) }
    top.append(
      (
        "placements",
        .array(
          plan.placements.map {
            .object([
              ("registry", .string($0.registry)), ("layer", .string($0.layer)),
              ("granularity", .string($0.granularity.rawValue)),
            ])
          })
      ))
    if let metrics { top.append(("metrics", encodeMetrics(metrics))) }
    if let solver { top.append(("solver", encodeSolver(solver))) }
    return .object(top)
  }

  /// The UTF-8 JSON of a plan document.
  public static func encode(
    _ plan: Plan, metrics: PlanMetrics? = nil, solver: SolverReport? = nil, pretty: Bool = true
  ) -> [UInt8] {
    JSONWriter(pretty: pretty).bytes(of: encodeValue(plan, metrics: metrics, solver: solver))
  }

  /// The `metrics` block (`Docs/formats.md` §3), with `violations` when the plan is infeasible.
  public static func encodeMetrics(_ m: PlanMetrics) -> JSONValue {
    var pairs: [(key: String, value: JSONValue)] = [
      ("feasible", .bool(m.feasible)),
      ("totalLatencySeconds", m.totalLatencySeconds.map(JSONValue.number) ?? .null),
      ("totalPulls", .number(m.totalPulls)),
      ("meanImagePullSeconds", m.meanImagePullSeconds.map(JSONValue.number) ?? .null),
      ("reconstructionSeconds", .number(m.reconstructionSeconds)),
      ("originShare", .number(m.originShare)),
      (
        "registries",
        .array(
          m.registries.map {
            .object([
              ("registry", .string($0.registry)),
              ("usedBytes", .number(Double($0.usedBytes))),
              ("capacityBytes", .number(Double($0.capacityBytes))),
              ("layerLevelLayers", .number(Double($0.layerLevelLayers))),
              ("fileLevelLayers", .number(Double($0.fileLevelLayers))),
              ("storedFiles", .number(Double($0.storedFiles))),
              ("dedupSavedBytes", .number(Double($0.dedupSavedBytes))),
            ])
          })
      ),
    ]
    if !m.violations.isEmpty {
      pairs.append(("violations", .array(m.violations.map(encodeViolation))))
    }
    return .object(pairs)
  }

  private static func encodeViolation(_ v: PlanViolation) -> JSONValue {
    var pairs: [(key: String, value: JSONValue)] = [("kind", .string(v.kind))]
    switch v {
    case .overCapacity(let r, let used, let cap):
      pairs += [
        ("registry", .string(r)), ("usedBytes", .number(Double(used))), ("capacityBytes", .number(Double(cap))),
      ]
    case .unservedDemand(let n, let l, let d):
      pairs += [("node", .string(n)), ("layer", .string(l)), ("demand", .number(d))]
    case .duplicatePlacement(let i, let r, let l, let first):
      pairs += [
        ("placement", .number(Double(i))), ("registry", .string(r)), ("layer", .string(l)),
        ("firstPlacement", .number(Double(first))),
      ]
    case .unknownRegistry(let i, let r):
      pairs += [("placement", .number(Double(i))), ("registry", .string(r))]
    case .unknownLayer(let i, let l):
      pairs += [("placement", .number(Double(i))), ("layer", .string(l))]
    }
    pairs.append(("message", .string(v.description)))
    return .object(pairs)
  }

  /// The `solver` block (`Docs/cli.md`): `method`, `status`, `termination`, `objective`, `bound`,
  /// `gap`, `certifiedRatio`, `seconds`, `seed`, then `capacityPrices` when the method
  /// solved a relaxation, then the method's ``SolverReport/details``.
  public static func encodeSolver(_ s: SolverReport) -> JSONValue {
    var pairs: [(key: String, value: JSONValue)] = [
      ("method", .string(s.method)),
      ("status", .string(s.status.rawValue)),
      ("termination", .string(s.termination.rawValue)),
      ("objective", s.objective.map(JSONValue.number) ?? .null),
      ("bound", s.bound.map(JSONValue.number) ?? .null),
      ("gap", s.gap.map(JSONValue.number) ?? .null),
      ("certifiedRatio", s.certifiedRatio.map(JSONValue.number) ?? .null),
      ("seconds", .number(s.seconds)),
      // Seeds above 2^53 would lose digits as JSON numbers: they are written as strings.
      ("seed", s.seed.map { $0 <= 1 << 53 ? .number(Double($0)) : .string(String($0)) } ?? .null),
    ]
    if let prices = s.capacityPrices {
      pairs.append(
        (
          "capacityPrices",
          .array(
            prices.map {
              .object([("registry", .string($0.registry)), ("secondsPerGiB", .number($0.secondsPerGiB))])
            })
        ))
    }
    pairs += s.details
    return .object(pairs)
  }
}
