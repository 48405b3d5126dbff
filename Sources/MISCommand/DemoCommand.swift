import ArgumentParser
import MISApprox
import MISModel

/// `mis demo`: every method on the built-in example instances, as a comparison table.
///
/// Needs no arguments and no files.
struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Compare every method on built-in example instances.",
    discussion: """
      Instances: the three-registry worked example of Docs/model.md and a small generated \
      paper instance (seed 1). Columns: status, termination, total expected pulling latency \
      T, T above the optimum (when proven), the lower bound, reconstruction seconds, storage \
      used over capacity, and wall-clock seconds.
      """
  )

  /// The demo's generated instance: small enough for the exact solver in under a second.
  /// (GLPK's branch-and-cut needs minutes already at 3 registries, 5 nodes and 12 images.)
  static let paperOptions = GeneratorOptions(
    kind: .paper, seed: 1, registries: 2, nodes: 4, images: 8, connections: 2, filesPerImageScale: 0.05)

  /// A safety limit for every method, so the demo always ends.
  static let exactTimeLimitSeconds = 60.0

  func run() throws {
    let instances = [
      ("three-registries (ReferenceExamples.threeRegistries)", ReferenceExamples.threeRegistries),
      (
        "generated paper instance (seed 1, 2 registries, 4 nodes, 8 images)",
        InstanceGenerator.generate(Self.paperOptions)
      ),
    ]
    var options = PlannerOptions()
    options.seed = 1
    options.timeLimitSeconds = Self.exactTimeLimitSeconds
    for (number, (title, instance)) in instances.enumerated() {
      let index: ProblemIndex
      do {
        index = try ProblemIndex(instance)
      } catch {
        throw CommandFailure(code: ExitStatus.internalFailure, "internal error: built-in instance is invalid: \(error)")
      }
      if number > 0 { Console.out() }
      Console.out(
        "\(title): \(index.registryCount) registries, \(index.nodeCount) nodes, \(index.layerCount) layers, "
          + "\(index.fileCount) files, \(Report.number(index.totalPulls)) pulls")
      var results: [PlanningResult] = []
      for method in PlanningMethod.allCases {
        do {
          results.append(try Planner.solve(index, method: method, options: options))
        } catch {
          throw CommandFailure.solver(error, file: title)
        }
      }
      for line in ComparisonTable.lines(results) { Console.out(line) }
    }
  }
}
