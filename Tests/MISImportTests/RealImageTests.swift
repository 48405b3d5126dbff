import Foundation
import MISImport
import MISModel
import Testing

/// Real OCI layouts that umoci and skopeo built from Debian packages of two releases
/// (scripts/build-import-fixtures.sh), read by the importer and by an independent reader
/// (`sha256sum` of each blob, `tar -x` of each layer, `find` + `sha256sum` of its files).
@Suite("import of real images", .enabled(if: RealFixtures.available, "real-image fixtures not built"))
struct RealImageTests {
  static let layoutNames = ["bookworm", "trixie", "docker", "zstd"]

  var layouts: [String] {
    guard let root = RealFixtures.layouts else { return [] }
    return Self.layoutNames.map { root.appendingPathComponent($0).path }
  }

  /// What the independent reader finds in one layer blob.
  struct Expected: Equatable {
    var digest: String
    var size: Int64
    /// content id → size, over the layer's regular files of non-zero size, whiteouts excluded.
    var files: [String: Int64]
  }

  /// `sha256sum`, `stat` and `tar -x` + `find` + `sha256sum` on one blob.
  func independentRead(_ blob: String, scratch: Scratch) throws -> Expected {
    let digest = "sha256:" + String(try run(["sha256sum", blob]).text.prefix(64))
    let size = Int64(try run(["stat", "-c", "%s", blob]).text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    let target = scratch.path("x-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    try run(["tar", "--no-same-owner", "-xf", blob, "-C", target])
    let listing = try run(
      [
        "sh", "-c",
        "find . -type f -size +0c ! -name '.wh.*' -print0 | xargs -0 -r sha256sum | sort; echo ===; "
          + "find . -type f -size +0c ! -name '.wh.*' -printf '%s %p\\n'",
      ], in: target
    ).text
    let parts = listing.components(separatedBy: "===\n")
    var sizeOfPath: [String: Int64] = [:]
    for line in parts[1].split(separator: "\n") {
      let fields = line.split(separator: " ", maxSplits: 1)
      sizeOfPath[String(fields[1])] = Int64(fields[0])
    }
    var files: [String: Int64] = [:]
    for line in parts[0].split(separator: "\n") {
      let hash = String(line.prefix(64))
      let path = String(line.dropFirst(66))
      files["sha256:" + hash] = sizeOfPath[path]
    }
    return Expected(digest: digest, size: size, files: files)
  }

  /// Layers of every image, from the JSON documents, by Foundation's JSON parser.
  func manifestLayers(_ layout: String) throws -> [(ref: String, layers: [(digest: String, size: Int64)])] {
    func object(_ path: String) throws -> [String: Any] {
      try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }
    let index = try object(layout + "/index.json")
    var result: [(String, [(String, Int64)])] = []
    for entry in try #require(index["manifests"] as? [[String: Any]]) {
      let ref = try #require((entry["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"])
      let digest = try #require(entry["digest"] as? String)
      let manifest = try object(layout + "/blobs/sha256/" + digest.dropFirst(7))
      let layers = try #require(manifest["layers"] as? [[String: Any]]).map {
        ($0["digest"] as? String ?? "", Int64($0["size"] as? Int ?? -1))
      }
      result.append((ref, layers))
    }
    return result
  }

  @Test("layers, digests, sizes, file ids and per-layer file bytes agree with tar + sha256sum")
  func agreesWithIndependentReader() throws {
    let scratch = try Scratch()
    let images = try ImageImporter().read(layouts: layouts)
    let layerByID = Dictionary(uniqueKeysWithValues: images.layers.map { ($0.id, $0) })
    let fileSize = Dictionary(uniqueKeysWithValues: images.files.map { ($0.id, $0.sizeBytes) })
    #expect(Set(images.files.map(\.id)).count == images.files.count)

    var expectedImages: [(id: String, layers: [String])] = []
    var checked: Set<String> = []
    for (name, layout) in zip(Self.layoutNames, layouts) {
      for (ref, layers) in try manifestLayers(layout) {
        expectedImages.append(("\(name):\(ref)", layers.map(\.digest)))
        for (digest, size) in layers where checked.insert(digest).inserted {
          let expected = try independentRead(layout + "/blobs/sha256/" + digest.dropFirst(7), scratch: scratch)
          #expect(expected.digest == digest, "blob of \(digest) in \(name)")
          #expect(expected.size == size)
          let layer = try #require(layerByID[digest], "layer \(digest) of \(name):\(ref) not imported")
          #expect(layer.sizeBytes == size)
          #expect(layer.files.count == Set(layer.files).count, "files listed once per layer")
          var got: [String: Int64] = [:]
          for id in layer.files { got[id] = fileSize[id] }
          #expect(got == expected.files, "files of \(digest) (\(name):\(ref))")
          #expect(got.values.reduce(0, +) == expected.files.values.reduce(0, +), "file bytes of \(digest)")
        }
      }
    }
    #expect(images.images.map(\.id) == expectedImages.map(\.id))
    #expect(images.images.map(\.layers) == expectedImages.map(\.layers))
    #expect(Set(images.layers.map(\.id)) == checked)
    #expect(images.layers.count == checked.count)
  }

  @Test("the rebuilt variant has new layer digests and the same files; Docker and zstd copies read alike")
  func variants() throws {
    let images = try ImageImporter().read(layouts: layouts)
    func image(_ id: String) throws -> ImportedImage { try #require(images.images.first { $0.id == id }, "\(id)") }
    func files(_ layer: String) -> [String] { images.layers.first { $0.id == layer }?.files ?? [] }
    let hello = try image("bookworm:hello")
    let rebuilt = try image("bookworm:hello-rebuilt")
    let base = try image("bookworm:base")
    #expect(hello.layers[0] == base.layers[0] && rebuilt.layers[0] == base.layers[0], "shared base layer")
    #expect(hello.layers[1] != rebuilt.layers[1], "a rebuild makes a new layer digest")
    #expect(Set(files(hello.layers[1])) == Set(files(rebuilt.layers[1])), "… with the same files")
    #expect(!files(hello.layers[1]).isEmpty)
    #expect(try image("docker:hello").layers == hello.layers)
    let trixie = try image("trixie:hello")
    let zstd = try image("zstd:hello")
    #expect(zstd.layers != trixie.layers, "zstd blobs are new blobs")
    #expect(zip(zstd.layers, trixie.layers).allSatisfy { Set(files($0)) == Set(files($1)) })
    // Two releases: different busybox builds, so different base files.
    #expect(Set(files(base.layers[0])) != Set(files(trixie.layers[0])))
  }

  @Test("each distinct blob is read once, and the worker count does not change the result")
  func readOnceDeterministic() throws {
    let serial = try ImageImporter(options: ImportOptions(parallelism: 1)).read(layouts: layouts)
    let parallel = try ImageImporter(options: ImportOptions(parallelism: 3)).read(layouts: layouts)
    #expect(serial == parallel)
    #expect(serial.blobBytes == serial.layers.reduce(0) { $0 + $1.sizeBytes })
    #expect(serial.images.count == 7 && serial.layers.count < serial.images.reduce(0) { $0 + $1.layers.count })
  }

  @Test("gzip sizes of real files match zlib's gzip level 6")
  func gzipSizes() throws {
    let scratch = try Scratch()
    let layout = try #require(layouts.last)  // zstd: the blob codec does not matter
    let images = try ImageImporter(options: ImportOptions(fileSize: .gzip)).read(layouts: [layout])
    let raw = try ImageImporter().read(layouts: [layout])
    #expect(images.files.map(\.id) == raw.files.map(\.id))
    let target = scratch.path("x")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    for layer in try manifestLayers(layout)[0].layers {
      try run(["tar", "--no-same-owner", "-xf", layout + "/blobs/sha256/" + layer.digest.dropFirst(7), "-C", target])
    }
    let script = """
      import hashlib, os, sys, zlib
      for d, _, names in os.walk(sys.argv[1]):
          for n in names:
              p = os.path.join(d, n)
              if os.path.islink(p) or n.startswith('.wh.'): continue
              b = open(p, 'rb').read()
              if not b: continue
              c = zlib.compressobj(6, zlib.DEFLATED, 31)
              print('sha256:' + hashlib.sha256(b).hexdigest(), len(c.compress(b) + c.flush()))
      """
    var expected: [String: Int64] = [:]
    for line in try run(["python3", "-c", script, target]).text.split(separator: "\n") {
      let fields = line.split(separator: " ")
      expected[String(fields[0])] = Int64(fields[1])
    }
    let got = Dictionary(uniqueKeysWithValues: images.files.map { ($0.id, $0.sizeBytes) })
    #expect(got == expected)
  }
}
