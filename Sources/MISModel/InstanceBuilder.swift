/// Builds an ``Instance`` in code, one entity at a time, and validates it at the end.
///
/// ```swift
/// var b = InstanceBuilder(name: "example")
/// b.addRegistry("edge-a", capacityBytes: 4_000_000)
/// b.addNode("site-1")
/// b.addLink(node: "site-1", registry: "edge-a", bandwidthBytesPerSecond: 12_500_000, latencySeconds: 0.02)
/// b.addOriginLink(node: "site-1", bandwidthBytesPerSecond: 2_500_000, latencySeconds: 0.15)
/// b.addFile("f1", sizeBytes: 1_048_576)
/// b.addLayer("l1", sizeBytes: 734_003, files: ["f1"])
/// b.addImage("nginx:1.27", layers: ["l1"])
/// b.addDemand(node: "site-1", image: "nginx:1.27", pulls: 40)
/// let instance = try b.build()
/// ```
public struct InstanceBuilder: Sendable {
  /// The instance built so far (not yet validated).
  public private(set) var instance: Instance

  /// Starts an empty instance.
  public init(name: String? = nil, reconstruction: Reconstruction = .default) {
    instance = Instance(name: name, reconstruction: reconstruction)
  }

  /// Adds a registry.
  public mutating func addRegistry(_ id: String, capacityBytes: Int64) {
    instance.registries.append(Registry(id: id, capacityBytes: capacityBytes))
  }

  /// Adds a node.
  public mutating func addNode(_ id: String) { instance.nodes.append(Node(id: id)) }

  /// Adds a node–registry link.
  public mutating func addLink(node: String, registry: String, bandwidthBytesPerSecond: Double, latencySeconds: Double)
  {
    instance.links.append(
      Link(
        node: node, registry: registry, bandwidthBytesPerSecond: bandwidthBytesPerSecond, latencySeconds: latencySeconds
      ))
  }

  /// Adds a link from a node to the origin (creating the origin on first use).
  public mutating func addOriginLink(node: String, bandwidthBytesPerSecond: Double, latencySeconds: Double) {
    let link = OriginLink(node: node, bandwidthBytesPerSecond: bandwidthBytesPerSecond, latencySeconds: latencySeconds)
    if instance.origin == nil { instance.origin = Origin(links: []) }
    instance.origin?.links.append(link)
  }

  /// Adds a file.
  public mutating func addFile(_ id: String, sizeBytes: Int64) {
    instance.files.append(File(id: id, sizeBytes: sizeBytes))
  }

  /// Adds a layer made of the given files.
  public mutating func addLayer(_ id: String, sizeBytes: Int64, files: [String]) {
    instance.layers.append(Layer(id: id, sizeBytes: sizeBytes, files: files))
  }

  /// Adds an image made of the given layers.
  public mutating func addImage(_ id: String, layers: [String]) {
    instance.images.append(Image(id: id, layers: layers))
  }

  /// Adds expected pulls of `image` by `node`.
  public mutating func addDemand(node: String, image: String, pulls: Double) {
    instance.demands.append(Demand(node: node, image: image, pulls: pulls))
  }

  /// The validated instance.
  ///
  /// - Throws: ``ModelError/invalidInstance(_:)`` listing every problem.
  public func build() throws(ModelError) -> Instance {
    try instance.validate()
    return instance
  }
}
