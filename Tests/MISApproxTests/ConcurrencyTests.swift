import MISApprox
import MISModel
import MISSolver
import Testing

/// Many simultaneous solves (each ExactSolver solve owns its GLPK problem on one thread;
/// ApproxSolver runs its own trial threads) give exactly the serial results.
@Suite struct ConcurrencyTests {
  struct Job: Sendable {
    var name: String
    var index: ProblemIndex
    var exact: Bool
  }

  /// What must be identical between runs: status, objective, bound, and the plan.
  struct Fingerprint: Sendable, Equatable {
    var status: SolveStatus
    var objective: Double?
    var bound: Double?
    var placements: [UInt8]?
  }

  static func run(_ job: Job) -> Result<Fingerprint, SolverError> {
    Result { () throws(SolverError) -> Fingerprint in
      let result: PlanningResult
      if job.exact {
        result = try ExactSolver().solve(job.index)
      } else {
        result = try ApproxSolver(options: .init(seed: 11, trials: 8, parallelism: 2)).solve(job.index)
      }
      return Fingerprint(
        status: result.status, objective: result.objective, bound: result.bound, placements: result.matrix?.rawStates)
    }
  }

  @Test func parallelSolvesEqualSerialOnes() async throws {
    var jobs: [Job] = []
    let reference = try ProblemIndex(ReferenceExamples.threeRegistries)
    jobs.append(Job(name: "reference exact", index: reference, exact: true))
    jobs.append(Job(name: "reference approx", index: reference, exact: false))
    for seed in 0..<6 as Range<UInt64> {
      var options = GeneratorOptions(kind: .tiny, seed: 100 + seed)
      if seed % 3 == 0 { options.includeOrigin = false }
      let index = try ProblemIndex(InstanceGenerator.generate(options))
      jobs.append(Job(name: "tiny-\(100 + seed) exact", index: index, exact: true))
      jobs.append(Job(name: "tiny-\(100 + seed) approx", index: index, exact: false))
    }
    let paper = try ProblemIndex(
      InstanceGenerator.generate(
        GeneratorOptions(kind: .paper, seed: 5, registries: 3, nodes: 4, images: 8, filesPerImageScale: 0.05)))
    jobs.append(Job(name: "paper exact", index: paper, exact: true))
    jobs.append(Job(name: "paper approx", index: paper, exact: false))
    #expect(jobs.count >= 16)

    let serial = jobs.map(Self.run)
    // Twice in parallel, all jobs at once (8 exact + 8 approx at least).
    for round in 0..<2 {
      let parallel = await withTaskGroup(of: (Int, Result<Fingerprint, SolverError>).self) { group in
        for (i, job) in jobs.enumerated() {
          group.addTask { (i, Self.run(job)) }
        }
        var out = [Result<Fingerprint, SolverError>?](repeating: nil, count: jobs.count)
        for await (i, result) in group { out[i] = result }
        return out
      }
      for (i, job) in jobs.enumerated() {
        switch (serial[i], parallel[i]) {
        case (.success(let a), .success(let b)?):
          #expect(a == b, "round \(round), \(job.name): serial \(a) vs parallel \(b)")
        case (.failure(let a), .failure(let b)?):
          #expect(a == b, "round \(round), \(job.name)")
        default:
          Issue.record(
            "round \(round), \(job.name): serial \(serial[i]) vs parallel \(String(describing: parallel[i]))")
        }
      }
    }
  }
}
