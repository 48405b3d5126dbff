import Dispatch
import Foundation
import Synchronization

/// A file of the imported images: content id and size.
public struct ImportedFile: Sendable, Hashable {
  /// `sha256:` + the hex SHA-256 of the content.
  public var id: String
  /// The content length, or its gzip length (``FileSizeMode``).
  public var sizeBytes: Int64
}

/// A layer of the imported images.
public struct ImportedLayer: Sendable, Hashable {
  /// The layer descriptor's digest, e.g. `sha256:…`.
  public var id: String
  /// The descriptor's size: the compressed blob a registry stores.
  public var sizeBytes: Int64
  /// The ids of its distinct regular files of non-zero size, in tar order.
  public var files: [String]
  /// The uncompressed bytes of file content in the layer's tar (each entry once).
  public var contentBytes: Int64
}

/// An imported image.
public struct ImportedImage: Sendable, Hashable {
  /// The image id (see ``ImageImporter`` for the rules).
  public var id: String
  /// The layout directory it was read from.
  public var layout: String
  /// The manifest's digest.
  public var manifestDigest: String
  /// Its layer ids, base first.
  public var layers: [String]
}

/// Everything read from a set of OCI image layouts, in a deterministic order: images in
/// the order of the layouts and of their `index.json`; layers and files in order of first
/// appearance.
public struct ImportedImages: Sendable, Hashable {
  /// The images.
  public var images: [ImportedImage]
  /// The distinct layers.
  public var layers: [ImportedLayer]
  /// The distinct files (identical content anywhere is one file).
  public var files: [ImportedFile]
  /// Notes for the user (nothing fatal).
  public var warnings: [String]
  /// Blob bytes read for the layers (each distinct blob once).
  public var blobBytes: Int64
  /// File-content bytes hashed.
  public var contentBytes: Int64
}

/// Progress of an import, reported after each layer.
public struct ImportProgress: Sendable, Hashable {
  /// Layers finished so far.
  public var layersDone: Int
  /// Distinct layers to read.
  public var layersTotal: Int
  /// The layer just finished.
  public var layer: String
  /// Compressed blob bytes read so far.
  public var blobBytesDone: Int64
  /// Compressed blob bytes to read in all.
  public var blobBytesTotal: Int64
  /// Seconds since the layers started.
  public var seconds: Double
}

/// Reads container images from OCI image layouts into the model's files, layers and
/// images.
///
/// ```swift
/// let importer = ImageImporter(options: ImportOptions(fileSize: .raw))
/// let images = try importer.read(layouts: ["/tmp/busybox-oci"])
/// print(images.layers.count, images.files.count)
/// ```
///
/// What is read (see `Docs/import.md`): every image manifest reachable from each layout's
/// `index.json` (an image index is followed to the manifest for the platform); OCI and
/// Docker schema-2 media types; gzip, zstd and uncompressed layers. Image id: the
/// `io.containerd.image.name` annotation; else `org.opencontainers.image.ref.name` if it
/// contains `:` or `/`; else `BASENAME:REF` (`BASENAME` the layout directory's name);
/// `BASENAME@DIGEST` without a ref name. Layer id and size: the descriptor's digest and
/// size. Files: the regular files of non-zero size, whiteouts excluded, hard links
/// resolved, identified by the SHA-256 of their content, listed once per layer.
///
/// Every blob's size and digest is verified as it streams. Each distinct layer blob is
/// read once, however many images share it; layers are read in parallel by
/// ``ImportOptions/parallelism`` workers, each holding one layer in flight (a 1 MiB read
/// buffer and the layer's path table, never a layer's or a file's bytes).
public struct ImageImporter: Sendable {
  /// The options.
  public var options: ImportOptions

  /// An importer with `options`.
  public init(options: ImportOptions = ImportOptions()) {
    self.options = options
  }

  /// Reads every image of `layouts`.
  ///
  /// - Parameters:
  ///   - layouts: OCI image-layout directories.
  ///   - progress: called (from worker threads) after each layer.
  /// - Throws: ``ImportError`` naming the layout and blob of the first problem met.
  /// - Complexity: one pass over each distinct layer blob.
  public func read(layouts: [String], progress: (@Sendable (ImportProgress) -> Void)? = nil) throws(ImportError)
    -> ImportedImages
  {
    if let p = options.parallelism, p < 1 {
      throw .invalidOptions(reason: "parallelism must be at least 1, got \(p)")
    }
    var warnings: [String] = []
    var references: [ImageReference] = []
    var owner: [String: String] = [:]
    for layout in layouts {
      var reader = LayoutReader(layout: layout, platform: options.platform)
      let images = try reader.images()
      warnings += reader.warnings
      for image in images {
        if let previous = owner[image.id] {
          throw .duplicateImage(id: image.id, layout: layout, previousLayout: previous)
        }
        owner[image.id] = layout
        references.append(image)
      }
    }
    // Distinct layers in order of first appearance; the first layout that lists one is
    // where its blob is read.
    var jobs: [(layout: String, layer: LayerReference)] = []
    var position: [Digest: Int] = [:]
    for image in references {
      for layer in image.layers {
        if let i = position[layer.digest] {
          if jobs[i].layer.size != layer.size {
            throw .malformedDocument(
              layout: image.layout, document: "manifest \(image.manifest)",
              reason: "layer \(layer.digest) has size \(layer.size) here but \(jobs[i].layer.size) in \(jobs[i].layout)"
            )
          }
          continue
        }
        position[layer.digest] = jobs.count
        jobs.append((image.layout, layer))
      }
    }
    let scans = try scanAll(jobs, progress: progress)
    var layers: [ImportedLayer] = []
    var files: [ImportedFile] = []
    var seenFiles: Set<String> = []
    var blobBytes: Int64 = 0
    var contentBytes: Int64 = 0
    for (job, scan) in zip(jobs, scans) {
      for file in scan.files where seenFiles.insert(file.id).inserted {
        files.append(ImportedFile(id: file.id, sizeBytes: file.sizeBytes))
      }
      layers.append(
        ImportedLayer(
          id: job.layer.digest.description, sizeBytes: job.layer.size, files: scan.files.map(\.id),
          contentBytes: scan.contentBytes))
      blobBytes += scan.blobBytes
      contentBytes += scan.contentBytes
    }
    let images = references.map {
      ImportedImage(
        id: $0.id, layout: $0.layout, manifestDigest: $0.manifest.description,
        layers: $0.layers.map { $0.digest.description })
    }
    return ImportedImages(
      images: images, layers: layers, files: files, warnings: warnings, blobBytes: blobBytes,
      contentBytes: contentBytes)
  }

  /// Scans every job with a bounded pool of workers; results by job index. On failure the
  /// workers stop taking jobs, and the error of the lowest-numbered failed job is thrown.
  private func scanAll(
    _ jobs: [(layout: String, layer: LayerReference)], progress: (@Sendable (ImportProgress) -> Void)?
  ) throws(ImportError) -> [LayerScan] {
    guard !jobs.isEmpty else { return [] }
    let workers = max(1, min(options.parallelism ?? ProcessInfo.processInfo.activeProcessorCount, jobs.count))
    let totalBytes = jobs.reduce(Int64(0)) { $0 + $1.layer.size }
    let board = ScanBoard(count: jobs.count)
    let scanner = LayerScanner(fileSize: options.fileSize)
    let start = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      while let i = board.claim() {
        let job = jobs[i]
        let outcome: Result<LayerScan, ImportError>
        do throws(ImportError) {
          outcome = .success(
            try scanner.scan(layout: job.layout, digest: job.layer.digest, expectedSize: job.layer.size))
        } catch {
          outcome = .failure(error)
        }
        let done = board.finish(i, outcome, bytes: job.layer.size)
        if let progress, case .success = outcome {
          let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
          progress(
            ImportProgress(
              layersDone: done.layers, layersTotal: jobs.count, layer: job.layer.digest.description,
              blobBytesDone: done.bytes, blobBytesTotal: totalBytes, seconds: seconds))
        }
      }
    }
    return try board.results()
  }
}

/// The shared state of the worker pool: the next job, the results, the first failure.
private final class ScanBoard: Sendable {
  private struct State {
    var next = 0
    var failed = false
    var outcomes: [Result<LayerScan, ImportError>?]
    var layersDone = 0
    var bytesDone: Int64 = 0
  }

  private let state: Mutex<State>

  init(count: Int) {
    state = Mutex(State(outcomes: Array(repeating: nil, count: count)))
  }

  /// The next job index, or `nil` when all are taken or one has failed.
  func claim() -> Int? {
    state.withLock { s in
      guard !s.failed, s.next < s.outcomes.count else { return nil }
      defer { s.next += 1 }
      return s.next
    }
  }

  /// Records job `i`'s outcome; returns the layers and bytes finished so far.
  func finish(_ i: Int, _ outcome: Result<LayerScan, ImportError>, bytes: Int64) -> (layers: Int, bytes: Int64) {
    state.withLock { s in
      s.outcomes[i] = outcome
      if case .failure = outcome { s.failed = true }
      s.layersDone += 1
      s.bytesDone += bytes
      return (s.layersDone, s.bytesDone)
    }
  }

  /// Every result in job order, or the lowest-numbered failure.
  func results() throws(ImportError) -> [LayerScan] {
    let outcomes = state.withLock { $0.outcomes }
    var scans: [LayerScan] = []
    scans.reserveCapacity(outcomes.count)
    for outcome in outcomes {
      switch outcome {
      case .failure(let error)?: throw error
      case .success(let scan)?: scans.append(scan)
      case nil: continue
      }
    }
    guard scans.count == outcomes.count else {
      throw .invalidInstance(reason: "internal: \(outcomes.count - scans.count) layers were not read")
    }
    return scans
  }
}
