import ArgumentParser
import Foundation

/// The `mis` command: plans where container-image layers live across a fleet of
/// registries (CLI.md, `Docs/cli.md`).
///
/// Every subcommand is thin: parse the arguments, call the library, print. Exit codes are
/// the contract of CLI.md: 0 success, 1 infeasible instance or plan or no plan within the
/// limits, 2 invalid input or usage (with a message on standard error naming the entity and
/// field, or the JSON line and column), 3 an unexpected internal failure (a bug or a GLPK
/// fault; never produced by valid input).
struct MISTool: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mis",
    abstract: "Multi-granularity placement of container-image layers across a fleet of registries.",
    discussion: """
      Exit status: 0 success; 1 infeasible instance, infeasible plan, or no plan within the \
      limits; 2 invalid input or usage; 3 internal failure.
      """,
    version: "1.0.0",
    subcommands: [
      ValidateCommand.self, EvaluateCommand.self, SolveCommand.self, GenerateCommand.self,
      ExportCommand.self, ImportCommand.self, DemoCommand.self,
    ]
  )

  /// Parses the command line, runs the chosen subcommand and exits with the contract's status.
  ///
  /// Replaces ArgumentParser's default so that usage errors exit with 2 (not 64).
  static func main() {
    main(CommandLine.arguments.dropFirst().map { $0 })
  }

  /// Runs `arguments` (without the program name) and exits.
  static func main(_ arguments: [String]) -> Never {
    if arguments.isEmpty {
      // No subcommand is a usage error, not a request for help.
      Console.error("error: missing subcommand\n\n" + helpMessage())
      Console.flush()
      Foundation.exit(ExitStatus.invalidInput)
    }
    let code: Int32
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
      code = ExitStatus.success
    } catch let failure as CommandFailure {
      Console.error(failure.message)
      code = failure.code
    } catch let exit as ExitCode {
      code = exit.rawValue
    } catch {
      let parserCode = exitCode(for: error)
      if parserCode == .success {
        // --help, --version: ArgumentParser prints them to standard output.
        exit(withError: error)
      }
      Console.error(fullMessage(for: error))
      // Usage errors (ArgumentParser's EX_USAGE, 64) and every other parse or validation
      // error are invalid input in the contract.
      code = ExitStatus.invalidInput
    }
    Console.flush()
    Foundation.exit(code)
  }
}
