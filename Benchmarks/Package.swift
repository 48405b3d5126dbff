// swift-tools-version:6.0
// The benchmark harness lives in its own package so that users of the MIS library
// never resolve or build benchmark code: it depends on the root package by path.
import PackageDescription

let package = Package(
  name: "MISBenchmarks",
  products: [
    .executable(name: "mis-bench", targets: ["MISBench"])
  ],
  dependencies: [
    .package(name: "MIS", path: ".."),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    .executableTarget(
      name: "MISBench",
      dependencies: [
        .product(name: "MISModel", package: "MIS"),
        .product(name: "MISSolver", package: "MIS"),
        .product(name: "MISApprox", package: "MIS"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    )
  ],
  swiftLanguageModes: [.v6]
)
