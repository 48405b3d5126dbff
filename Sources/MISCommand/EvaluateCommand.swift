import ArgumentParser
import MISModel

/// `mis evaluate INSTANCE.json PLAN.json [--json]`: recomputes a plan's metrics
/// (`Docs/model.md` §4–5) and lists every violation.
///
/// Nothing is fixed silently: duplicate placements, unknown ids, over-capacity registries
/// and unserved pairs are all reported. Exit 0 when the plan is feasible, 1 when it is not,
/// 2 when either file is invalid.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Recompute a plan's metrics and report every violation.",
    discussion: """
      With --json, standard output carries only the metrics block (Docs/formats.md §3), with its \
      "violations" list when the plan is infeasible.
      """
  )

  @OptionGroup var input: InstanceArgument

  @Argument(help: "A mis-plan/1 JSON file.", completion: .file(extensions: ["json"]))
  var plan: String

  @OptionGroup var output: JSONOption

  func run() throws {
    let index = try input.load()
    let plan = try loadPlan(self.plan)
    if let planFor = plan.instance, let name = index.instance.name, planFor != name {
      Console.error("warning: the plan is for instance \"\(planFor)\", not \"\(name)\"")
    }
    let metrics = index.evaluate(plan)
    if output.json {
      Console.write(JSONWriter(pretty: true).bytes(of: PlanCodec.encodeMetrics(metrics)))
    } else {
      Console.out("plan \(self.plan): \(plan.placements.count) placements")
      for line in Report.metrics(metrics) { Console.out(line) }
    }
    if !metrics.feasible {
      let count = metrics.violations.count
      throw CommandFailure.infeasible(
        "infeasible plan: \(count) violation\(count == 1 ? "" : "s")"
          + (output.json ? " (listed in the metrics' \"violations\")" : ""))
    }
  }
}
