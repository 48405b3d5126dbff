import ArgumentParser
import MISModel
import MISSolver

/// `mis validate INSTANCE.json [--strict]`: checks an instance against the model's rules
/// (`Docs/formats.md`).
///
/// Exit 0 when the instance is valid, its warnings (unknown keys with the key probably
/// meant, no demand, unlinked registries, isolated nodes, unpulled images) all listed on
/// standard error; 2 with every problem listed (entity and field, or JSON line and column)
/// when it is not, or with `--strict` when there is any warning; 1 when it is valid but
/// provably infeasible: some demanded (node, layer) pair has no origin link and no linked
/// registry that could hold the layer at all.
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check an instance file against the model's rules.",
    discussion: """
      Reports every problem, each naming the entity and field (or the JSON line and column \
      of a syntax error). Warnings (unknown keys, with the key probably meant; no demand; a \
      registry no node links to; a node with no link at all; an image nobody pulls) go to \
      standard error; --strict makes them errors (exit 2). A valid instance in which some \
      demanded layer can never be served (no origin link, no linked registry large enough) \
      is reported as infeasible.
      """
  )

  @OptionGroup var input: InstanceArgument

  @Flag(help: "Treat every warning (e.g. an unknown key) as an error: exit 2 listing them.")
  var strict = false

  func run() throws {
    let (index, warnings) = try input.loadReportingWarnings(strict: strict, warningLimit: nil)
    let instance = index.instance
    let impossible = Formulation.impossiblePairs(index)
    let name = instance.name.map { "\"\($0)\"" } ?? "(unnamed)"
    func count(_ n: Int, _ noun: String, _ plural: String? = nil) -> String {
      "\(n) \(n == 1 ? noun : plural ?? noun + "s")"
    }
    var summary =
      "valid mis-instance/1 \(name): \(count(instance.registries.count, "registry", "registries")), "
      + "\(count(instance.nodes.count, "node")), \(count(instance.links.count, "link")), "
      + "\(count(instance.origin?.links.count ?? 0, "origin link")), \(count(instance.files.count, "file")), "
      + "\(count(instance.layers.count, "layer")), \(count(instance.images.count, "image")), "
      + "\(count(instance.demands.count, "demand")) (\(Report.number(index.totalPulls)) pulls)"
    if !warnings.isEmpty { summary += "; \(count(warnings.count, "warning")) on standard error" }
    Console.out(summary)
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
