import Foundation
import MISModel

/// A layer of an image as its manifest describes it.
struct LayerReference: Sendable, Hashable {
  /// The blob digest (the layer id).
  var digest: Digest
  /// The blob size from the descriptor.
  var size: Int64
}

/// An image found in a layout: its id and its layers, base first.
struct ImageReference: Sendable, Hashable {
  /// The image id (by the annotation rules of ``LayoutReader``).
  var id: String
  /// The layout directory it comes from.
  var layout: String
  /// The manifest digest.
  var manifest: Digest
  /// The layers, base first, each once.
  var layers: [LayerReference]
}

/// Reads an OCI image layout's `index.json` and the manifests (and image indexes) it
/// reaches; verifies the digest and size of every blob it reads.
///
/// Image ids: the `io.containerd.image.name` annotation; else
/// `org.opencontainers.image.ref.name` if it contains `:` or `/`; else `BASENAME:REF`;
/// without a ref name, `BASENAME@DIGEST` (`BASENAME` is the layout directory's name, the
/// annotations those of the descriptor in `index.json`).
struct LayoutReader {
  /// The largest manifest or index blob read (they are small JSON documents).
  static let documentLimit = 16 << 20
  /// How deep image indexes may nest.
  static let nestingLimit = 4

  /// The layout directory as given.
  var layout: String
  /// The platform an image index is followed to.
  var platform: Platform
  /// Notes for the user (e.g. a layer listed twice in one image).
  var warnings: [String] = []

  /// The images of the layout, in `index.json` order.
  mutating func images() throws(ImportError) -> [ImageReference] {
    let marker = readFile("oci-layout")
    guard let marker else {
      throw .notALayout(layout: layout, reason: "no oci-layout file")
    }
    let markerValue = try parse(marker, document: "oci-layout")
    guard case .string(let version)? = markerValue["imageLayoutVersion"] else {
      throw .notALayout(layout: layout, reason: "oci-layout has no imageLayoutVersion")
    }
    guard version.hasPrefix("1.") else {
      throw .notALayout(layout: layout, reason: "unsupported imageLayoutVersion \"\(version)\"")
    }
    guard let indexBytes = readFile("index.json") else {
      throw .notALayout(layout: layout, reason: "no index.json")
    }
    let index = try parse(indexBytes, document: "index.json")
    let descriptors = try manifestDescriptors(of: index, document: "index.json")
    let basename = URL(fileURLWithPath: layout).standardizedFileURL.lastPathComponent
    var result: [ImageReference] = []
    for (i, descriptor) in descriptors.enumerated() {
      let where_ = "index.json manifests[\(i)]"
      let top = try parseDescriptor(descriptor, document: where_)
      let id = imageID(annotations: descriptor["annotations"], basename: basename, digest: top.digest)
      let manifest = try resolveManifest(top, image: id, depth: 0)
      let layers = try layerReferences(of: manifest.value, manifest: manifest.digest, image: id)
      guard !layers.isEmpty else { throw .emptyImage(layout: layout, image: id) }
      result.append(ImageReference(id: id, layout: layout, manifest: manifest.digest, layers: layers))
    }
    return result
  }

  /// The image id of a top-level descriptor.
  func imageID(annotations: JSONValue?, basename: String, digest: Digest) -> String {
    if case .string(let name)? = annotations?["io.containerd.image.name"], !name.isEmpty { return name }
    if case .string(let ref)? = annotations?["org.opencontainers.image.ref.name"], !ref.isEmpty {
      return ref.contains(":") || ref.contains("/") ? ref : "\(basename):\(ref)"
    }
    return "\(basename)@\(digest)"
  }

  // MARK: - Documents

  private struct Descriptor {
    var mediaType: String?
    var digest: Digest
    var size: Int64
    var value: JSONValue
  }

  private func parseDescriptor(_ value: JSONValue, document: String) throws(ImportError) -> Descriptor {
    guard case .object = value else {
      throw .malformedDocument(layout: layout, document: document, reason: "a descriptor must be an object")
    }
    guard case .string(let digestText)? = value["digest"] else {
      throw .malformedDocument(layout: layout, document: document, reason: "descriptor without a \"digest\" string")
    }
    guard let digest = Digest(digestText) else {
      throw .malformedDocument(
        layout: layout, document: document, reason: "unsupported or malformed digest \"\(digestText)\"")
    }
    guard case .number(let size)? = value["size"], size >= 0, size <= 0x1p53, size == size.rounded() else {
      throw .malformedDocument(
        layout: layout, document: document,
        reason: "descriptor \(digest) without a valid \"size\" (non-negative integer)")
    }
    var mediaType: String? = nil
    if case .string(let m)? = value["mediaType"] { mediaType = m }
    return Descriptor(mediaType: mediaType, digest: digest, size: Int64(size), value: value)
  }

  private func manifestDescriptors(of index: JSONValue, document: String) throws(ImportError) -> [JSONValue] {
    guard case .array(let list)? = index["manifests"] else {
      throw .malformedDocument(layout: layout, document: document, reason: "no \"manifests\" array")
    }
    return list
  }

  /// Follows image indexes down to the manifest for the platform.
  private func resolveManifest(_ descriptor: Descriptor, image: String, depth: Int) throws(ImportError) -> (
    digest: Digest, value: JSONValue
  ) {
    let document = try readBlobDocument(descriptor.digest, size: descriptor.size)
    var mediaType = descriptor.mediaType
    if case .string(let m)? = document["mediaType"] { mediaType = mediaType ?? m }
    if mediaType == nil {
      // Neither the descriptor nor the document says: the shape does.
      mediaType =
        document["manifests"] != nil
        ? "application/vnd.oci.image.index.v1+json"
        : "application/vnd.oci.image.manifest.v1+json"
    }
    guard let mediaType else {
      throw .unsupportedMediaType(layout: layout, digest: descriptor.digest.description, mediaType: "(none)")
    }
    if MediaTypes.manifests.contains(mediaType) { return (descriptor.digest, document) }
    guard MediaTypes.indexes.contains(mediaType) else {
      throw .unsupportedMediaType(layout: layout, digest: descriptor.digest.description, mediaType: mediaType)
    }
    guard depth < Self.nestingLimit else {
      throw .malformedDocument(
        layout: layout, document: "blob \(descriptor.digest)",
        reason: "image indexes nest more than \(Self.nestingLimit) deep")
    }
    let entries = try manifestDescriptors(of: document, document: "blob \(descriptor.digest)")
    var available: [String] = []
    for (i, entry) in entries.enumerated() {
      let platform = entry["platform"]
      var os: String? = nil
      var architecture: String? = nil
      var variant: String? = nil
      if case .string(let s)? = platform?["os"] { os = s }
      if case .string(let s)? = platform?["architecture"] { architecture = s }
      if case .string(let s)? = platform?["variant"] { variant = s }
      if let os, let architecture {
        available.append([os, architecture, variant].compactMap { $0 }.joined(separator: "/"))
      }
      if self.platform.matches(os: os, architecture: architecture, variant: variant) {
        let child = try parseDescriptor(entry, document: "blob \(descriptor.digest) manifests[\(i)]")
        return try resolveManifest(child, image: image, depth: depth + 1)
      }
    }
    throw .noMatchingPlatform(layout: layout, image: image, platform: platform.description, available: available)
  }

  private mutating func layerReferences(of manifest: JSONValue, manifest digest: Digest, image: String)
    throws(ImportError) -> [LayerReference]
  {
    let document = "blob \(digest)"
    guard case .array(let layers)? = manifest["layers"] else {
      throw .malformedDocument(layout: layout, document: document, reason: "manifest without a \"layers\" array")
    }
    var result: [LayerReference] = []
    var seen: Set<Digest> = []
    for (i, value) in layers.enumerated() {
      let layer = try parseDescriptor(value, document: "\(document) layers[\(i)]")
      let mediaType = layer.mediaType ?? "(none)"
      guard MediaTypes.layers.contains(mediaType) else {
        throw .unsupportedMediaType(layout: layout, digest: layer.digest.description, mediaType: mediaType)
      }
      guard seen.insert(layer.digest).inserted else {
        warnings.append("\(layout): image \"\(image)\" lists layer \(layer.digest) twice; it counts once")
        continue
      }
      result.append(LayerReference(digest: layer.digest, size: layer.size))
    }
    return result
  }

  // MARK: - Files

  private func readFile(_ name: String) -> [UInt8]? {
    guard let data = FileManager.default.contents(atPath: "\(layout)/\(name)") else { return nil }
    return [UInt8](data)
  }

  private func parse(_ bytes: [UInt8], document: String) throws(ImportError) -> JSONValue {
    var reader = JSONReader(bytes: bytes)
    do {
      let value = try reader.parseDocument()
      guard case .object = value else {
        throw ImportError.malformedDocument(layout: layout, document: document, reason: "must be a JSON object")
      }
      return value
    } catch let error as JSONReader.SyntaxError {
      throw .malformedDocument(
        layout: layout, document: document,
        reason: "malformed JSON at line \(error.line), column \(error.column): \(error.message)")
    } catch let error as ImportError {
      throw error
    } catch {
      throw .malformedDocument(layout: layout, document: document, reason: "\(error)")
    }
  }

  /// Reads a small blob whole, checking its size and digest.
  private func readBlobDocument(_ digest: Digest, size: Int64) throws(ImportError) -> JSONValue {
    let blob: BlobFile
    do throws(BlobFileError) {
      blob = try BlobFile(path: digest.path(in: layout), hasher: digest.makeHasher())
    } catch {
      switch error {
      case .missing: throw .missingBlob(layout: layout, digest: digest.description)
      case .unreadable(let reason): throw .io(path: digest.path(in: layout), reason: reason)
      }
    }
    guard let length = blob.length() else {
      throw .io(path: digest.path(in: layout), reason: "cannot stat")
    }
    guard length == size else {
      throw .sizeMismatch(layout: layout, digest: digest.description, expected: size, actual: length)
    }
    guard length <= Int64(Self.documentLimit) else {
      throw .malformedDocument(
        layout: layout, document: "blob \(digest)",
        reason: "a manifest or index larger than \(Self.documentLimit) bytes")
    }
    guard let bytes = blob.readAll(limit: Self.documentLimit) else {
      throw .io(path: digest.path(in: layout), reason: blob.failure ?? "read error")
    }
    let actual = blob.digestHex()
    guard actual == digest.hex else {
      throw .digestMismatch(layout: layout, digest: digest.description, actual: "\(digest.algorithm):\(actual)")
    }
    return try parse(bytes, document: "blob \(digest)")
  }
}
