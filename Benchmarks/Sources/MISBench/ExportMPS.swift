import ArgumentParser
import Foundation
import MISModel
import MISSolver

/// `mis-bench export-mps`: writes the reduced exact model of a generated paper instance as
/// free MPS, and (with `--solve`) times GLPK on it, for `compare/compare_highs.py`.
struct ExportMPS: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-mps", abstract: "Write the reduced model as MPS; optionally time GLPK on it.")

  @OptionGroup var instance: InstanceOptions
  @Option(help: "The MPS file to write.") var output: String
  @Flag(help: "Write the LP relaxation (no integer columns) instead of the MIP.") var relaxation = false
  @Flag(
    help: """
      Keep the copies larger than their registry (Docs/model.md §6 without the reduction that depends on \
      the capacities): the model whose LP the relaxation engine's Lagrangian dual approaches.
      """)
  var keepOversizedCopies = false
  @Flag(help: "Also solve with GLPK and print a JSON line with objective and seconds.") var solve = false
  @Option(help: "GLPK time limit, seconds.") var timeLimit = 60.0

  func run() throws {
    let index = try ProblemIndex(InstanceGenerator.generate(instance.spec.options))
    var reductions = Reductions.all
    if keepOversizedCopies { reductions.oversizedCopies = false }
    let formulation = Formulation(index, reductions: reductions)
    var model = formulation.model
    if relaxation {
      for j in model.columns.indices { model.columns[j].isInteger = false }
    }
    try GLPKSolver.write(model, format: .mps, to: output)
    var out: [String: Any] = [
      "rows": formulation.size.rows, "columns": formulation.size.columns, "binaries": formulation.size.integerColumns,
      "nonzeros": formulation.size.nonzeros, "objectiveConstant": model.objectiveConstant, "mps": output,
    ]
    if solve {
      if relaxation {
        let lp = try GLPKSolver.solveLP(model, method: .simplex, timeLimitSeconds: timeLimit)
        out["glpkStatus"] = "\(lp.status)"
        out["glpkObjective"] = lp.objective ?? Double.nan
        out["glpkSeconds"] = lp.seconds
      } else {
        let result = try ExactSolver(options: .init(timeLimitSeconds: timeLimit)).solve(index)
        out["glpkStatus"] = result.status.rawValue
        out["glpkObjective"] = result.objective ?? Double.nan
        out["glpkBound"] = result.bound ?? Double.nan
        out["glpkSeconds"] = result.report.seconds
      }
    }
    Child.answer(out)
  }
}
