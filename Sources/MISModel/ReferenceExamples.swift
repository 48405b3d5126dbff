/// Built-in example instances, used by `mis demo`, the docs and the tests.
public enum ReferenceExamples {
  /// The worked example of `Docs/model.md`: three registries of different capacities
  /// (35, 15 and 40 MB), three edge sites, a slow origin, four Ubuntu releases that share
  /// most of their files, a Python runtime shared by two apps, and reconstruction at
  /// 0.21 s per layer.
  ///
  /// With these capacities neither storing everything at layer level (no room for both
  /// base versions) nor everything at file level (every pull pays 0.21 s) is best: the
  /// optimum mixes the two (see the docs for the numbers).
  public static var threeRegistries: Instance {
    let mb: Int64 = 1_000_000
    var b = InstanceBuilder(name: "three-registries", reconstruction: Reconstruction(secondsPerLayer: 0.21))
    b.addRegistry("edge-a", capacityBytes: 35 * mb)
    b.addRegistry("edge-b", capacityBytes: 15 * mb)
    b.addRegistry("edge-c", capacityBytes: 40 * mb)
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
    // Uncompressed files; layers are the compressed blobs. Four Ubuntu releases share
    // their core and libraries: as files they dedup to 22 MB, as blobs they take 56 MB.
    b.addFile("os/core", sizeBytes: 12 * mb)
    b.addFile("os/libs", sizeBytes: 6 * mb)
    for release in ["20.04", "22.04", "24.04", "24.10"] { b.addFile("os/\(release)-extra", sizeBytes: 1 * mb) }
    b.addFile("python/3.12", sizeBytes: 24 * mb)
    b.addFile("app/web", sizeBytes: 6 * mb)
    b.addFile("app/api", sizeBytes: 5 * mb)
    b.addFile("app/batch", sizeBytes: 4 * mb)
    for release in ["20.04", "22.04", "24.04", "24.10"] {
      b.addLayer("ubuntu-\(release)", sizeBytes: 14 * mb, files: ["os/core", "os/libs", "os/\(release)-extra"])
    }
    b.addLayer("python-3.12", sizeBytes: 10 * mb, files: ["python/3.12"])
    b.addLayer("web-app", sizeBytes: 3 * mb, files: ["app/web"])
    b.addLayer("api-app", sizeBytes: 2 * mb, files: ["app/api"])
    b.addLayer("batch-app", sizeBytes: 2 * mb, files: ["app/batch"])
    b.addImage("web:1.0", layers: ["ubuntu-22.04", "python-3.12", "web-app"])
    b.addImage("api:2.1", layers: ["ubuntu-24.04", "python-3.12", "api-app"])
    b.addImage("batch:0.9", layers: ["ubuntu-24.10", "batch-app"])
    b.addImage("tools:20.04", layers: ["ubuntu-20.04"])
    b.addDemand(node: "site-1", image: "web:1.0", pulls: 40)
    b.addDemand(node: "site-1", image: "api:2.1", pulls: 25)
    b.addDemand(node: "site-1", image: "tools:20.04", pulls: 6)
    b.addDemand(node: "site-2", image: "api:2.1", pulls: 30)
    b.addDemand(node: "site-2", image: "batch:0.9", pulls: 15)
    b.addDemand(node: "site-2", image: "tools:20.04", pulls: 8)
    b.addDemand(node: "site-3", image: "web:1.0", pulls: 20)
    b.addDemand(node: "site-3", image: "batch:0.9", pulls: 12)
    return b.instance
  }
}
