import MISModel

/// Which model ``ExactSolver`` hands to GLPK.
///
/// Both give the same optimum (the model of `Docs/model.md`); they differ in speed. See
/// `Docs/exact-solver.md` for the measurements behind ``automatic``.
public enum ExactFormulation: String, Sendable, Hashable, CaseIterable {
  /// Let the solver choose from the instance's size (see ``resolved(for:)``).
  case automatic
  /// The reduced compact model (``Formulation``): routing columns `a`, `b` and linking rows.
  case compact
  /// Branch-and-Benders-cut on the thinned model (``BendersSolver``): placements, file
  /// groups and capacity in GLPK, routing as optimality cuts generated on demand.
  case benders

  /// The concrete formulation for `index`.
  ///
  /// `automatic` picks ``benders`` whenever the instance has a demanded pair with a source
  /// to route: the thinned master was never slower than the compact model in the
  /// measurements of `Docs/exact-solver.md` beyond a few hundredths of a second on the
  /// smallest instances.
  public func resolved(for index: ProblemIndex) -> ExactFormulation {
    switch self {
    case .compact, .benders: return self
    case .automatic: return .benders
    }
  }
}
