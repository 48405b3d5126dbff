// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "MIS",
  products: [
    .library(name: "MISModel", targets: ["MISModel"]),
    .library(name: "MISSolver", targets: ["MISSolver"]),
    .library(name: "MISApprox", targets: ["MISApprox"]),
    .library(name: "MISImport", targets: ["MISImport"]),
    .executable(name: "mis", targets: ["MISCommand"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // SHA-256 for `mis import` (MISImport only; the planning products do not depend on it).
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CGLPK",
      providers: [.apt(["libglpk-dev"])]
    ),
    .target(name: "MISModel"),
    // C helper that runs GLPK calls under setjmp so glp_error cannot abort
    // the process (Swift cannot call setjmp/longjmp); see its header.
    .target(name: "CGLPKShim", dependencies: ["CGLPK"]),
    .target(name: "MISSolver", dependencies: ["MISModel", "CGLPK", "CGLPKShim"]),
    .target(name: "MISApprox", dependencies: ["MISModel", "MISSolver"]),
    // libarchive (tar + gzip/zstd/uncompressed, one streaming API) and zlib (gzip-per-file
    // sizes) for `mis import`; see Docs/import.md for why these libraries.
    .systemLibrary(
      name: "CArchive",
      providers: [.apt(["libarchive-dev"])]
    ),
    .systemLibrary(
      name: "CZlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .target(
      name: "MISImport",
      dependencies: [
        "MISModel", "CArchive", "CZlib",
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .executableTarget(
      name: "MISCommand",
      dependencies: [
        "MISModel", "MISSolver", "MISApprox", "MISImport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Reference oracles for the tests (brute force); not a product.
    .target(name: "MISTestSupport", dependencies: ["MISModel"]),
    .testTarget(name: "MISModelTests", dependencies: ["MISModel"]),
    .testTarget(name: "MISSolverTests", dependencies: ["MISModel", "MISSolver", "MISTestSupport"]),
    .testTarget(name: "MISApproxTests", dependencies: ["MISModel", "MISSolver", "MISApprox", "MISTestSupport"]),
    .testTarget(name: "MISCommandTests", dependencies: ["MISModel"]),
    .testTarget(
      name: "MISImportTests",
      dependencies: ["MISModel", "MISImport", .product(name: "Crypto", package: "swift-crypto")]
    ),
  ],
  swiftLanguageModes: [.v6]
)
