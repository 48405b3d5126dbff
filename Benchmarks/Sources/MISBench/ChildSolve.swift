import ArgumentParser
import Foundation
import MISApprox
import MISModel
import MISSolver

/// Which reductions an exact solve uses (`--reductions`), for the ablation.
enum ReductionVariant: String, CaseIterable, ExpressibleByArgument {
  case all
  case noFileClasses = "no-file-classes"
  case noDominatedSources = "no-dominated-sources"
  case noUselessPlacements = "no-useless-placements"
  case noZeroDemandLayers = "no-zero-demand-layers"
  case none

  var reductions: Reductions {
    switch self {
    case .all: return .all
    case .noFileClasses: return Reductions(fileClasses: false)
    case .noDominatedSources: return Reductions(dominatedSources: false)
    case .noUselessPlacements: return Reductions(uselessPlacements: false)
    case .noZeroDemandLayers: return Reductions(zeroDemandLayers: false)
    case .none: return .none
    }
  }
}

/// Internal: solves one generated instance with one method and prints one JSON line.
/// The parent commands run it as a child process to bound wall-clock time and memory.
struct ChildSolve: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "child-solve", abstract: "Internal: one solve, one JSON line (used by the other subcommands).",
    shouldDisplay: false)

  @OptionGroup var instance: InstanceOptions
  @Option(help: "exact, approx, layer-only, file-only, popularity, origin-only.") var method = "approx"
  @Option(help: "Exact solver time limit in seconds.") var timeLimit = 60.0
  @Option(help: "Reductions for the exact model.") var reductions = ReductionVariant.all
  @Flag(help: "Exact: start from the approximate plan.") var warmStart = false
  @Option(help: "Approx: rounding trials.") var trials = 32
  @Option(help: "Approx: rounding seed.") var roundingSeed: UInt64 = 1
  @Flag(help: "Approx: solve the LP by interior point instead of simplex.") var interior = false
  @Option(help: "Approx: volume iterations of the Lagrangian relaxation (default: the library's).")
  var relaxationIterations: Int? = nil

  func run() throws {
    let watch = Stopwatch()
    let instanceValue = InstanceGenerator.generate(instance.spec.options)
    let index = try ProblemIndex(instanceValue)
    let generateSeconds = watch.seconds
    var out: [String: Any] = [
      "method": method, "layers": index.layerCount, "files": index.fileCount, "fileClasses": index.classCount,
      "generateSeconds": generateSeconds,
    ]
    let result: PlanningResult
    switch method {
    case "exact":
      var options = ExactSolver.Options(timeLimitSeconds: timeLimit, reductions: reductions.reductions)
      if warmStart {
        let approx = try ApproxSolver(options: .init(seed: roundingSeed, trials: trials)).solveWithDetails(index)
        options.startPlan = approx.result.matrix
        out["warmStartSeconds"] = approx.timing.total
        out["warmStartObjective"] = approx.result.objective ?? Double.nan
      }
      result = try ExactSolver(options: options).solve(index)
      for (key, value) in result.report.details {
        switch value {
        case .number(let v): out[key] = v
        case .string(let s): out[key] = s
        default: break
        }
      }
      let reduced = Formulation(index, reductions: reductions.reductions)
      out["binaries"] = reduced.size.integerColumns
      out["unreducedBinaries"] = reduced.unreducedSize.integerColumns
    case "approx", "layer-only", "file-only":
      var options = ApproxSolver.Options(seed: roundingSeed, trials: trials)
      options.methodName = method
      // The engine decides between the Lagrangian bound and the exact LP; `--interior`
      // now asks for the exact LP whatever the size.
      if interior { options.relaxation = .exactLP }
      if let relaxationIterations { options.relaxationIterations = relaxationIterations }
      if method == "layer-only" { options = options.restricted(to: .layer, methodName: method) }
      if method == "file-only" { options = options.restricted(to: .file, methodName: method) }
      let build = Stopwatch()
      let size = Formulation(index, granularities: options.granularities).size
      out["formulationSeconds"] = build.seconds
      out["rows"] = size.rows
      out["columns"] = size.columns
      out["binaries"] = size.integerColumns
      out["nonzeros"] = size.nonzeros
      let approx = try ApproxSolver(options: options).solveWithDetails(index)
      result = approx.result
      out["buildSeconds"] = approx.timing.build
      out["lpSeconds"] = approx.timing.lp
      out["roundingSeconds"] = approx.timing.rounding
      out["repairSeconds"] = approx.timing.repair
      out["totalSeconds"] = approx.timing.total
      out["savingsRatio"] = approx.ratios.savingsRatio ?? Double.nan
      out["checks"] = (try? approx.ratios.check()) != nil ? "ok" : "failed"
    case "popularity":
      result = Baselines.popularity(index)
    case "origin-only":
      result = Baselines.originOnly(index)
    default:
      throw ValidationError("unknown method \(method)")
    }
    out["status"] = result.status.rawValue
    out["objective"] = result.objective ?? Double.nan
    out["bound"] = result.bound ?? Double.nan
    out["certifiedRatio"] = result.report.certifiedRatio ?? Double.nan
    out["seconds"] = result.report.seconds
    out["originOnly"] = index.originOnlyLatency ?? Double.nan
    if let metrics = result.metrics {
      out["reconstructionSeconds"] = metrics.reconstructionSeconds
      out["originShare"] = metrics.originShare
      out["meanImagePullSeconds"] = metrics.meanImagePullSeconds ?? Double.nan
      out["totalPulls"] = metrics.totalPulls
      out["usedBytes"] = Double(metrics.registries.reduce(Int64(0)) { $0 + $1.usedBytes })
      out["capacityBytes"] = Double(metrics.registries.reduce(Int64(0)) { $0 + $1.capacityBytes })
      out["dedupSavedBytes"] = Double(metrics.registries.reduce(Int64(0)) { $0 + $1.dedupSavedBytes })
      out["layerLevelPlacements"] = metrics.registries.reduce(0) { $0 + $1.layerLevelLayers }
      out["fileLevelPlacements"] = metrics.registries.reduce(0) { $0 + $1.fileLevelLayers }
    }
    out["peakRSSBytes"] = Memory.peakResidentBytes ?? Double.nan
    Child.answer(out)
  }
}
