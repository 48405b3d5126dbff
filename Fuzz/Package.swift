// swift-tools-version:6.0
// libFuzzer targets for MIS, in a nested package so that library users never build them.
//
//   swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address
//   Fuzz/.build/release/FuzzInstanceDecoder Fuzz/Corpus -dict=Fuzz/mis.dict -max_total_time=300
//
// See Docs/robustness.md.
import PackageDescription

let package = Package(
  name: "MISFuzz",
  dependencies: [.package(name: "MIS", path: "..")],
  targets: [
    // Declares libFuzzer's LLVMFuzzerRunDriver (provided by -sanitize=fuzzer).
    .target(name: "CFuzzDriver"),
    .executableTarget(
      name: "FuzzInstanceDecoder",
      dependencies: ["CFuzzDriver", .product(name: "MISModel", package: "MIS")],
      // ld.gold (the default here) fails with an internal error on the ASan + libFuzzer
      // objects; lld, shipped with the toolchain, links them.
      linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
    ),
  ],
  swiftLanguageModes: [.v6]
)
