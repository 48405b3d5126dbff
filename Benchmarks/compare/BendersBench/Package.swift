// swift-tools-version:6.0
// A small driver for Benchmarks/compare/compare_benders.py: generates paper instances, solves
// them with the compact or the Benders formulation of the exact solver, and writes the
// unreduced model for HiGHS. Its own package (depending on the root one by path), so that
// neither the library nor mis-bench carries it.
import PackageDescription

let package = Package(
  name: "BendersBench",
  dependencies: [.package(name: "MIS", path: "../../..")],
  targets: [
    .executableTarget(
      name: "BendersBench",
      dependencies: [
        .product(name: "MISModel", package: "MIS"),
        .product(name: "MISSolver", package: "MIS"),
      ]
    )
  ],
  swiftLanguageModes: [.v6]
)
