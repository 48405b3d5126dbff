import ArgumentParser
import MISModel
import MISSolver

/// `mis export INSTANCE.json --format mps|lp --output FILE`: writes the reduced exact model
/// (`Docs/model.md` §6 after its exact reductions, ``Formulation``) through GLPK, for other solvers
/// or for `glpsol` as a cross-check.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the reduced exact model as MPS or LP.",
    discussion: """
      MPS keeps the objective constant (Σ D·cO, the cost of pulling everything from the \
      origin) as the objective row's RHS, so `glpsol --freemps FILE` reports the optimum \
      that `mis solve --method exact` reports. GLPK's LP writer keeps the constant only as \
      a comment: add it to an LP solver's objective.
      """
  )

  @OptionGroup var input: InstanceArgument

  @Option(help: "The file format: mps (free MPS) or lp (CPLEX LP).")
  var format: ExportFormat

  @Option(name: .long, help: "The file to write.")
  var output: String

  func run() throws {
    let index = try input.load()
    let formulation = Formulation(index)
    if !formulation.impossiblePairs.isEmpty {
      throw CommandFailure.infeasible(
        "infeasible: \(formulation.impossiblePairs.count) demanded pair(s) can never be served "
          + "(run `mis validate` for the list); no model written")
    }
    do {
      try GLPKSolver.write(formulation.model, format: format.linearModelFormat, to: output)
    } catch {
      throw CommandFailure.solver(error, file: input.instance)
    }
    Console.out("wrote \(output) (\(format.rawValue)): \(formulation.size)")
    Console.out("  unreduced model: \(formulation.unreducedSize)")
    Console.out("  objective constant: \(Report.number(formulation.originConstant))")
    if format == .lp, formulation.originConstant != 0 {
      Console.out("  note: the LP format keeps the constant only as a comment; add it to the LP optimum")
    }
  }
}
