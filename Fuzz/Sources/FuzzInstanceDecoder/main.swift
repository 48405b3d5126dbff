import CFuzzDriver
import Foundation
import MISModel

/// An instance every plan input is evaluated against.
let planTarget: ProblemIndex? = try? ProblemIndex(ReferenceExamples.threeRegistries)

/// Checks a thrown error is one of the promised kinds; traps (a libFuzzer crash) otherwise.
func checkError(_ error: ModelError, _ bytes: [UInt8], plan: Bool) {
  _ = error.description
  switch error {
  case .malformedJSON(let line, let column, let message):
    let lines = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    precondition(
      line >= 1 && line <= lines && column >= 1 && column <= bytes.count + 1, "bad position \(line):\(column)")
    precondition(!message.isEmpty, "malformed JSON without a message")
  case .invalidInstance(let issues):
    precondition(!plan, "plan decoding threw invalidInstance")
    precondition(!issues.isEmpty, "no issues")
    for issue in issues {
      precondition(
        !issue.path.isEmpty && !issue.field.isEmpty && !issue.message.isEmpty, "issue without path/field: \(issue)")
    }
  case .invalidPlan(let issues):
    precondition(plan, "instance decoding threw invalidPlan")
    precondition(!issues.isEmpty, "no issues")
    for issue in issues {
      precondition(
        !issue.path.isEmpty && !issue.field.isEmpty && !issue.message.isEmpty, "issue without path/field: \(issue)")
    }
  case .io:
    preconditionFailure("decoding bytes threw an I/O error")
  }
}

/// The fuzz callback: the bytes as an instance document (decode, validate, index,
/// evaluate the empty plan, round-trip) and as a plan document (decode, evaluate).
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  do {
    let instance = try InstanceCodec.decode(bytes)
    let index: ProblemIndex
    do {
      index = try ProblemIndex(instance)
    } catch {
      preconditionFailure("a decoded instance fails ProblemIndex: \(error)")
    }
    _ = index.evaluate(Plan.empty)
    do {
      let again = try InstanceCodec.decode(InstanceCodec.encode(instance, pretty: false))
      precondition(again == instance, "round trip changed the instance")
    } catch {
      preconditionFailure("a re-encoded valid instance does not decode: \(error)")
    }
  } catch {
    checkError(error, bytes, plan: false)
  }
  do {
    let plan = try PlanCodec.decode(bytes)
    if let planTarget {
      let metrics = planTarget.evaluate(plan)
      precondition(metrics.feasible == metrics.violations.isEmpty, "feasible flag disagrees with violations")
    }
  } catch {
    checkError(error, bytes, plan: true)
  }
  return 0
}

// SwiftPM links its own `main` for executables, so libFuzzer's is not used: run its driver.
var arguments = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &argv) { data, size in fuzzOneInput(data, size) })
