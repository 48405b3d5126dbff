// `Codable` conformances that read and write exactly the documents of `Docs/formats.md`:
// the same keys in the same order, the `format` field, the same defaults, and the same
// validation. They let an `Instance` or a `Plan` travel inside the caller's own Codable
// types; `InstanceCodec` and `PlanCodec` remain the readers that report every problem at
// once with line and column, stream big documents, and warn about unknown keys.

extension Instance: Codable {
  private enum CodingKeys: String, CodingKey {
    case format, name, reconstruction, registries, nodes, links, origin, files, layers, images, demands
  }

  /// Decodes a `mis-instance/1` document and validates it.
  ///
  /// Missing entity lists are empty; a missing `reconstruction` (or field of it) takes its
  /// default. Unknown keys are ignored (a `Decoder` has no channel for warnings; use
  /// ``InstanceCodec/decodeWithWarnings(_:strict:)`` to hear about them).
  ///
  /// ```swift
  /// let instance = try JSONDecoder().decode(Instance.self, from: data)
  /// ```
  ///
  /// - Throws: `DecodingError` — `keyNotFound`/`typeMismatch` with the coding path for a
  ///   missing or mistyped field; `dataCorrupted` at `format` for a wrong `format`; and, when
  ///   the document breaks a rule of the model, `dataCorrupted` whose `debugDescription`
  ///   lists every problem and whose `underlyingError` is the ``ModelError/invalidInstance(_:)``
  ///   that ``InstanceCodec/decode(_:)`` would throw.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let format = try c.decode(String.self, forKey: .format)
    guard format == Instance.format else {
      throw DecodingError.dataCorruptedError(
        forKey: .format, in: c, debugDescription: "expected \"\(Instance.format)\", got \"\(format)\"")
    }
    self.init(
      name: try c.decodeIfPresent(String.self, forKey: .name),
      reconstruction: try c.decodeIfPresent(Reconstruction.self, forKey: .reconstruction) ?? .default,
      registries: try c.decodeUnlessAbsent([Registry].self, forKey: .registries) ?? [],
      nodes: try c.decodeUnlessAbsent([Node].self, forKey: .nodes) ?? [],
      links: try c.decodeUnlessAbsent([Link].self, forKey: .links) ?? [],
      origin: try c.decodeIfPresent(Origin.self, forKey: .origin),
      files: try c.decodeUnlessAbsent([File].self, forKey: .files) ?? [],
      layers: try c.decodeUnlessAbsent([Layer].self, forKey: .layers) ?? [],
      images: try c.decodeUnlessAbsent([Image].self, forKey: .images) ?? [],
      demands: try c.decodeUnlessAbsent([Demand].self, forKey: .demands) ?? [])
    let issues = validationIssues()
    if !issues.isEmpty {
      let error = ModelError.invalidInstance(issues)
      throw DecodingError.dataCorrupted(
        DecodingError.Context(
          codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error)
      )
    }
  }

  /// Encodes the `mis-instance/1` document: `format` first, then the fields in the
  /// specification's order (`name` and `origin` only when present). Nothing is validated.
  ///
  /// - Throws: what the encoder throws, e.g. `EncodingError.invalidValue` for a non-finite
  ///   number with `JSONEncoder`'s default strategy.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(Instance.format, forKey: .format)
    try c.encodeIfPresent(name, forKey: .name)
    try c.encode(reconstruction, forKey: .reconstruction)
    try c.encode(registries, forKey: .registries)
    try c.encode(nodes, forKey: .nodes)
    try c.encode(links, forKey: .links)
    try c.encodeIfPresent(origin, forKey: .origin)
    try c.encode(files, forKey: .files)
    try c.encode(layers, forKey: .layers)
    try c.encode(images, forKey: .images)
    try c.encode(demands, forKey: .demands)
  }
}

extension Reconstruction: Codable {
  private enum CodingKeys: String, CodingKey {
    case secondsPerLayer, secondsPerByte
  }

  /// Decodes the `reconstruction` object; a missing field takes its default (0.21 s per
  /// layer, 0 s per byte).
  ///
  /// - Throws: `DecodingError` for a mistyped field.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      secondsPerLayer: try c.decodeUnlessAbsent(Double.self, forKey: .secondsPerLayer)
        ?? Reconstruction.default.secondsPerLayer,
      secondsPerByte: try c.decodeUnlessAbsent(Double.self, forKey: .secondsPerByte)
        ?? Reconstruction.default.secondsPerByte)
  }

  /// Encodes both fields.
  ///
  /// - Throws: what the encoder throws.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(secondsPerLayer, forKey: .secondsPerLayer)
    try c.encode(secondsPerByte, forKey: .secondsPerByte)
  }
}

extension Origin: Codable {
  private enum CodingKeys: String, CodingKey {
    case links
  }

  /// Decodes the `origin` object; a missing `links` is empty.
  ///
  /// - Throws: `DecodingError` for a mistyped or incomplete link.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(links: try c.decodeUnlessAbsent([OriginLink].self, forKey: .links) ?? [])
  }

  /// Encodes `{ "links": [...] }`.
  ///
  /// - Throws: what the encoder throws.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(links, forKey: .links)
  }
}

extension Plan: Codable {
  private enum CodingKeys: String, CodingKey {
    case format, instance, placements
  }

  /// Decodes a `mis-plan/1` document. The informative `metrics` and `solver` blocks are not
  /// read; unknown ids and duplicate placements are left to the evaluator, as with
  /// ``PlanCodec/decode(_:)``.
  ///
  /// ```swift
  /// let plan = try JSONDecoder().decode(Plan.self, from: data)
  /// ```
  ///
  /// - Throws: `DecodingError` — `keyNotFound` for a missing `format` or `placements`,
  ///   `dataCorrupted` at `format` for a wrong format or at the granularity for a value other
  ///   than `layer` or `file`, `typeMismatch` for mistyped fields.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let format = try c.decode(String.self, forKey: .format)
    guard format == Plan.format else {
      throw DecodingError.dataCorruptedError(
        forKey: .format, in: c, debugDescription: "expected \"\(Plan.format)\", got \"\(format)\"")
    }
    self.init(
      instance: try c.decodeIfPresent(String.self, forKey: .instance),
      placements: try c.decode([Placement].self, forKey: .placements))
  }

  /// Encodes the plan document: `format`, `instance` (when present), `placements`. A
  /// document with `metrics` and `solver` blocks comes from ``PlanCodec/encode(_:metrics:solver:pretty:)``.
  ///
  /// - Throws: what the encoder throws.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(Plan.format, forKey: .format)
    try c.encodeIfPresent(instance, forKey: .instance)
    try c.encode(placements, forKey: .placements)
  }
}

extension KeyedDecodingContainer {
  /// The value for `key`, or `nil` only when the key is absent: unlike `decodeIfPresent`, an
  /// explicit `null` is an error (`valueNotFound`), as it is for ``InstanceCodec``.
  fileprivate func decodeUnlessAbsent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
    contains(key) ? try decode(type, forKey: key) : nil
  }
}
