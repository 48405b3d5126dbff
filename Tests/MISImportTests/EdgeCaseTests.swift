import Foundation
import MISImport
import MISModel
import Testing

/// Hand-made layouts and tars (built with Foundation, GNU tar, gzip and zstd — no
/// libarchive) for the cases real images rarely show: whiteouts, hard links, compression
/// kinds, broken blobs, image indexes, id rules, bad demand rows.
@Suite("import edge cases")
struct EdgeCaseTests {
  let a = Array("alpha content\n".utf8)
  let b = Array(String(repeating: "bravo ", count: 1000).utf8)

  func importOne(_ layout: HandLayout, options: ImportOptions = ImportOptions()) throws(ImportError) -> ImportedImages {
    try ImageImporter(options: options).read(layouts: [layout.directory])
  }

  @Test("whiteouts, empty files, directories and symlinks are not files; hard links and repeated content are one file")
  func entryKinds() throws {
    let scratch = try Scratch()
    let layout = try HandLayout(scratch.path("kinds"))
    let tar = try TarMaker.layer(
      files: [
        ("etc/a", a), ("etc/copy-of-a", a), ("usr/b", b), ("usr/empty", []), ("var/.wh.gone", Array("x".utf8)),
        ("opt/.wh..wh..opq", Array("y".utf8)), ("srv", nil),
      ],
      links: [("usr/b-link", "usr/b")], symlinks: [("etc/link", "a")], compression: .gzip, scratch: scratch)
    let layer = try layout.blob(tar, mediaType: HandLayout.gzipLayer)
    try layout.add(try layout.manifest(layers: [layer]), ref: "v1")
    let images = try importOne(layout)
    #expect(images.layers.count == 1)
    #expect(Set(images.layers[0].files) == [sha256(a), sha256(b)])
    #expect(images.layers[0].files.count == 2)
    #expect(images.files.map(\.sizeBytes).sorted() == [Int64(a.count), Int64(b.count)])
    #expect(images.layers[0].id == layer["digest"] as? String)
    #expect(images.layers[0].sizeBytes == Int64(tar.count))
    #expect(images.images.map(\.id) == ["kinds:v1"])
  }

  @Test("gzip, zstd and uncompressed layers read alike")
  func compressions() throws {
    let scratch = try Scratch()
    let layout = try HandLayout(scratch.path("kinds"))
    var layers: [[String: Any]] = []
    for (i, (compression, type)) in [
      (TarMaker.Compression.gzip, HandLayout.gzipLayer), (.zstd, HandLayout.zstdLayer), (.none, HandLayout.tarLayer),
    ].enumerated() {
      let tar = try TarMaker.layer(
        files: [("f\(i)", a + Array("\(i)".utf8)), ("shared", b)], compression: compression, scratch: scratch)
      layers.append(try layout.blob(tar, mediaType: type))
    }
    try layout.add(try layout.manifest(layers: layers), ref: "x")
    let images = try importOne(layout)
    #expect(images.layers.count == 3)
    for (i, layer) in images.layers.enumerated() {
      #expect(Set(layer.files) == [sha256(a + Array("\(i)".utf8)), sha256(b)])
    }
    #expect(images.files.count == 4)  // `shared` is one file across the three layers
  }

  @Test("gzip file sizes are zlib level-6 gzip lengths")
  func gzipSizes() throws {
    let scratch = try Scratch()
    let layout = try HandLayout(scratch.path("g"))
    let tar = try TarMaker.layer(files: [("b", b)], compression: .gzip, scratch: scratch)
    try layout.add(try layout.manifest(layers: [try layout.blob(tar, mediaType: HandLayout.gzipLayer)]), ref: "1")
    let images = try importOne(layout, options: ImportOptions(fileSize: .gzip))
    let file = try scratch.write("b.raw", b)
    let expected = try run([
      "python3", "-c",
      "import sys,zlib;c=zlib.compressobj(6,zlib.DEFLATED,31);d=open(sys.argv[1],'rb').read();"
        + "print(len(c.compress(d)+c.flush()))", file,
    ]).text.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(images.files.map(\.sizeBytes) == [Int64(expected) ?? -1])
    #expect(images.files[0].sizeBytes < Int64(b.count))
  }

  // MARK: Broken blobs

  /// A layout with one gzip layer; returns it and the layer's descriptor.
  func oneLayer(_ scratch: Scratch, name: String = "broken") throws -> (HandLayout, [String: Any], [UInt8]) {
    let layout = try HandLayout(scratch.path(name))
    let tar = try TarMaker.layer(files: [("a", a), ("b", b)], compression: .gzip, scratch: scratch)
    let layer = try layout.blob(tar, mediaType: HandLayout.gzipLayer)
    try layout.add(try layout.manifest(layers: [layer]), ref: "1")
    return (layout, layer, tar)
  }

  @Test("a missing layer blob names the layout and digest")
  func missingBlob() throws {
    let scratch = try Scratch()
    let (layout, layer, _) = try oneLayer(scratch)
    let digest = try #require(layer["digest"] as? String)
    try FileManager.default.removeItem(atPath: layout.blobPath(digest))
    #expect(throws: ImportError.missingBlob(layout: layout.directory, digest: digest)) { try importOne(layout) }
  }

  @Test("a truncated blob is a size mismatch; a truncated tar with its own digest is unreadable")
  func truncated() throws {
    let scratch = try Scratch()
    let (layout, layer, tar) = try oneLayer(scratch)
    let digest = try #require(layer["digest"] as? String)
    try Data(tar.prefix(tar.count / 2)).write(to: URL(fileURLWithPath: layout.blobPath(digest)))
    #expect(
      throws: ImportError.sizeMismatch(
        layout: layout.directory, digest: digest, expected: Int64(tar.count), actual: Int64(tar.count / 2))
    ) { try importOne(layout) }

    // The descriptor agrees with the truncated bytes: only the tar stream can tell.
    let other = try HandLayout(scratch.path("cut"))
    let cut = try other.blob(Array(tar.prefix(tar.count / 2)), mediaType: HandLayout.gzipLayer)
    try other.add(try other.manifest(layers: [cut]), ref: "1")
    do {
      _ = try importOne(other)
      Issue.record("a truncated tar was accepted")
    } catch {
      guard case .unreadableLayer(let where_, let which, _) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(where_ == other.directory)
      #expect(which == cut["digest"] as? String)
      #expect(error.description.contains(which))
    }
  }

  @Test("a changed byte is a digest mismatch")
  func wrongDigest() throws {
    let scratch = try Scratch()
    let (layout, layer, tar) = try oneLayer(scratch)
    let digest = try #require(layer["digest"] as? String)
    var damaged = tar
    damaged[damaged.count - 3] ^= 0xff  // the gzip trailer: the tar still reads
    try Data(damaged).write(to: URL(fileURLWithPath: layout.blobPath(digest)))
    do {
      _ = try importOne(layout)
      Issue.record("a damaged blob was accepted")
    } catch {
      guard case .digestMismatch(let where_, let which, let actual) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(where_ == layout.directory && which == digest && actual == sha256(damaged))
    }
  }

  @Test("a damaged manifest blob is a digest mismatch too")
  func damagedManifest() throws {
    let scratch = try Scratch()
    let layout = try HandLayout(scratch.path("m"))
    let tar = try TarMaker.layer(files: [("a", a)], compression: .gzip, scratch: scratch)
    let manifest = try layout.manifest(layers: [try layout.blob(tar, mediaType: HandLayout.gzipLayer)])
    try layout.add(manifest, ref: "1")
    let digest = try #require(manifest["digest"] as? String)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: layout.blobPath(digest))))
    bytes[bytes.count - 1] = UInt8(ascii: " ")
    try Data(bytes).write(to: URL(fileURLWithPath: layout.blobPath(digest)))
    #expect(throws: ImportError.digestMismatch(layout: layout.directory, digest: digest, actual: sha256(bytes))) {
      try importOne(layout)
    }
  }

  @Test("not a layout, malformed index, unsupported media type")
  func notALayout() throws {
    let scratch = try Scratch()
    let empty = scratch.path("empty")
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    #expect(throws: ImportError.notALayout(layout: empty, reason: "no oci-layout file")) {
      try ImageImporter().read(layouts: [empty])
    }
    let layout = try HandLayout(scratch.path("bad"))
    try scratch.write("bad/index.json", "{\"manifests\": [")
    do {
      _ = try importOne(layout)
      Issue.record("accepted a malformed index.json")
    } catch {
      guard case .malformedDocument(_, "index.json", let reason) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(reason.contains("line 1"))
    }
    let odd = try HandLayout(scratch.path("odd"))
    let blob = try odd.blob(a, mediaType: "application/vnd.example.thing")
    let manifest = try odd.manifest(layers: [blob])
    try odd.add(manifest, ref: "1")
    #expect(
      throws: ImportError.unsupportedMediaType(
        layout: odd.directory, digest: blob["digest"] as? String ?? "", mediaType: "application/vnd.example.thing")
    ) { try importOne(odd) }
    let traversal = try HandLayout(scratch.path("trav"))
    try traversal.add(["mediaType": HandLayout.manifestType, "digest": "sha256:../../etc/passwd", "size": 3], ref: "1")
    do {
      _ = try importOne(traversal)
      Issue.record("accepted a malformed digest")
    } catch {
      #expect(error.description.contains("malformed digest"))
    }
  }

  // MARK: Indexes and ids

  @Test("an image index is followed to the manifest of the platform")
  func platforms() throws {
    let scratch = try Scratch()
    let layout = try HandLayout(scratch.path("multi"))
    func image(_ content: [UInt8]) throws -> [String: Any] {
      let tar = try TarMaker.layer(files: [("f", content)], compression: .gzip, scratch: scratch)
      return try layout.manifest(layers: [try layout.blob(tar, mediaType: HandLayout.gzipLayer)])
    }
    var amd = try image(a)
    amd["platform"] = ["os": "linux", "architecture": "amd64"]
    var arm = try image(b)
    arm["platform"] = ["os": "linux", "architecture": "arm64", "variant": "v8"]
    var attestation = try image(Array("attest".utf8))
    attestation["platform"] = ["os": "unknown", "architecture": "unknown"]
    let index = try layout.index([attestation, arm, amd])
    try layout.add(index, ref: "multi-arch:1.0")

    let images = try importOne(layout)
    #expect(images.images.map(\.id) == ["multi-arch:1.0"])
    #expect(images.layers.flatMap(\.files) == [sha256(a)])
    #expect(images.images[0].manifestDigest == amd["digest"] as? String)

    let armImages = try importOne(layout, options: ImportOptions(platform: try Platform(parsing: "linux/arm64")))
    #expect(armImages.layers.flatMap(\.files) == [sha256(b)])
    let v8 = try importOne(layout, options: ImportOptions(platform: try Platform(parsing: "linux/arm64/v8")))
    #expect(v8.layers.flatMap(\.files) == [sha256(b)])

    #expect(
      throws: ImportError.noMatchingPlatform(
        layout: layout.directory, image: "multi-arch:1.0", platform: "linux/s390x",
        available: ["unknown/unknown", "linux/arm64/v8", "linux/amd64"])
    ) { try importOne(layout, options: ImportOptions(platform: Platform(os: "linux", architecture: "s390x"))) }
    #expect(throws: ImportError.invalidOptions(reason: "platform \"linux\" is not OS/ARCH or OS/ARCH/VARIANT")) {
      try Platform(parsing: "linux")
    }
  }

  @Test("image ids follow the annotation rules")
  func imageIDs() throws {
    let scratch = try Scratch()
    let layout = try HandLayout(scratch.path("apps"))
    let tar = try TarMaker.layer(files: [("a", a)], compression: .gzip, scratch: scratch)
    let layer = try layout.blob(tar, mediaType: HandLayout.gzipLayer)
    let manifest = try layout.manifest(layers: [layer, layer])
    try layout.add(manifest, ref: "1.0", annotations: ["io.containerd.image.name": "docker.io/library/app:1.0"])
    try layout.add(manifest, ref: "registry.example/app:2.0")
    try layout.add(manifest, ref: "plain")
    try layout.add(manifest)
    let images = try importOne(layout)
    let digest = try #require(manifest["digest"] as? String)
    #expect(
      images.images.map(\.id) == [
        "docker.io/library/app:1.0", "registry.example/app:2.0", "apps:plain", "apps@\(digest)",
      ])
    #expect(images.images.allSatisfy { $0.layers == [layer["digest"] as? String ?? ""] })  // the repeat counts once
    #expect(images.layers.count == 1)
    #expect(!images.warnings.isEmpty)

    try layout.add(manifest, ref: "plain")
    #expect(
      throws: ImportError.duplicateImage(id: "apps:plain", layout: layout.directory, previousLayout: layout.directory)
    ) {
      try importOne(layout)
    }
  }

  // MARK: Fleet and demand

  @Test("demand rows must name a fleet node and an imported image, with pulls ≥ 0")
  func demandRows() throws {
    let nodes: Set<String> = ["site-1", "site-2"]
    let images: Set<String> = ["app:1", "app:2"]
    let good = try DemandReader.parse(
      "node,image,pulls\r\nsite-1,app:1,3\n\nsite-2,\"app:2\",0.5\nsite-1,app:1,2\n", path: "d.csv", nodes: nodes,
      images: images)
    #expect(good.map(\.pulls) == [3, 0.5, 2])
    let cases: [(String, Int, String)] = [
      ("node,image,pulls\nsite-1,app:3,1\n", 2, "image \"app:3\""),
      ("node,image,pulls\nsite-1,app:1,1\nsite-9,app:1,1\n", 3, "node \"site-9\""),
      ("node,image,pulls\nsite-1,app:1,-1\n", 2, "pulls \"-1\""),
      ("node,image,pulls\nsite-1,app:1,many\n", 2, "pulls \"many\""),
      ("node,image,pulls\nsite-1,app:1\n", 2, "expected 3 fields"),
      ("node,img,pulls\n", 1, "header"),
      ("", 1, "empty"),
      ("node,image,pulls\nsite-1,\"app:1,1\n", 2, "unterminated"),
    ]
    for (text, line, needle) in cases {
      do {
        _ = try DemandReader.parse(text, path: "d.csv", nodes: nodes, images: images)
        Issue.record("accepted \(text)")
      } catch {
        guard case .demand("d.csv", let l, let reason) = error else {
          Issue.record("unexpected \(error)")
          continue
        }
        #expect(l == line, "\(text)")
        #expect(reason.contains(needle), "\(reason)")
      }
    }
  }

  @Test("the fleet's own files, layers, images and demands are ignored with a warning; a bad fleet names the field")
  func fleet() throws {
    let withExtras = fleetJSON.replacingOccurrences(
      of: "\"name\": \"test-fleet\",",
      with: "\"name\": \"test-fleet\", \"images\": [ { \"id\": \"x\", \"layers\": [\"nope\"] } ], \"demands\": 3,")
    let (fleet, warnings) = try FleetReader.decode(Array(withExtras.utf8), path: "f.json")
    #expect(fleet.registries.count == 2 && fleet.images.isEmpty)
    #expect(warnings.count == 2)
    let bad = fleetJSON.replacingOccurrences(of: "\"capacityBytes\": 3000000", with: "\"capacityBytes\": -1")
    do {
      _ = try FleetReader.decode(Array(bad.utf8), path: "f.json")
      Issue.record("accepted a negative capacity")
    } catch {
      #expect(error.description.contains("edge-a") && error.description.contains("capacityBytes"))
    }
  }
}
