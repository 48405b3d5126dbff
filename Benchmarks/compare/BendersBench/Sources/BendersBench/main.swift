// benders-bench generate R N I SEED CONNECTIONS OUT.json
// benders-bench solve IN.json compact|benders SECONDS [key=value ...]
// benders-bench export-unreduced IN.json OUT.mps
//
// Prints one JSON object per command on standard output.
import Foundation
import MISModel
import MISSolver

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data((message + "\n").utf8))
  exit(2)
}

func json(_ pairs: [(String, Any?)]) -> String {
  let body = pairs.map { key, value -> String in
    let v: String
    switch value {
    case let d as Double: v = d.isFinite ? "\(d)" : "null"
    case let i as Int: v = "\(i)"
    case let s as String: v = "\"\(s)\""
    case let other?: v = "\"\(other)\""
    case nil: v = "null"
    }
    return "\"\(key)\": \(v)"
  }
  return "{" + body.joined(separator: ", ") + "}"
}

let args = CommandLine.arguments
guard args.count >= 2 else { fail("usage: benders-bench generate|solve|export-unreduced …") }
switch args[1] {
case "generate":
  guard args.count == 8, let r = Int(args[2]), let n = Int(args[3]), let i = Int(args[4]), let seed = UInt64(args[5]),
    let c = Int(args[6])
  else { fail("generate R N I SEED CONNECTIONS OUT.json") }
  let instance = InstanceGenerator.generate(
    GeneratorOptions(
      kind: .paper, seed: seed, registries: r, nodes: n, images: i, connections: c, capacityFraction: 0.3))
  guard FileManager.default.createFile(atPath: args[7], contents: Data(InstanceCodec.encode(instance))) else {
    fail("cannot write \(args[7])")
  }
  print(json([("layers", instance.layers.count), ("files", instance.files.count)]))
case "solve":
  guard args.count >= 5, let seconds = Double(args[4]) else { fail("solve IN.json compact|benders SECONDS [k=v…]") }
  let index: ProblemIndex
  do { index = try ProblemIndex(InstanceCodec.read(contentsOf: args[2])) } catch { fail("\(error)") }
  var options = ExactSolver.Options()
  options.timeLimitSeconds = seconds
  var benders = BendersOptions()
  for pair in args.dropFirst(5) {
    let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
    guard kv.count == 2 else { fail("bad option \(pair)") }
    let on = kv[1] == "1" || kv[1] == "true"
    switch kv[0] {
    case "rootRounds": benders.rootRounds = Int(kv[1]) ?? 0
    case "fractional": benders.fractionalCuts = on
    case "rootCutRounds": benders.rootCutRounds = Int(kv[1]) ?? 0
    case "nodeRounds": benders.nodeCutRounds = Int(kv[1]) ?? 0
    case "rounding": benders.roundingHeuristic = on
    case "priorities": benders.branchingPriorities = on
    case "cuts":
      let set = Set(kv[1].split(separator: "+").map(String.init))
      benders.glpkCuts = MIPOptions.Cuts(
        gomory: set.contains("gomory"), mir: set.contains("mir"), cover: set.contains("cover"),
        clique: set.contains("clique"))
    default: fail("unknown option \(kv[0])")
    }
  }
  let started = Date()
  let result: PlanningResult
  do {
    switch args[3] {
    case "compact":
      options.formulation = .compact
      result = try ExactSolver(options: options).solve(index)
    case "benders": result = try BendersSolver(options: options, benders: benders).solve(index)
    default: fail("formulation must be compact or benders")
    }
  } catch { fail("\(error)") }
  let wall = Date().timeIntervalSince(started)
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  let cpu =
    Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6 + Double(usage.ru_stime.tv_sec)
    + Double(usage.ru_stime.tv_usec) * 1e-6
  var fields: [(String, Any?)] = [
    ("formulation", args[3]), ("status", "\(result.status)"), ("objective", result.objective),
    ("bound", result.bound), ("seconds", wall), ("cpuSeconds", cpu),
  ]
  for (key, value) in result.report.details {
    if case .number(let x) = value { fields.append((key, x)) }
  }
  print(json(fields))
case "export-unreduced":
  guard args.count == 4 else { fail("export-unreduced IN.json OUT.mps") }
  do {
    let index = try ProblemIndex(InstanceCodec.read(contentsOf: args[2]))
    let formulation = Formulation(index, reductions: .none)
    try GLPKSolver.write(formulation.model, format: .mps, to: args[3])
    print(
      json([
        ("constant", formulation.originConstant), ("rows", formulation.model.rows.count),
        ("columns", formulation.model.columns.count),
      ]))
  } catch { fail("\(error)") }
default:
  fail("unknown command \(args[1])")
}
