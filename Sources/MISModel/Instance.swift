/// A registry-planning problem: the fleet, the catalogue of images, and the demand.
///
/// `Instance` mirrors the `mis-instance/1` JSON document of the MIS model
/// specification (`Docs/model.md` §1, `Docs/formats.md` §1) field for field. Identifiers are strings here, at
/// the edge of the library; solvers work on the dense integer ``ProblemIndex``
/// built from a validated instance.
///
/// An instance can be read from JSON with ``InstanceCodec/decode(_:)``, or built in
/// code, directly or with ``InstanceBuilder``:
///
/// ```swift
/// var builder = InstanceBuilder(name: "two-sites")
/// builder.addRegistry("edge-a", capacityBytes: 4_000_000)
/// builder.addNode("site-1")
/// builder.addLink(node: "site-1", registry: "edge-a",
///                 bandwidthBytesPerSecond: 12_500_000, latencySeconds: 0.02)
/// builder.addFile("f1", sizeBytes: 1_048_576)
/// builder.addLayer("l1", sizeBytes: 734_003, files: ["f1"])
/// builder.addImage("nginx:1.27", layers: ["l1"])
/// builder.addDemand(node: "site-1", image: "nginx:1.27", pulls: 40)
/// let instance = try builder.build()   // validated
/// ```
///
/// The value itself is not guaranteed valid: call ``validate()`` (or use the
/// builder / codec, which do) before indexing it.
///
/// ## Reading and writing
///
/// ``init(contentsOf:strict:)``, ``init(jsonData:strict:)``, ``jsonData(pretty:)`` and
/// ``write(to:pretty:)`` read and write the `mis-instance/1` document; `Instance` is also
/// `Codable` (`JSONDecoder().decode(Instance.self, from: data)` reads the same document and
/// validates it). ``InstanceCodec/decodeWithWarnings(_:strict:)`` also returns the
/// document's warnings (unknown keys with the key probably meant, no demand, unlinked
/// registries…), and ``warnings`` lists the structural ones of any value.
///
/// ## Name collisions
///
/// The element types are named after the document's vocabulary — ``Registry``, ``Node``,
/// ``Link``, ``File``, ``Layer``, ``Image``, ``Demand``, and ``Plan`` — so they can clash with
/// types of other modules (SwiftUI's `Image` and `Link`, a `File` or `Node` of your own).
/// No type in `MISModel` is named like the module, so the module name always
/// disambiguates:
///
/// ```swift
/// let file = MISModel.File(id: "f1", sizeBytes: 1_048_576)
/// let plan = MISModel.Plan(placements: [])
/// typealias StoragePlan = MISModel.Plan   // or a local alias for the whole file
/// ```
public struct Instance: Sendable, Hashable {
  /// The `format` string of every instance document.
  public static let format = "mis-instance/1"

  /// Optional free-text name, echoed into plans as `instance`.
  public var name: String?
  /// Reconstruction-time parameters for file-level layers.
  public var reconstruction: Reconstruction
  /// The registries that can store layers, in instance order (ties prefer earlier ones).
  public var registries: [Registry]
  /// The edge nodes that pull images.
  public var nodes: [Node]
  /// Node–registry links; a node can pull only from registries it has a link to.
  public var links: [Link]
  /// The central origin registry, if any; it holds everything.
  public var origin: Origin?
  /// The files that make up the layers.
  public var files: [File]
  /// The layers (blobs), each a set of files.
  public var layers: [Layer]
  /// The images, each a list of layers.
  public var images: [Image]
  /// Pull demand per (node, image). Several entries for one pair add up.
  public var demands: [Demand]

  /// Creates an instance from its parts. Nothing is validated here; see ``validate()``.
  public init(
    name: String? = nil,
    reconstruction: Reconstruction = .default,
    registries: [Registry] = [],
    nodes: [Node] = [],
    links: [Link] = [],
    origin: Origin? = nil,
    files: [File] = [],
    layers: [Layer] = [],
    images: [Image] = [],
    demands: [Demand] = []
  ) {
    self.name = name
    self.reconstruction = reconstruction
    self.registries = registries
    self.nodes = nodes
    self.links = links
    self.origin = origin
    self.files = files
    self.layers = layers
    self.images = images
    self.demands = demands
  }
}

/// How long a registry takes to rebuild a layer blob from its stored files.
///
/// The reconstruction time of layer `l` is `t[l] = secondsPerLayer + secondsPerByte · size[l]`
/// (`Docs/model.md` §2).
public struct Reconstruction: Sendable, Hashable {
  /// Fixed seconds per rebuilt layer (0.21 s in the reference example).
  public var secondsPerLayer: Double
  /// Additional seconds per byte of the rebuilt layer.
  public var secondsPerByte: Double

  /// The specification's default: 0.21 s per layer, nothing per byte.
  public static let `default` = Reconstruction(secondsPerLayer: 0.21, secondsPerByte: 0)

  /// Creates reconstruction parameters.
  public init(secondsPerLayer: Double, secondsPerByte: Double = 0) {
    self.secondsPerLayer = secondsPerLayer
    self.secondsPerByte = secondsPerByte
  }
}

/// A registry of the fleet with its storage capacity.
public struct Registry: Sendable, Hashable, Codable {
  /// Unique registry identifier.
  public var id: String
  /// Storage capacity in bytes (0 ≤ v ≤ 2^53).
  public var capacityBytes: Int64
  /// Creates a registry.
  public init(id: String, capacityBytes: Int64) {
    self.id = id
    self.capacityBytes = capacityBytes
  }
}

/// An edge node that pulls images.
public struct Node: Sendable, Hashable, Codable {
  /// Unique node identifier.
  public var id: String
  /// Creates a node.
  public init(id: String) { self.id = id }
}

/// A network link from a node to a registry.
public struct Link: Sendable, Hashable, Codable {
  /// The node's identifier.
  public var node: String
  /// The registry's identifier.
  public var registry: String
  /// Throughput in bytes per second (finite, > 0).
  public var bandwidthBytesPerSecond: Double
  /// Fixed per-pull latency in seconds (finite, ≥ 0).
  public var latencySeconds: Double
  /// Creates a link.
  public init(node: String, registry: String, bandwidthBytesPerSecond: Double, latencySeconds: Double) {
    self.node = node
    self.registry = registry
    self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
    self.latencySeconds = latencySeconds
  }
}

/// The central origin registry (e.g. Docker Hub): holds every layer, reachable over its own links.
public struct Origin: Sendable, Hashable {
  /// Links from nodes to the origin, at most one per node.
  public var links: [OriginLink]
  /// Creates an origin.
  public init(links: [OriginLink]) { self.links = links }
}

/// A link from a node to the origin.
public struct OriginLink: Sendable, Hashable, Codable {
  /// The node's identifier.
  public var node: String
  /// Throughput in bytes per second (finite, > 0).
  public var bandwidthBytesPerSecond: Double
  /// Fixed per-pull latency in seconds (finite, ≥ 0).
  public var latencySeconds: Double
  /// Creates an origin link.
  public init(node: String, bandwidthBytesPerSecond: Double, latencySeconds: Double) {
    self.node = node
    self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
    self.latencySeconds = latencySeconds
  }
}

/// A file; stored once per registry however many file-level layers share it.
public struct File: Sendable, Hashable, Codable {
  /// Unique file identifier (e.g. a content digest).
  public var id: String
  /// Size in bytes (0 ≤ v ≤ 2^53).
  public var sizeBytes: Int64
  /// Creates a file.
  public init(id: String, sizeBytes: Int64) {
    self.id = id
    self.sizeBytes = sizeBytes
  }
}

/// A layer: the blob that is pulled, and the set of files it unpacks to.
public struct Layer: Sendable, Hashable, Codable {
  /// Unique layer identifier (e.g. `sha256:…`).
  public var id: String
  /// Size of the (compressed) blob in bytes: what is sent and what layer-level storage costs.
  public var sizeBytes: Int64
  /// The identifiers of the layer's files, without repeats; may be empty.
  public var files: [String]
  /// Creates a layer.
  public init(id: String, sizeBytes: Int64, files: [String]) {
    self.id = id
    self.sizeBytes = sizeBytes
    self.files = files
  }
}

/// An image: a list of layers, all pulled whenever the image is pulled.
public struct Image: Sendable, Hashable, Codable {
  /// Unique image identifier (e.g. `nginx:1.27`).
  public var id: String
  /// The identifiers of the image's layers: at least one, without repeats.
  public var layers: [String]
  /// Creates an image.
  public init(id: String, layers: [String]) {
    self.id = id
    self.layers = layers
  }
}

/// Expected pulls of one image by one node over the planning horizon.
public struct Demand: Sendable, Hashable, Codable {
  /// The node's identifier.
  public var node: String
  /// The image's identifier.
  public var image: String
  /// Expected number of pulls (finite, ≥ 0; need not be an integer).
  public var pulls: Double
  /// Creates a demand entry.
  public init(node: String, image: String, pulls: Double) {
    self.node = node
    self.image = image
    self.pulls = pulls
  }
}
