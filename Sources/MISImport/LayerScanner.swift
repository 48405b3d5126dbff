import Crypto

/// One file of a layer: its content id and size.
struct ScannedFile: Sendable, Hashable {
  /// `sha256:` + the hex SHA-256 of the content.
  var id: String
  /// The content length or its gzip length (by the import's ``FileSizeMode``).
  var sizeBytes: Int64
}

/// What one layer blob holds.
struct LayerScan: Sendable {
  /// The layer's distinct files, in the order of their first entry in the tar.
  var files: [ScannedFile]
  /// Bytes of the blob read (compressed).
  var blobBytes: Int64
  /// Bytes of file content hashed (uncompressed, each tar entry once).
  var contentBytes: Int64
}

/// Reads one layer blob: verifies its size and digest, streams its tar, hashes every
/// regular file's content, resolves hard links, skips whiteouts.
///
/// Memory: one 1 MiB read buffer, libarchive's decompression state, and one entry per
/// path of the layer (path → content id); never a file's or the layer's bytes.
struct LayerScanner {
  /// How file sizes are measured.
  var fileSize: FileSizeMode

  /// Scans `digest`'s blob in `layout`, whose descriptor says `expectedSize` bytes.
  func scan(layout: String, digest: Digest, expectedSize: Int64) throws(ImportError) -> LayerScan {
    let blob: BlobFile
    do throws(BlobFileError) {
      blob = try BlobFile(path: digest.path(in: layout), hasher: digest.makeHasher())
    } catch {
      switch error {
      case .missing: throw .missingBlob(layout: layout, digest: digest.description)
      case .unreadable(let reason): throw .io(path: digest.path(in: layout), reason: reason)
      }
    }
    if let length = blob.length(), length != expectedSize {
      throw .sizeMismatch(layout: layout, digest: digest.description, expected: expectedSize, actual: length)
    }
    var result: LayerScan
    do throws(TarStreamError) {
      result = try read(blob)
    } catch {
      // A corrupt stream may really be a damaged blob: the digest says which.
      if blob.drain(), blob.digestHex() != digest.hex {
        throw .digestMismatch(
          layout: layout, digest: digest.description, actual: "\(digest.algorithm):\(blob.digestHex())")
      }
      throw .unreadableLayer(layout: layout, digest: digest.description, reason: error.message)
    }
    guard blob.drain() else {
      throw .io(path: digest.path(in: layout), reason: blob.failure ?? "read error")
    }
    if blob.bytesRead != expectedSize {
      throw .sizeMismatch(layout: layout, digest: digest.description, expected: expectedSize, actual: blob.bytesRead)
    }
    let actual = blob.digestHex()
    guard actual == digest.hex else {
      throw .digestMismatch(layout: layout, digest: digest.description, actual: "\(digest.algorithm):\(actual)")
    }
    result.blobBytes = blob.bytesRead
    return result
  }

  /// Streams the tar. Paths map to the content they hold when the layer is unpacked (a
  /// later entry for the same path replaces an earlier one, as `tar -x` does).
  private func read(_ blob: BlobFile) throws(TarStreamError) -> LayerScan {
    let tar = try TarStream(source: blob)
    let gzip = fileSize == .gzip ? GzipSizeCounter() : nil
    if fileSize == .gzip && gzip == nil { throw TarStreamError(message: "zlib could not allocate a compressor") }
    var order: [String] = []
    var content: [String: ScannedFile?] = [:]
    var contentBytes: Int64 = 0
    while let entry = try tar.next() {
      if entry.path.isEmpty { continue }
      let name = entry.path.split(separator: "/").last.map(String.init) ?? entry.path
      if name.hasPrefix(".wh.") { continue }  // whiteouts (and opaque markers) act on lower layers only
      var file: ScannedFile? = nil
      switch entry.kind {
      case .other:
        file = nil
      case .regular, .hardLink:
        var hasher = SHA256()
        gzip?.reset()
        let length = try tar.readContent { bytes in
          hasher.update(bufferPointer: bytes)
          gzip?.update(bytes)
        }
        contentBytes += length
        if length > 0 {
          let size = gzip?.finish() ?? length
          file = ScannedFile(id: "sha256:" + hexString(hasher.finalize()), sizeBytes: size)
        } else if case .hardLink(let target) = entry.kind {
          // A hard link holds its target's content.
          file = content[target] ?? nil
        }
      }
      if content.updateValue(file, forKey: entry.path) == nil { order.append(entry.path) }
    }
    var seen: Set<String> = []
    var files: [ScannedFile] = []
    for path in order {
      guard let entry = content[path], let file = entry else { continue }
      if seen.insert(file.id).inserted { files.append(file) }
    }
    return LayerScan(files: files, blobBytes: 0, contentBytes: contentBytes)
  }
}
