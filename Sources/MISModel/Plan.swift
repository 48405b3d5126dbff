/// How a registry stores a layer.
public enum Granularity: String, Sendable, Hashable, CaseIterable, Codable {
  /// The layer blob itself: fast to serve, nothing shared.
  case layer
  /// The layer's files, deduplicated with every other file-level layer on the registry;
  /// every pull pays the reconstruction time.
  case file
}

/// One decision of a plan: registry `registry` stores layer `layer` at `granularity`.
public struct Placement: Sendable, Hashable, Codable {
  /// The registry's identifier.
  public var registry: String
  /// The layer's identifier.
  public var layer: String
  /// Layer level or file level.
  public var granularity: Granularity
  /// Creates a placement.
  public init(registry: String, layer: String, granularity: Granularity) {
    self.registry = registry
    self.layer = layer
    self.granularity = granularity
  }
}

/// A storage plan: which registry stores which layer at which granularity (`Docs/model.md` §3).
///
/// A plan holds identifiers, so it can come from anywhere (a solver, a file a person
/// edited); ``ProblemIndex/evaluate(_:)-(Plan)`` checks it against an instance and reports every problem.
public struct Plan: Sendable, Hashable {
  /// The `format` string of every plan document.
  public static let format = "mis-plan/1"

  /// The name of the instance the plan is for, if any.
  public var instance: String?
  /// The placements, in the order given.
  public var placements: [Placement]

  /// Creates a plan.
  public init(instance: String? = nil, placements: [Placement] = []) {
    self.instance = instance
    self.placements = placements
  }

  /// The empty plan: everything is pulled from the origin.
  public static let empty = Plan()
}
