// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "Embedding",
  dependencies: [
    // A path dependency's identity is its directory's name, so `name:` pins it to "MIS".
    // From another repository: .package(url: "https://…/mis.git", from: "1.0.0").
    .package(name: "MIS", path: "../..")
  ],
  targets: [
    .executableTarget(
      name: "embedding",
      dependencies: [
        .product(name: "MISModel", package: "MIS"),
        .product(name: "MISSolver", package: "MIS"),
        .product(name: "MISApprox", package: "MIS"),
      ]
    )
  ],
  swiftLanguageModes: [.v6]
)
