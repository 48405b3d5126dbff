// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "MIS",
  products: [
    .library(name: "MISModel", targets: ["MISModel"]),
    .library(name: "MISSolver", targets: ["MISSolver"]),
    .library(name: "MISApprox", targets: ["MISApprox"]),
    .executable(name: "mis", targets: ["MISCommand"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // Documentation only: `swift package generate-documentation` (make docs). Adds no product
    // dependency; SwiftPM builds a plugin's tools only when the plugin is invoked.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
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
    .executableTarget(
      name: "MISCommand",
      dependencies: [
        "MISModel", "MISSolver", "MISApprox",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Reference oracles for the tests (brute force); not a product.
    .target(name: "MISTestSupport", dependencies: ["MISModel"]),
    .testTarget(name: "MISModelTests", dependencies: ["MISModel"]),
    .testTarget(name: "MISSolverTests", dependencies: ["MISModel", "MISSolver", "MISTestSupport"]),
    .testTarget(name: "MISApproxTests", dependencies: ["MISModel", "MISSolver", "MISApprox", "MISTestSupport"]),
    .testTarget(name: "MISCommandTests", dependencies: ["MISModel"]),
  ],
  swiftLanguageModes: [.v6]
)
