/// Built-in example instances, used by `mis demo`, the docs and the tests.
public enum ReferenceExamples {
  /// The worked example of `Docs/model.md`: three registries of different capacities,
  /// three edge sites, a slow origin, two Ubuntu base versions that share most of their
  /// files, a Python runtime shared by two apps, and reconstruction at 0.21 s per layer.
  ///
  /// With these capacities neither storing everything at layer level (no room for both
  /// base versions) nor everything at file level (every pull pays 0.21 s) is best: the
  /// optimum mixes the two (see the docs for the numbers).
  public static var threeRegistries: Instance {
    let mb: Int64 = 1_000_000
    var b = InstanceBuilder(name: "three-registries", reconstruction: Reconstruction(secondsPerLayer: 0.21))
    b.addRegistry("edge-a", capacityBytes: 45 * mb)
    b.addRegistry("edge-b", capacityBytes: 30 * mb)
    b.addRegistry("edge-c", capacityBytes: 60 * mb)
    for site in ["site-1", "site-2", "site-3"] { b.addNode(site) }
    b.addLink(node: "site-1", registry: "edge-a", bandwidthBytesPerSecond: 50e6, latencySeconds: 0.010)
    b.addLink(node: "site-1", registry: "edge-b", bandwidthBytesPerSecond: 20e6, latencySeconds: 0.030)
    b.addLink(node: "site-2", registry: "edge-b", bandwidthBytesPerSecond: 50e6, latencySeconds: 0.010)
    b.addLink(node: "site-2", registry: "edge-c", bandwidthBytesPerSecond: 25e6, latencySeconds: 0.020)
    b.addLink(node: "site-3", registry: "edge-c", bandwidthBytesPerSecond: 50e6, latencySeconds: 0.005)
    b.addLink(node: "site-3", registry: "edge-a", bandwidthBytesPerSecond: 12.5e6, latencySeconds: 0.040)
    for site in ["site-1", "site-2", "site-3"] {
      b.addOriginLink(node: site, bandwidthBytesPerSecond: 5e6, latencySeconds: 0.150)
    }
    // Uncompressed files; layers are compressed blobs (~2–2.6× smaller).
    b.addFile("os/core", sizeBytes: 20 * mb)
    b.addFile("os/libs", sizeBytes: 10 * mb)
    b.addFile("os/22.04-extra", sizeBytes: 4 * mb)
    b.addFile("os/24.04-extra", sizeBytes: 5 * mb)
    b.addFile("python/3.12", sizeBytes: 24 * mb)
    b.addFile("app/web", sizeBytes: 6 * mb)
    b.addFile("app/api", sizeBytes: 5 * mb)
    b.addLayer("ubuntu-22.04", sizeBytes: 15 * mb, files: ["os/core", "os/libs", "os/22.04-extra"])
    b.addLayer("ubuntu-24.04", sizeBytes: 16 * mb, files: ["os/core", "os/libs", "os/24.04-extra"])
    b.addLayer("python-3.12", sizeBytes: 10 * mb, files: ["python/3.12"])
    b.addLayer("web-app", sizeBytes: 3 * mb, files: ["app/web"])
    b.addLayer("api-app", sizeBytes: 2 * mb, files: ["app/api"])
    b.addImage("web:1.0", layers: ["ubuntu-22.04", "python-3.12", "web-app"])
    b.addImage("api:2.1", layers: ["ubuntu-24.04", "python-3.12", "api-app"])
    b.addImage("tools:22.04", layers: ["ubuntu-22.04"])
    b.addDemand(node: "site-1", image: "web:1.0", pulls: 40)
    b.addDemand(node: "site-1", image: "api:2.1", pulls: 25)
    b.addDemand(node: "site-2", image: "api:2.1", pulls: 30)
    b.addDemand(node: "site-2", image: "tools:22.04", pulls: 8)
    b.addDemand(node: "site-3", image: "web:1.0", pulls: 20)
    b.addDemand(node: "site-3", image: "api:2.1", pulls: 12)
    return b.instance
  }
}
