import MISModel

extension ImportedImages {
  /// The instance made of `fleet`'s registries, nodes, links, origin and reconstruction,
  /// these files, layers and images, and `demands`.
  ///
  /// - Parameters:
  ///   - fleet: the fleet (its files, layers, images and demands are not used).
  ///   - demands: the pulls per (node, image).
  ///   - name: the instance name; `nil` keeps the fleet's.
  /// - Throws: ``ImportError/invalidInstance(reason:)`` if the result breaks a model rule.
  public func instance(fleet: Instance, demands: [Demand], name: String? = nil) throws(ImportError) -> Instance {
    var instance = fleet
    instance.name = name ?? fleet.name
    instance.files = files.map { File(id: $0.id, sizeBytes: $0.sizeBytes) }
    instance.layers = layers.map { Layer(id: $0.id, sizeBytes: $0.sizeBytes, files: $0.files) }
    instance.images = images.map { Image(id: $0.id, layers: $0.layers) }
    instance.demands = demands
    do {
      try instance.validate()
    } catch {
      throw .invalidInstance(reason: "\(error)")
    }
    return instance
  }
}

/// The whole import in one call: fleet file, layouts, demand table → validated instance.
///
/// ```swift
/// let result = try LayoutImporter(options: ImportOptions(fileSize: .gzip))
///   .importInstance(fleet: "fleet.json", demand: "demand.csv", layouts: ["oci/nginx"])
/// try Data(InstanceCodec.encode(result.instance)).write(to: URL(fileURLWithPath: "instance.json"), options: .atomic)
/// ```
public struct LayoutImporter: Sendable {
  /// The import options.
  public var options: ImportOptions

  /// An importer with `options`.
  public init(options: ImportOptions = ImportOptions()) { self.options = options }

  /// The result of an import.
  public struct Result: Sendable {
    /// The validated instance.
    public var instance: Instance
    /// What was read from the layouts.
    public var images: ImportedImages
    /// Warnings (ignored fleet sections, repeated layers).
    public var warnings: [String]
  }

  /// Reads the fleet, the layouts and the demand table and assembles the instance.
  ///
  /// - Parameters:
  ///   - fleet: a `mis-instance/1` file giving the registries, nodes, links, origin and
  ///     reconstruction.
  ///   - demand: a CSV file `node,image,pulls`.
  ///   - layouts: OCI image-layout directories.
  ///   - name: the instance name; `nil` keeps the fleet's.
  ///   - progress: called after each layer (from worker threads).
  /// - Throws: ``ImportError`` naming the broken input.
  public func importInstance(
    fleet: String, demand: String, layouts: [String], name: String? = nil,
    progress: (@Sendable (ImportProgress) -> Void)? = nil
  ) throws(ImportError) -> Result {
    let (fleetInstance, fleetWarnings) = try FleetReader.read(contentsOf: fleet)
    let demandText = try DemandReader.text(contentsOf: demand)
    let images = try ImageImporter(options: options).read(layouts: layouts, progress: progress)
    let demands = try DemandReader.parse(
      demandText, path: demand, nodes: Set(fleetInstance.nodes.map(\.id)), images: Set(images.images.map(\.id)))
    let instance = try images.instance(fleet: fleetInstance, demands: demands, name: name)
    return Result(instance: instance, images: images, warnings: fleetWarnings + images.warnings)
  }
}
