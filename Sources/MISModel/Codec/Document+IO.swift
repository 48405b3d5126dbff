import Foundation

extension Instance {
  /// Decodes and validates a `mis-instance/1` document.
  ///
  /// ```swift
  /// let instance = try Instance(jsonData: data)
  /// ```
  ///
  /// - Parameters:
  ///   - data: the UTF-8 JSON document.
  ///   - strict: when `true`, a warning (an unknown key, no demand, …) is an error; see
  ///     ``InstanceCodec/decodeWithWarnings(_:strict:)``, which also returns the warnings.
  /// - Throws: ``ModelError/malformedJSON(line:column:message:)`` or
  ///   ``ModelError/invalidInstance(_:)`` listing every problem.
  public init(jsonData data: Data, strict: Bool = false) throws(ModelError) {
    self = try InstanceCodec.decodeWithWarnings([UInt8](data), strict: strict).instance
  }

  /// Reads, decodes and validates a `mis-instance/1` file.
  ///
  /// ```swift
  /// let instance = try Instance(contentsOf: URL(fileURLWithPath: "fleet.json"))
  /// ```
  ///
  /// - Parameters:
  ///   - url: a file URL.
  ///   - strict: when `true`, a warning is an error (see ``init(jsonData:strict:)``).
  /// - Throws: ``ModelError/io(path:message:)`` naming the path when it cannot be read
  ///   (missing, a directory, not readable, not a file URL); else as ``init(jsonData:strict:)``.
  public init(contentsOf url: URL, strict: Bool = false) throws(ModelError) {
    guard url.isFileURL else { throw .io(path: url.absoluteString, message: "not a file URL") }
    self = try InstanceCodec.readWithWarnings(contentsOf: url.path, strict: strict).instance
  }

  /// The UTF-8 JSON document of the instance, as ``InstanceCodec/encode(_:pretty:)`` writes it
  /// (keys in the specification's order, byte-for-byte stable).
  public func jsonData(pretty: Bool = true) -> Data {
    Data(InstanceCodec.encode(self, pretty: pretty))
  }

  /// Writes the instance's document to a file, atomically.
  ///
  /// - Throws: ``ModelError/io(path:message:)`` naming the path when it cannot be written.
  public func write(to url: URL, pretty: Bool = true) throws(ModelError) {
    guard url.isFileURL else { throw .io(path: url.absoluteString, message: "not a file URL") }
    try writeBytes(InstanceCodec.encode(self, pretty: pretty), to: url.path)
  }
}

extension Plan {
  /// Decodes a `mis-plan/1` document (its `metrics` and `solver` blocks are not read).
  ///
  /// - Parameters:
  ///   - data: the UTF-8 JSON document.
  ///   - strict: when `true`, an unknown key is an error; see
  ///     ``PlanCodec/decodeWithWarnings(_:strict:)``, which also returns the warnings.
  /// - Throws: ``ModelError/malformedJSON(line:column:message:)`` or
  ///   ``ModelError/invalidPlan(_:)``.
  public init(jsonData data: Data, strict: Bool = false) throws(ModelError) {
    self = try PlanCodec.decodeWithWarnings([UInt8](data), strict: strict).plan
  }

  /// Reads and decodes a `mis-plan/1` file.
  ///
  /// - Throws: ``ModelError/io(path:message:)`` naming the path when it cannot be read; else
  ///   as ``init(jsonData:strict:)``.
  public init(contentsOf url: URL, strict: Bool = false) throws(ModelError) {
    guard url.isFileURL else { throw .io(path: url.absoluteString, message: "not a file URL") }
    self = try PlanCodec.readWithWarnings(contentsOf: url.path, strict: strict).plan
  }

  /// The UTF-8 JSON document of the plan (format, instance, placements). A document with
  /// `metrics` and `solver` blocks comes from ``PlanCodec/encode(_:metrics:solver:pretty:)``.
  public func jsonData(pretty: Bool = true) -> Data {
    Data(PlanCodec.encode(self, pretty: pretty))
  }

  /// Writes the plan's document to a file, atomically.
  ///
  /// - Throws: ``ModelError/io(path:message:)`` naming the path when it cannot be written.
  public func write(to url: URL, pretty: Bool = true) throws(ModelError) {
    guard url.isFileURL else { throw .io(path: url.absoluteString, message: "not a file URL") }
    try writeBytes(PlanCodec.encode(self, pretty: pretty), to: url.path)
  }
}

extension ModelError: LocalizedError {
  /// The readable message, the same as ``description`` (so `error.localizedDescription` is
  /// useful, not "The operation could not be completed").
  public var errorDescription: String? { description }
}
