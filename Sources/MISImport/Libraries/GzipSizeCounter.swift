internal import CZlib

/// Counts the length of a byte stream compressed by gzip at level 6, without keeping the
/// compressed bytes (zlib's deflate with a gzip wrapper: 10-byte header without a name,
/// 8-byte trailer).
///
/// The only type that calls zlib. Not `Sendable`: one worker reuses one stream, reset
/// between files.
final class GzipSizeCounter {
  private let stream: UnsafeMutablePointer<z_stream>
  private let output: UnsafeMutableRawBufferPointer
  private var produced: Int64 = 0
  private var ready = false

  /// A counter; `nil` when zlib cannot allocate its state.
  init?() {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    output = .allocate(byteCount: 64 * 1024, alignment: 16)
    // windowBits 15 + 16 selects the gzip wrapper; memLevel 8 and the default strategy are
    // gzip's and zlib's defaults.
    let status = deflateInit2_(
      stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      stream.deallocate()
      output.deallocate()
      return nil
    }
    ready = true
  }

  deinit {
    if ready { deflateEnd(stream) }
    stream.deallocate()
    output.deallocate()
  }

  /// Starts a new file.
  func reset() {
    deflateReset(stream)
    produced = 0
  }

  /// Compresses the next bytes of the current file.
  func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    var offset = 0
    while offset < bytes.count {
      // avail_in is 32-bit: feed at most 1 GiB per call.
      let n = min(bytes.count - offset, 1 << 30)
      stream.pointee.next_in = UnsafeMutablePointer(mutating: (base + offset).assumingMemoryBound(to: Bytef.self))
      stream.pointee.avail_in = uInt(n)
      var status = Z_OK
      repeat {
        status = drainOnce(flush: Z_NO_FLUSH)
      } while stream.pointee.avail_in > 0 && status == Z_OK
      offset += n
    }
  }

  /// Finishes the current file and returns its gzip length.
  func finish() -> Int64 {
    stream.pointee.next_in = nil
    stream.pointee.avail_in = 0
    var status = Z_OK
    repeat {
      status = drainOnce(flush: Z_FINISH)
    } while status == Z_OK
    return produced
  }

  @discardableResult
  private func drainOnce(flush: Int32) -> Int32 {
    stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_out = uInt(output.count)
    let status = deflate(stream, flush)
    produced += Int64(output.count - Int(stream.pointee.avail_out))
    return status
  }
}
