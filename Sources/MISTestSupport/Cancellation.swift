import Foundation

/// Cancels `task` after `seconds` from a dedicated thread, outside Swift's cooperative pool.
///
/// A test that sleeps with `Task.sleep` and then cancels needs a cooperative-pool thread to
/// resume; on a 2-core machine the task under test holds one and the suite's other
/// synchronous tests can hold the other for longer than that task runs, so the cancellation
/// would come only after the task had ended.
public func cancel<Success: Sendable, Failure: Error>(_ task: Task<Success, Failure>, after seconds: Double) {
  Thread.detachNewThread {
    Thread.sleep(forTimeInterval: seconds)
    task.cancel()
  }
}
