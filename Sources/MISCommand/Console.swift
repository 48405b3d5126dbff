import Foundation

/// Standard output and standard error, in one place.
///
/// Standard output carries only the requested document with `--json`; every diagnostic
/// goes to standard error.
enum Console {
  /// Prints a line of text on standard output.
  static func out(_ line: String = "") {
    print(line)
  }

  /// Writes bytes (a JSON document) on standard output, exactly.
  static func write(_ bytes: [UInt8]) {
    print(String(decoding: bytes, as: UTF8.self), terminator: "")
  }

  /// Writes a line on standard error.
  static func error(_ message: String) {
    flush()
    let text = message.hasSuffix("\n") ? message : message + "\n"
    FileHandle.standardError.write(Data(text.utf8))
  }

  /// Flushes standard output (`fflush(nil)` flushes every C stream, without touching the
  /// global `stdout`, which Swift 6 treats as shared mutable state).
  static func flush() {
    fflush(nil)
  }
}
