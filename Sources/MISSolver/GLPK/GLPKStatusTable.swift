// The (glp_intopt return code, glp_mip_status) → outcome table. Kept free of
// C so tests can enumerate it; GLPKProblem.swift converts raw codes.

/// `glp_intopt` return codes, as far as this layer distinguishes them.
enum IntoptReturn: Sendable, Hashable, CaseIterable {
  /// 0.
  case success
  /// `GLP_EBOUND`: incorrect bounds (validation should prevent it).
  case badBounds
  /// `GLP_EROOT`: no optimal root basis with presolve off.
  case noRootBasis
  /// `GLP_ENOPFS`: the presolver proved primal infeasibility.
  case noPrimalFeasible
  /// `GLP_ENODFS`: the relaxation has no dual feasible solution.
  case noDualFeasible
  /// `GLP_EFAIL`: the root LP solver failed.
  case solverFailed
  /// `GLP_EMIPGAP`: `mip_gap` reached.
  case gapReached
  /// `GLP_ETMLIM`: `tm_lim` reached.
  case timeLimit
  /// `GLP_ESTOP`: `glp_ios_terminate` was called.
  case stopped
  /// Anything else.
  case other
}

/// `glp_mip_status` values.
enum MIPSolutionStatus: Sendable, Hashable, CaseIterable {
  /// `GLP_UNDEF`.
  case undefined
  /// `GLP_OPT`.
  case optimal
  /// `GLP_FEAS`.
  case feasible
  /// `GLP_NOFEAS`.
  case noFeasible
}

/// One answer of the table.
enum MIPStatusMapping: Sendable, Hashable {
  /// A result.
  case outcome(MIPOutcome.Status, MIPOutcome.Termination)
  /// Not a result: the solve could not run.
  case failure(String)
}

enum MIPStatusTable {
  /// Rows are matched top to bottom; `nil` status matches any status.
  static let rows: [(IntoptReturn, MIPSolutionStatus?, MIPStatusMapping)] = [
    (.success, .optimal, .outcome(.optimal, .optimal)),
    (.success, .noFeasible, .outcome(.infeasible, .infeasible)),
    (.noPrimalFeasible, nil, .outcome(.infeasible, .infeasible)),
    (.noDualFeasible, nil, .outcome(.unbounded, .unbounded)),
    (.gapReached, .feasible, .outcome(.feasible, .gapLimit)),
    (.gapReached, .optimal, .outcome(.optimal, .gapLimit)),
    (.timeLimit, .feasible, .outcome(.feasible, .timeLimit)),
    (.timeLimit, .undefined, .outcome(.noSolution, .timeLimit)),
    (.timeLimit, .noFeasible, .outcome(.noSolution, .timeLimit)),
    (.stopped, .feasible, .outcome(.feasible, .cancelled)),
    (.stopped, .undefined, .outcome(.noSolution, .cancelled)),
    (.stopped, .noFeasible, .outcome(.noSolution, .cancelled)),
    (.badBounds, nil, .failure("GLP_EBOUND: incorrect bounds passed validation")),
    (.noRootBasis, nil, .failure("GLP_EROOT: no optimal root basis")),
    (.solverFailed, nil, .failure("GLP_EFAIL: root LP relaxation solver failed")),
  ]

  /// Maps a `glp_intopt` outcome to a result or a failure.
  ///
  /// Pairs not in ``rows`` (for example success with status `GLP_FEAS`, which
  /// GLPK does not produce) are failures, never guesses.
  static func map(_ code: IntoptReturn, _ status: MIPSolutionStatus) -> MIPStatusMapping {
    for (rowCode, rowStatus, mapping) in rows
    where rowCode == code && (rowStatus == nil || rowStatus == status) {
      return mapping
    }
    return .failure("unexpected glp_intopt result \(code) with glp_mip_status \(status)")
  }
}
