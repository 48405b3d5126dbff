import Dispatch
import Foundation
import MISModel

/// A fractional plan: for every candidate (layer, registry), the share stored at layer
/// level and at file level — the input of randomized rounding.
///
/// It comes from a relaxation: the averaged primal of the Lagrangian volume algorithm
/// (`Docs/relaxation-engine.md`) or the optimal LP solution (``Relaxation``). In both,
/// `layerShare + fileShare ≤ 1` at every (layer, registry). A file group's share is taken
/// as the largest file-level share of the layers that need it, the least value consistent
/// with `z ≤ y` (`Docs/approximation.md`).
public struct FractionalPlan: Sendable {
  /// Number of layers.
  public let layerCount: Int
  /// Number of registries.
  public let registryCount: Int
  /// The (layer, registry) pairs that have a value, sorted by layer then registry.
  let siteLayer: [Int32]
  let siteRegistry: [Int32]
  /// Layer-level share per site.
  let layerShares: [Double]
  /// File-level share per site (0 where file level is not a candidate).
  let fileShares: [Double]
  /// Sites of layer `l`: `layerSiteStart[l]..<layerSiteStart[l + 1]`.
  let layerSiteStart: [Int]

  init(
    layerCount: Int, registryCount: Int, siteLayer: [Int32], siteRegistry: [Int32], layerShares: [Double],
    fileShares: [Double], layerSiteStart: [Int]
  ) {
    self.layerCount = layerCount
    self.registryCount = registryCount
    self.siteLayer = siteLayer
    self.siteRegistry = siteRegistry
    self.layerShares = layerShares
    self.fileShares = fileShares
    self.layerSiteStart = layerSiteStart
  }

  /// The share of layer `l` stored at layer level on registry `r` (0 when not a candidate).
  public func layerLevelShare(layer l: Int, registry r: Int) -> Double {
    position(layer: l, registry: r).map { layerShares[$0] } ?? 0
  }

  /// The share of layer `l` stored at file level on registry `r` (0 when not a candidate).
  public func fileLevelShare(layer l: Int, registry r: Int) -> Double {
    position(layer: l, registry: r).map { fileShares[$0] } ?? 0
  }

  /// Calls `body(registry, layerShare, fileShare)` for every candidate registry of layer
  /// `l`, by ascending registry.
  public func forEachCandidate(layer l: Int, _ body: (Int, Double, Double) -> Void) {
    for s in layerSiteStart[l]..<layerSiteStart[l + 1] {
      body(Int(siteRegistry[s]), layerShares[s], fileShares[s])
    }
  }

  private func position(layer l: Int, registry r: Int) -> Int? {
    var lo = layerSiteStart[l]
    var hi = layerSiteStart[l + 1]
    let target = Int32(r)
    while lo < hi {
      let mid = (lo + hi) / 2
      if siteRegistry[mid] == target { return mid }
      if siteRegistry[mid] < target { lo = mid + 1 } else { hi = mid }
    }
    return nil
  }
}

/// The Lagrangian relaxation of the model — the engine behind the approximate planner at
/// every scale — in two phases.
///
/// 1. Block coordinate descent on `L(π, λ, μ)`, with the assignment rows `Σ a + Σ b ≤ 1`,
///    the file-sharing rows `z ≤ y` and the capacity rows moved into the objective with
///    multipliers `π, λ, μ ≥ 0` (``DualState``). What remains separates completely, and
///    every one-dimensional restriction has its minimum at a kink, found exactly.
/// 2. The volume algorithm (Barahona & Anbil, *The volume algorithm: producing primal
///    solutions with a subgradient method*, Math. Programming 87, 2000,
///    doi:10.1007/s101070050002) over `(π, λ)` only, on ``KnapsackSubproblem``: the
///    capacity rows stay, each registry solving one continuous knapsack, whose value is
///    `L` minimised over `μ`. Steps follow an exponentially averaged direction; the
///    averaged subproblem solutions converge towards an optimal fractional solution of the
///    relaxation, and that average is what randomized rounding rounds.
///
/// Every evaluation, in either phase, is a **proven lower bound** on the optimum (weak
/// duality), whatever the multipliers; the best attainable is the value of the LP
/// relaxation of the model. The capacity prices are the knapsacks' critical ratios at the
/// best multipliers.
///
/// Deterministic: blocks are fixed independently of the thread count, their partial sums
/// are added in block order and knapsack items are sorted with ties broken by index, so
/// the same model and options give the same bound, multipliers and fractional plan on any
/// number of threads.
package struct LagrangianRelaxation: Sendable {
  /// Options with documented defaults.
  package struct Options: Sendable {
    /// Volume iterations at most (default 1 500): the default effort.
    package var maximumIterations = 1_500
    /// Coordinate-descent sweeps at most before the volume iterations (default 60).
    package var maximumSweeps = 60
    /// Stop when the relative gap between the bound and the averaged primal's value, and
    /// the averaged primal's largest row violation, both fall below this (default 2e-4).
    package var tolerance = 2e-4
    /// Threads (never changes the result).
    package var parallelism = ProcessInfo.processInfo.activeProcessorCount
    /// A feasible plan's saving, when known: the target of the step size. The volume
    /// phase stops (``Stop/converged``) once its bound meets that plan (to 1e-7 relative):
    /// the plan is then optimal and no better bound exists.
    package var targetSaving: Double? = nil
    /// Where some copy is larger than its registry, run half of ``maximumIterations`` more
    /// volume iterations, after the full model's (or after its convergence, when earlier), on
    /// the subproblem without such copies, from the best multipliers (default true). No plan
    /// can store them, so every evaluation is still a proven bound on the optimum, and a
    /// higher one: it may pass the LP value of the model that keeps them (by 1.6 % where
    /// capacity is tight at mid size). Only the bound changes: the capacity prices, the
    /// averaged primal that is rounded and the subproblem's plan stay those of the full
    /// model's iterations, whose value is a convex function of the capacities.
    package var excludeOversizedCopies = true
    /// Polled between iterations: stop (with the best bound so far) when true.
    package var shouldStop: (@Sendable () -> Bool)? = nil
    /// Called after every iteration with (iteration, best lower bound on T).
    package var progress: (@Sendable (Int, Double) -> Void)? = nil
    /// Creates default options.
    package init() {}
  }

  /// Why the iterations stopped.
  package enum Stop: String, Sendable {
    /// The bound and the averaged primal agree within the tolerance, or the bound met the
    /// plan of ``Options/targetSaving`` (which is then optimal).
    case converged
    /// The iteration budget was used.
    case iterationLimit
    /// ``Options/shouldStop`` asked to stop.
    case stopped
  }

  /// The outcome.
  package struct Result: Sendable {
    /// The best proven lower bound on the total latency `T`.
    package var lowerBound: Double
    /// The best lower bound after each iteration (non-decreasing).
    package var boundHistory: [Double]
    /// Capacity price per registry: seconds of total latency one more GiB saves at the
    /// margin, from the multipliers of the best bound.
    package var capacityPrices: [Double]
    /// The averaged primal, to round.
    package var fractional: FractionalPlan
    /// The subproblem's integral solution at the best multipliers (a 0/1 fractional plan):
    /// the start of the Lagrangian heuristic, repaired and filled like a rounded plan.
    package var subproblemPlan: FractionalPlan
    /// The averaged primal's saving and largest violation at the end.
    package var primalSaving: Double
    /// The averaged primal's largest row violation.
    package var primalViolation: Double
    /// Volume iterations run.
    package var iterations: Int
    /// Coordinate-descent sweeps run.
    package var sweeps: Int
    /// Why it stopped.
    package var stop: Stop
  }

  package var options: Options

  package init(options: Options = Options()) { self.options = options }

  /// Runs block coordinate descent, then the volume algorithm, on `model`.
  package func solve(_ model: RelaxationModel) -> Result {
    let R = model.registryCount
    let E = model.siteGroups.count

    // Blocks of layers with about equal numbers of sources, fixed by the model only.
    let layerBlocks = Self.layerBlocks(model)
    let workers = max(1, options.parallelism)
    var history: [Double] = []

    // Phase 1: block coordinate descent from the uncapacitated prices.
    var dual = DualState(
      model: model, pi: model.pairMaxSaving, lam: [Double](repeating: 0, count: E),
      mu: [Double](repeating: 0, count: R))
    var bestValue = dual.value(model)
    var bestDual = dual
    var sweeps = 0
    var stalled = 0
    while sweeps < options.maximumSweeps {
      if let shouldStop = options.shouldStop, shouldStop() { break }
      sweeps += 1
      dual.sweepCapacity(model, workers: workers)
      dual.sweepSharing(model, workers: workers)
      dual.sweepPairs(model, blocks: layerBlocks, workers: workers)
      if sweeps % 8 == 0 { dual.refresh(model) }
      let value = dual.value(model)
      let before = bestValue
      if value < bestValue {
        bestValue = value
        bestDual = dual
      }
      history.append(model.referenceLatency - bestValue)
      options.progress?(history.count, model.referenceLatency - bestValue)
      if before - value <= options.tolerance * 0.01 * max(1, abs(value)) {
        stalled += 1
        if stalled >= 3 { break }
      } else {
        stalled = 0
      }
    }

    // Phase 2: the volume algorithm on the knapsack subproblem, from the best multipliers.
    // The descent's working state goes first: at fleet scale each copy of the sharing
    // multipliers is hundreds of megabytes.
    _ = consume dual
    return solveVolume(model, start: consume bestDual, startValue: bestValue, history: history, sweeps: sweeps)
  }

  /// Blocks of layers with about equal work, fixed by the model alone (so that partial sums
  /// are added in the same order on any number of threads).
  static func layerBlocks(_ model: RelaxationModel) -> [Int] {
    let L = model.index.layerCount
    let blockCount = max(1, min(256, L / 8 + 1))
    var blocks: [Int] = [0]
    let total = model.sourceCount + model.siteCount
    var acc = 0
    for l in 0..<L {
      let pairs = model.index.layerDemand.range(l)
      acc += model.pairSourceStart[pairs.upperBound] - model.pairSourceStart[pairs.lowerBound]
      acc += model.layerSiteStart[l + 1] - model.layerSiteStart[l]
      if acc * blockCount >= total * blocks.count && l + 1 < L { blocks.append(l + 1) }
    }
    blocks.append(L)
    return blocks
  }
}

/// A buffer handed to parallel workers that write disjoint ranges of it (or only read it).
struct UnsafeSendable<T>: @unchecked Sendable {
  /// The buffer, for reading.
  let pointer: UnsafeMutableBufferPointer<T>
  /// The same buffer, for writing.
  var mutablePointer: UnsafeMutableBufferPointer<T> { pointer }

  init(_ buffer: UnsafeBufferPointer<T>) { pointer = UnsafeMutableBufferPointer(mutating: buffer) }

  init(_ buffer: UnsafeMutableBufferPointer<T>) { pointer = buffer }
}
