import MISApprox
import MISModel
import MISSolver
import MISTestSupport
import Testing

/// Tiny instances for approx-vs-exact comparisons (some without origin links).
func tinyInstance(_ seed: UInt64) -> Instance {
  var options = GeneratorOptions(kind: .tiny, seed: seed)
  if seed % 4 == 0 { options.capacityFraction = 0.15 }
  if seed % 5 == 0 { options.includeOrigin = false }
  return InstanceGenerator.generate(options)
}

/// Instances on which the rounding theorem applies (every demanded pair has an origin link).
func theoremInstances() -> [(String, Instance)] {
  var out: [(String, Instance)] = [("reference", ReferenceExamples.threeRegistries)]
  for seed: UInt64 in [11, 12] {
    out.append(
      (
        "paper-\(seed)",
        InstanceGenerator.generate(
          GeneratorOptions(kind: .paper, seed: seed, registries: 3, nodes: 5, images: 12, capacityFraction: 0.2))
      ))
  }
  var tight = GeneratorOptions(kind: .tiny, seed: 21, registries: 3, nodes: 3, images: 3, capacityFraction: 0.2)
  tight.originDropProbability = 0
  out.append(("tiny-21", InstanceGenerator.generate(tight)))
  return out
}

@Suite struct ApproxTests {
  @Test(arguments: 0..<50)
  func approxIsNeverBetterThanOptimalAndCertified(seed: Int) throws {
    let index = try ProblemIndex(tinyInstance(UInt64(seed)))
    let exact = try ExactSolver().solve(index)
    let approx = try ApproxSolver(options: .init(seed: UInt64(seed), trials: 8)).solveWithDetails(index)
    try approx.ratios.check()
    guard let optimum = exact.objective else {
      #expect(exact.status == .infeasible)
      #expect(approx.result.objective == nil)
      return
    }
    let objective = try #require(
      approx.result.objective, "approx found no plan where exact did (\(approx.result.status.rawValue))")
    let bound = try #require(approx.result.bound)
    #expect(Tolerance.atMost(optimum, objective))
    #expect(Tolerance.atMost(bound, optimum))
    let certified = try #require(approx.ratios.certifiedRatio)
    #expect(certified >= objective / optimum * (1 - 1e-9))
    // The plan is feasible by the evaluator's independent reading.
    let metrics = index.evaluate(try #require(approx.result.plan))
    #expect(metrics.feasible)
    #expect(metrics.totalLatencySeconds.map { Tolerance.objectivesAgree($0, objective) } == true)
  }

  /// The theorem of Docs/approximation.md, checked empirically over 300 seeds: before
  /// repair, (a) mean storage ≤ capacity and (b) mean saving ≥ (1 − 1/e) · LP saving.
  /// Tolerance: 4 standard errors of the sample mean (a one-sided miss has probability
  /// below 1e-4 if the theorem holds), not a fudge factor.
  @Test(arguments: theoremInstances().map(\.0))
  func roundingTheoremHoldsInExpectation(name: String) throws {
    let instance = try #require(theoremInstances().first { $0.0 == name }?.1)
    let index = try ProblemIndex(instance)
    let relaxation = try Relaxation.solve(Formulation(index))
    let lowerBound = try #require(relaxation.lowerBound)
    let originOnly = try #require(index.originOnlyLatency)
    let lpSaving = originOnly - lowerBound
    let samples = 300
    var savings: [Double] = []
    var storage = [[Double]](repeating: [], count: index.registryCount)
    for seed in 0..<samples {
      var rng = SplitMix64(seed: UInt64(seed))
      let matrix = RandomizedRounding.round(relaxation, using: &rng)
      let metrics = index.evaluate(matrix)
      let t = try #require(metrics.totalLatencySeconds)
      savings.append(originOnly - t)
      for r in 0..<index.registryCount { storage[r].append(Double(metrics.registries[r].usedBytes)) }
    }
    func meanAndError(_ xs: [Double]) -> (Double, Double) {
      let mean = xs.reduce(0, +) / Double(xs.count)
      let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
      return (mean, (variance / Double(xs.count)).squareRoot())
    }
    let (meanSaving, savingError) = meanAndError(savings)
    #expect(
      meanSaving + 4 * savingError >= RatioCheck.theoremBound * lpSaving,
      "mean saving \(meanSaving) vs bound \(RatioCheck.theoremBound * lpSaving)")
    for r in 0..<index.registryCount {
      let (meanUsed, usedError) = meanAndError(storage[r])
      #expect(
        meanUsed - 4 * usedError <= Double(index.capacity[r]),
        "registry \(r): mean storage \(meanUsed) vs capacity \(index.capacity[r])")
    }
  }

  @Test func sameSeedSamePlanWhateverTheThreadCount() throws {
    let index = try ProblemIndex(
      InstanceGenerator.generate(GeneratorOptions(kind: .paper, seed: 4, registries: 4, nodes: 6, images: 20)))
    let serial = try ApproxSolver(options: .init(seed: 99, trials: 12, parallelism: 1)).solveWithDetails(index)
    let parallel = try ApproxSolver(options: .init(seed: 99, trials: 12, parallelism: 4)).solveWithDetails(index)
    #expect(serial.result.plan == parallel.result.plan)
    #expect(serial.result.objective == parallel.result.objective)
    #expect(serial.trials == parallel.trials)
    let other = try ApproxSolver(options: .init(seed: 100, trials: 12, parallelism: 2)).solveWithDetails(index)
    #expect(other.trials.map(\.preRepairObjective) != serial.trials.map(\.preRepairObjective))
  }

  @Test func repairRestoresFeasibilityUnderScarceCapacity() throws {
    for seed: UInt64 in 0..<5 {
      let index = try ProblemIndex(
        InstanceGenerator.generate(
          GeneratorOptions(kind: .paper, seed: seed, registries: 3, nodes: 4, images: 10, capacityFraction: 0.05)))
      let approx = try ApproxSolver(options: .init(seed: seed, trials: 4, includeGreedy: false)).solveWithDetails(index)
      let plan = try #require(approx.result.plan)
      #expect(index.evaluate(plan).feasible)
      try approx.ratios.check()
    }
  }

  @Test func branchAndCutTimeShareOutsideItsRangeIsATypedError() throws {
    let index = try ProblemIndex(ReferenceExamples.threeRegistries)
    for share in [0, -0.5, 1.5, .nan] {
      var options = ApproxSolver.Options()
      options.branchAndCutTimeShare = share
      do {
        _ = try ApproxSolver(options: options).solve(index)
        Issue.record("share \(share) was accepted")
      } catch {
        guard case .invalidOptions(let reason) = error else {
          Issue.record("wrong error \(error)")
          continue
        }
        #expect(reason.contains("branchAndCutTimeShare"))
      }
    }
    var options = ApproxSolver.Options()
    options.branchAndCutTimeShare = 1
    #expect(try ApproxSolver(options: options).solve(index).matrix != nil)
  }

  @Test func ratioCheckRejectsImpossibleResults() {
    let belowBound = RatioCheck(lowerBound: 10, objective: 9, originOnly: 20, trials: [])
    #expect(throws: RatioCheck.Failure.self) { try belowBound.check() }
    let worseThanOrigin = RatioCheck(lowerBound: 10, objective: 25, originOnly: 20, trials: [])
    #expect(throws: RatioCheck.Failure.self) { try worseThanOrigin.check() }
    let fine = RatioCheck(lowerBound: 10, objective: 12, originOnly: 20, trials: [])
    #expect(fine.certifiedRatio == 1.2)
    #expect(fine.savingsRatio == 0.8)
  }
}

@Suite struct BaselineTests {
  let index: ProblemIndex
  init() throws { index = try ProblemIndex(ReferenceExamples.threeRegistries) }

  @Test func originOnlyStoresNothing() throws {
    let result = try Planner.solve(index, method: .originOnly)
    #expect(result.plan?.placements.isEmpty == true)
    #expect(result.objective == index.originOnlyLatency)
  }

  @Test func restrictedBaselinesUseOneGranularity() throws {
    let layer = try #require(try Planner.solve(index, method: .layerOnly).plan)
    #expect(!layer.placements.isEmpty && layer.placements.allSatisfy { $0.granularity == .layer })
    let file = try #require(try Planner.solve(index, method: .fileOnly).plan)
    #expect(!file.placements.isEmpty && file.placements.allSatisfy { $0.granularity == .file })
    let popular = try #require(try Planner.solve(index, method: .popularity).plan)
    #expect(!popular.placements.isEmpty && popular.placements.allSatisfy { $0.granularity == .layer })
  }

  @Test func everyMethodIsFeasibleAndNoBetterThanExact() throws {
    let optimum = try #require(try Planner.solve(index, method: .exact).objective)
    for method in PlanningMethod.allCases {
      let result = try Planner.solve(index, method: method)
      let objective = try #require(result.objective, "\(method)")
      #expect(Tolerance.atMost(optimum, objective), "\(method)")
      #expect(result.metrics?.feasible == true)
    }
  }

  @Test func fileOnlyReportsAnInfeasibleRestrictionAsInfeasible() throws {
    // No origin link; two registries of 10 bytes. Three layers of 5-byte blobs, each one
    // 6-byte file: at layer level two fit per registry, at file level only one does. The
    // file-only LP is feasible (half of each layer in each registry), its MIP is not.
    var b = InstanceBuilder()
    b.addNode("n")
    for r in ["r1", "r2"] {
      b.addRegistry(r, capacityBytes: 10)
      b.addLink(node: "n", registry: r, bandwidthBytesPerSecond: 10, latencySeconds: 0)
    }
    for l in ["a", "b", "c"] {
      b.addFile("f-\(l)", sizeBytes: 6)
      b.addLayer(l, sizeBytes: 5, files: ["f-\(l)"])
    }
    b.addImage("i", layers: ["a", "b", "c"])
    b.addDemand(node: "n", image: "i", pulls: 1)
    let index = try ProblemIndex(try b.build())
    let file = try Planner.solve(index, method: .fileOnly)
    #expect(file.report.status == .infeasible)
    // Infeasible for the restriction says nothing of the full model: the method ran to
    // its end (the restricted wrapper's reading of `termination`).
    #expect(file.report.termination == .completed)
    #expect(file.plan == nil)
    let both = try Planner.solve(index, method: .approx)
    #expect(both.metrics?.feasible == true)
  }

  @Test func popularityFillsTheMostDemandedLayerFirst() throws {
    // One registry with room for exactly one of two layers: the more pulled one wins.
    var b = InstanceBuilder()
    b.addRegistry("r", capacityBytes: 10)
    b.addNode("n")
    b.addLink(node: "n", registry: "r", bandwidthBytesPerSecond: 10, latencySeconds: 0)
    b.addOriginLink(node: "n", bandwidthBytesPerSecond: 1, latencySeconds: 0)
    b.addLayer("cold", sizeBytes: 10, files: [])
    b.addLayer("hot", sizeBytes: 10, files: [])
    b.addImage("a", layers: ["cold"])
    b.addImage("b", layers: ["hot"])
    b.addDemand(node: "n", image: "a", pulls: 1)
    b.addDemand(node: "n", image: "b", pulls: 5)
    let result = Baselines.popularity(try ProblemIndex(try b.build()))
    #expect(result.plan?.placements == [Placement(registry: "r", layer: "hot", granularity: .layer)])
  }
}
