import ArgumentParser
import MISModel
import MISSolver

/// `mis validate INSTANCE.json`: checks an instance against `Docs/formats.md` §1.
///
/// Exit 0 when the instance is valid; 2 with every problem listed (entity and field, or
/// JSON line and column) when it is not; 1 when it is valid but provably infeasible: some
/// demanded (node, layer) pair has no origin link and no linked registry that could hold
/// the layer at all.
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check an instance file against the model's rules.",
    discussion: """
      Reports every problem, each naming the entity and field (or the JSON line and column \
      of a syntax error). A valid instance in which some demanded layer can never be \
      served (no origin link, no linked registry large enough) is reported as infeasible.
      """
  )

  @OptionGroup var input: InstanceArgument

  func run() throws {
    let index = try input.load()
    let instance = index.instance
    let impossible = Formulation(index).impossiblePairs
    let name = instance.name.map { "\"\($0)\"" } ?? "(unnamed)"
    Console.out(
      "valid mis-instance/1 \(name): \(instance.registries.count) registries, \(instance.nodes.count) nodes, "
        + "\(instance.links.count) links, \(instance.origin?.links.count ?? 0) origin links, "
        + "\(instance.files.count) files, \(instance.layers.count) layers, \(instance.images.count) images, "
        + "\(instance.demands.count) demands (\(Report.number(index.totalPulls)) pulls)")
    guard impossible.isEmpty else {
      let shown = impossible.prefix(20).map { pair in
        "  node \"\(instance.nodes[Int(pair.node)].id)\", layer \"\(instance.layers[Int(pair.layer)].id)\": "
          + "no origin link and no linked registry with room for the layer"
      }
      let more = impossible.count > 20 ? ["  … and \(impossible.count - 20) more"] : []
      throw CommandFailure.infeasible(
        (["infeasible: \(impossible.count) demanded pair(s) can never be served:"] + shown + more)
          .joined(separator: "\n"))
    }
  }
}
