import MISModel
import MISSolver
import MISTestSupport
import Testing

/// Seeded tiny instances: with and without an origin; some infeasible (capacity squeezed
/// where nodes have no origin link).
func tinyInstance(_ seed: UInt64) -> Instance {
  var options = GeneratorOptions(kind: .tiny, seed: seed)
  switch seed % 5 {
  case 0: options.includeOrigin = false
  case 1: options.capacityFraction = 0.15
  case 2: options.capacityFraction = 0.6
  default: break
  }
  var instance = InstanceGenerator.generate(options)
  if seed % 7 == 3 {
    // Starve one registry: nodes without an origin may then have no feasible plan.
    instance.registries[0].capacityBytes = 0
    instance.origin = nil
  }
  return instance
}

@Suite struct ExactSolverTests {
  /// Seeds of tiny instances small enough for the brute force (≤ 13 demanded slots, so
  /// at most 3^13 plans before capacity pruning): 60 of them.
  static let bruteForceSeeds: [Int] = {
    var seeds: [Int] = []
    var seed = 0
    while seeds.count < 60 {
      let instance = tinyInstance(UInt64(seed))
      if let index = try? ProblemIndex(instance) {
        let demanded = (0..<index.layerCount).filter { !index.layerDemand[$0].isEmpty }.count
        if demanded * index.registryCount <= 13 { seeds.append(seed) }
      }
      seed += 1
    }
    return seeds
  }()

  @Test(arguments: bruteForceSeeds)
  func optimumEqualsBruteForce(seed: Int) throws {
    let instance = tinyInstance(UInt64(seed))
    let index = try ProblemIndex(instance)
    let result = try ExactSolver().solve(index)
    let reference = BruteForce.optimum(instance)
    guard let reference else {
      #expect(result.status == .infeasible, "brute force finds no feasible plan")
      return
    }
    #expect(result.status == .optimal)
    let objective = try #require(result.objective)
    #expect(
      Tolerance.objectivesAgree(objective, reference.objective),
      "exact \(objective) vs brute force \(reference.objective)")
    // The returned plan evaluates to the reported optimum.
    let plan = try #require(result.plan)
    let metrics = index.evaluate(plan)
    #expect(metrics.feasible)
    #expect(metrics.totalLatencySeconds.map { Tolerance.objectivesAgree($0, objective) } == true)
    #expect(result.bound.map { Tolerance.objectivesAgree($0, objective) } == true)
  }

  @Test(arguments: 0..<30)
  func reductionsKeepTheOptimum(seed: Int) throws {
    let index = try ProblemIndex(tinyInstance(UInt64(seed) &+ 1000))
    let reduced = try ExactSolver().solve(index)
    var options = ExactSolver.Options()
    options.reductions = .none
    let full = try ExactSolver(options: options).solve(index)
    #expect(reduced.status == full.status)
    if let a = reduced.objective, let b = full.objective {
      #expect(Tolerance.objectivesAgree(a, b))
    }
  }

  /// Each reduction on its own, on the reference example (whose optimum mixes granularities
  /// and shares files). Paper-kind instances are too slow here without the file-class
  /// reduction: that is measured in the benchmarks.
  @Test(arguments: [ReferenceExamples.threeRegistries, tinyInstance(2), tinyInstance(7)])
  func eachReductionAloneKeepsTheOptimum(instance: Instance) throws {
    let index = try ProblemIndex(instance)
    let reference = try #require(try ExactSolver().solve(index).objective)
    let singles: [Reductions] = [
      Reductions(fileClasses: true, dominatedSources: false, uselessPlacements: false, zeroDemandLayers: false),
      Reductions(fileClasses: false, dominatedSources: true, uselessPlacements: false, zeroDemandLayers: false),
      Reductions(fileClasses: false, dominatedSources: false, uselessPlacements: true, zeroDemandLayers: false),
      Reductions(fileClasses: false, dominatedSources: false, uselessPlacements: false, zeroDemandLayers: true),
    ]
    for reductions in singles {
      var options = ExactSolver.Options()
      options.reductions = reductions
      let result = try ExactSolver(options: options).solve(index)
      #expect(result.status == .optimal)
      #expect(result.objective.map { Tolerance.objectivesAgree($0, reference) } == true, "\(reductions)")
    }
  }

  @Test func reductionsShrinkTheModel() throws {
    let index = try ProblemIndex(InstanceGenerator.generate(GeneratorOptions(kind: .paper, seed: 5)))
    let reduced = Formulation(index)
    #expect(reduced.size.columns < reduced.unreducedSize.columns)
    #expect(reduced.size.nonzeros < reduced.unreducedSize.nonzeros)
  }

  @Test func referenceExampleMixesGranularities() throws {
    let index = try ProblemIndex(ReferenceExamples.threeRegistries)
    let result = try ExactSolver().solve(index)
    #expect(result.status == .optimal)
    let matrix = try #require(result.matrix)
    let states = Set(matrix.rawStates)
    #expect(states.contains(1) && states.contains(2), "the optimum uses both granularities")
    // And it beats the best layer-only and the best file-only plans.
    let objective = try #require(result.objective)
    for only in [Granularity.layer, .file] {
      var options = ExactSolver.Options()
      options.granularities = [only]
      let restricted = try #require(try ExactSolver(options: options).solve(index).objective)
      #expect(objective < restricted * 0.95, "mixed \(objective) vs \(only)-only \(restricted)")
    }
  }

  @Test func infeasibleInstanceIsAResult() throws {
    var b = InstanceBuilder()
    b.addRegistry("r", capacityBytes: 5)
    b.addNode("n")
    b.addLink(node: "n", registry: "r", bandwidthBytesPerSecond: 1, latencySeconds: 0)
    b.addFile("f", sizeBytes: 10)
    b.addLayer("l", sizeBytes: 10, files: ["f"])
    b.addImage("i", layers: ["l"])
    b.addDemand(node: "n", image: "i", pulls: 1)
    let result = try ExactSolver().solve(try b.build())
    #expect(result.status == .infeasible)
    #expect(result.plan == nil)
  }

  /// The one-pass check `mis validate` uses finds the same pairs as the built model, on
  /// instances where some are impossible (a starved registry, no origin) and where none is.
  @Test func impossiblePairsWithoutBuildingTheModel() throws {
    var sawImpossible = false
    for seed in 0..<40 as Range<UInt64> {
      var instance = tinyInstance(seed)
      if seed % 3 == 0, !instance.registries.isEmpty {
        // Room for some blobs but not for their files, or the reverse.
        instance.registries[instance.registries.count - 1].capacityBytes /= 4
        instance.origin = nil
      }
      guard let index = try? ProblemIndex(instance) else { continue }
      for granularities: Set<Granularity> in [[.layer, .file], [.layer], [.file]] {
        let built = Formulation(index, granularities: granularities).impossiblePairs.map { [$0.node, $0.layer] }
        let direct = Formulation.impossiblePairs(index, granularities: granularities).map { [$0.node, $0.layer] }
        #expect(built == direct, "seed \(seed), \(granularities)")
        sawImpossible = sawImpossible || !built.isEmpty
      }
    }
    #expect(sawImpossible, "the seeds exercise impossible pairs")
  }

  @Test func invalidInstanceIsATypedError() {
    var instance = handInstanceForSolver()
    instance.registries[0].capacityBytes = -1
    #expect(throws: SolverError.self) { try ExactSolver().solve(instance) }
  }
}

func handInstanceForSolver() -> Instance { ReferenceExamples.threeRegistries }
