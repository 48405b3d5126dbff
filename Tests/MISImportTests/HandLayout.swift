import Foundation

/// An OCI image layout written by hand in a test: blobs, manifests, an index.
final class HandLayout {
  let directory: String
  private(set) var entries: [[String: Any]] = []

  static let gzipLayer = "application/vnd.oci.image.layer.v1.tar+gzip"
  static let zstdLayer = "application/vnd.oci.image.layer.v1.tar+zstd"
  static let tarLayer = "application/vnd.oci.image.layer.v1.tar"
  static let manifestType = "application/vnd.oci.image.manifest.v1+json"
  static let indexType = "application/vnd.oci.image.index.v1+json"

  init(_ directory: String) throws {
    self.directory = directory
    try FileManager.default.createDirectory(
      atPath: directory + "/blobs/sha256", withIntermediateDirectories: true)
    try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: directory + "/oci-layout"))
  }

  /// Stores a blob; returns its descriptor (digest and size).
  @discardableResult
  func blob(_ bytes: [UInt8], mediaType: String) throws -> [String: Any] {
    let digest = sha256(bytes)
    try Data(bytes).write(to: URL(fileURLWithPath: blobPath(digest)))
    return ["mediaType": mediaType, "digest": digest, "size": bytes.count]
  }

  func blobPath(_ digest: String) -> String {
    directory + "/blobs/" + digest.replacingOccurrences(of: ":", with: "/")
  }

  /// Stores a manifest over `layers` (descriptors) and returns its descriptor.
  func manifest(layers: [[String: Any]], mediaType: String = HandLayout.manifestType) throws -> [String: Any] {
    let config = try blob(
      Array(#"{"architecture":"amd64","os":"linux"}"#.utf8), mediaType: "application/vnd.oci.image.config.v1+json")
    let document: [String: Any] = [
      "schemaVersion": 2, "mediaType": mediaType, "config": config, "layers": layers,
    ]
    return try blob(
      Array(try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])), mediaType: mediaType)
  }

  /// Stores an image index over `manifests` (descriptors with platforms).
  func index(_ manifests: [[String: Any]]) throws -> [String: Any] {
    let document: [String: Any] = ["schemaVersion": 2, "mediaType": HandLayout.indexType, "manifests": manifests]
    return try blob(
      Array(try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])),
      mediaType: HandLayout.indexType)
  }

  /// Adds a top-level entry to index.json (with an optional ref name) and rewrites it.
  func add(_ descriptor: [String: Any], ref: String? = nil, annotations: [String: String] = [:]) throws {
    var entry = descriptor
    var notes = annotations
    if let ref { notes["org.opencontainers.image.ref.name"] = ref }
    if !notes.isEmpty { entry["annotations"] = notes }
    entries.append(entry)
    let document: [String: Any] = ["schemaVersion": 2, "manifests": entries]
    try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
      .write(to: URL(fileURLWithPath: directory + "/index.json"))
  }
}

/// Builds a tar of a directory tree written by the test, with GNU tar (hard links become
/// link entries), then compresses it with the `gzip` or `zstd` command.
enum TarMaker {
  enum Compression { case none, gzip, zstd }

  /// `files`: relative path → content (`nil` = directory); `links`: new path → existing path
  /// (hard links); `symlinks`: path → target.
  static func layer(
    files: [(String, [UInt8]?)], links: [(String, String)] = [], symlinks: [(String, String)] = [],
    compression: Compression, scratch: Scratch
  ) throws -> [UInt8] {
    let tree = scratch.path("tree-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
    for (path, content) in files {
      let target = tree + "/" + path
      if let content {
        try FileManager.default.createDirectory(
          atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(content).write(to: URL(fileURLWithPath: target))
      } else {
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
      }
    }
    for (path, existing) in links {
      try FileManager.default.linkItem(atPath: tree + "/" + existing, toPath: tree + "/" + path)
    }
    for (path, target) in symlinks {
      try FileManager.default.createSymbolicLink(atPath: tree + "/" + path, withDestinationPath: target)
    }
    let tar = tree + ".tar"
    try run(["tar", "--sort=name", "--format=gnu", "-C", tree, "-cf", tar, "."])
    switch compression {
    case .none: break
    case .gzip: try run(["gzip", "-n", "-6", tar])
    case .zstd: try run(["zstd", "-q", "--rm", tar])
    }
    let out = tar + (compression == .gzip ? ".gz" : compression == .zstd ? ".zst" : "")
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
  }
}
