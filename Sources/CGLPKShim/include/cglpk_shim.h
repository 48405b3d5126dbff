// CGLPKShim: the few lines of C that Swift cannot write.
//
// GLPK reports internal errors (failed assertions, out of memory, bad
// arguments) through glp_error, which calls an optional hook and then abort().
// The only documented way to survive is for the hook to longjmp back to a
// point set with setjmp, after which glp_free_env() must be called. Swift can
// call neither setjmp nor longjmp, and a longjmp must never cross Swift frames.
// So every GLPK call that can fail after Swift-side validation runs inside one
// of the guarded wrappers below, and the branch-and-cut callback is a C
// function that calls glp_ios_* itself and hands Swift only plain values.
//
// Contract for every mis_glpk_* function taking `int *aborted`:
//   *aborted == 0: the call returned normally; the result is GLPK's.
//   *aborted == 1: GLPK raised an internal error. The calling thread's GLPK
//                  environment has been freed (glp_free_env), so every
//                  glp_prob created on this thread is gone and must NOT be
//                  deleted or used again. mis_glpk_message() holds GLPK's text.
#ifndef MIS_CGLPK_SHIM_H
#define MIS_CGLPK_SHIM_H

#include <glpk.h>

/// A snapshot of the branch-and-cut search, taken inside GLPK's callback.
typedef struct mis_glpk_event {
  int reason;                 ///< GLP_ISELECT, GLP_IBINGO, GLP_IHEUR, ...
  int has_incumbent;          ///< 1 if an integer feasible solution is known
  double incumbent_objective; ///< objective of that solution
  int has_bound;              ///< 1 if an active node exists
  double best_bound;          ///< local bound of the best active node
  int active_nodes;           ///< a_cnt of glp_ios_tree_size
  int total_nodes;            ///< t_cnt of glp_ios_tree_size
  int incumbent_state;        ///< see mis_glpk_callback.incumbent_state
  int simplex_iterations;     ///< glp_get_it_cnt of the problem so far
} mis_glpk_event;

/// Swift's side of the callback: plain values in, 1 = terminate, 0 = go on.
/// Must not call GLPK.
typedef int (*mis_glpk_event_fn)(void *context, const mis_glpk_event *event);

/// Callback configuration for mis_glpk_intopt.
typedef struct mis_glpk_callback {
  mis_glpk_event_fn fn;  ///< may be NULL
  void *context;         ///< passed to fn unchanged
  /// 1-based start vector x[1..n] (x[0] unused) offered once at the first
  /// GLP_IHEUR via glp_ios_heur_sol, or NULL. It must already be checked
  /// feasible and integral (GLPK checks neither feasibility nor tolerance),
  /// and the MIP presolver must be off (GLPK expects presolved columns).
  const double *incumbent;
  /// Out: 0 = not offered (no GLP_IHEUR happened), 1 = accepted,
  /// 2 = rejected by GLPK (not better than its own incumbent).
  int incumbent_state;
} mis_glpk_callback;

/// Marks this thread as inside a solve. Returns 0 if it already was
/// (a re-entrant call from a callback), in which case do not call leave.
int mis_glpk_enter(void);
/// Ends what mis_glpk_enter began.
void mis_glpk_leave(void);
/// Terminal output off, output captured (tail kept) for error messages.
void mis_glpk_quiet(void);
/// The tail of GLPK's last captured output (NUL-terminated, never NULL).
const char *mis_glpk_message(void);

/// Loads a whole problem: n columns, m rows, ne non-zeros, arrays 1-based
/// as glp_load_matrix wants them (element 0 unused). Types are GLP_FR, ...
/// kinds GLP_CV/GLP_IV. Names may be NULL (no names) or arrays of n+1/m+1.
void mis_glpk_load(glp_prob *P, int n, const int *col_type,
                   const double *col_lb, const double *col_ub,
                   const double *col_obj, const int *col_kind, double obj_const,
                   int m, const int *row_type, const double *row_lb,
                   const double *row_ub, int ne, const int *ia, const int *ja,
                   const double *ar, const char *const *col_names,
                   const char *const *row_names, int *aborted);

int mis_glpk_simplex(glp_prob *P, const glp_smcp *parm, int *aborted);
int mis_glpk_exact(glp_prob *P, const glp_smcp *parm, int *aborted);
int mis_glpk_interior(glp_prob *P, const glp_iptcp *parm, int *aborted);
/// glp_intopt with parm->cb_func/cb_info replaced by the shim's callback.
int mis_glpk_intopt(glp_prob *P, glp_iocp *parm, mis_glpk_callback *cb,
                    int *aborted);
/// Builds a standard or advanced basis (may be needed before a retry).
void mis_glpk_adv_basis(glp_prob *P, int *aborted);
int mis_glpk_write_mps(glp_prob *P, const char *fname, int *aborted);
int mis_glpk_write_lp(glp_prob *P, const char *fname, int *aborted);

// ---- branch-and-cut with application rows --------------------------------

/// Rows handed from Swift to C: row k has the elements
/// ind[start[k]+1 .. start[k+1]] / val[...] (1-based column numbers; ind[0]
/// and val[0] are unused padding so that ind + start[k] is GLPK's 1-based
/// array), type GLP_LO/GLP_UP/GLP_DB/GLP_FX and bounds lb, ub.
typedef struct mis_glpk_rows {
  int count;
  const int *start;
  const int *ind;
  const double *val;
  const int *type;
  const double *lb;
  const double *ub;
} mis_glpk_rows;

/// Swift's row generator: `x` holds the current LP point x[1..n]. Fills
/// `out` (pointers must stay valid until the next call) and returns the
/// number of rows. Must not call GLPK.
typedef int (*mis_glpk_rowgen_fn)(void *context, int reason, int node,
                                  int level, const double *x, int n,
                                  mis_glpk_rows *out);
/// Swift's primal heuristic: writes a full solution to sol[1..n] and returns
/// 1, or returns 0. The solution must satisfy every row, including rows the
/// generator would add. Must not call GLPK.
typedef int (*mis_glpk_heur_fn)(void *context, int node, const double *x,
                                int n, double *sol);

/// Hooks for mis_glpk_intopt_bc. Rows returned at GLP_IROWGEN are added as
/// lazy rows; at GLP_ICUTGEN they go to GLPK's local cut pool (single-sided
/// rows only), from which GLPK adds the useful ones and later removes
/// inactive ones.
typedef struct mis_glpk_bc_hooks {
  mis_glpk_rowgen_fn rowgen;  ///< may be NULL
  mis_glpk_heur_fn heuristic; ///< may be NULL
  void *context;              ///< passed unchanged
  /// Branching priorities p[1..n] (higher first among the columns GLPK can
  /// branch on; ties to the most fractional value), or NULL for GLPK's rule.
  const double *priority;
  /// Scratch of n+1 doubles for the LP point and n+1 for a heuristic
  /// solution, owned by the caller.
  double *point;
  double *solution;
  /// Out: rows added, heuristic solutions accepted by GLPK.
  int rows_added;
  int heuristic_accepted;
} mis_glpk_bc_hooks;

/// glp_intopt like mis_glpk_intopt, with the hooks above. The MIP presolver
/// must be off (the hooks work in the original columns).
int mis_glpk_intopt_bc(glp_prob *P, glp_iocp *parm, mis_glpk_callback *cb,
                       mis_glpk_bc_hooks *hooks, int *aborted);
/// glp_scale_prob(P, GLP_SF_AUTO), or (equilibrate_only != 0) one pass of
/// GLP_SF_EQ | GLP_SF_2N: row and column scaling, which GLPK's tolerances need
/// when coefficients span many orders of magnitude (bytes in capacity rows
/// beside seconds in cost rows).
void mis_glpk_scale(glp_prob *P, int equilibrate_only, int *aborted);
/// Appends rows to a problem outside the search (e.g. cuts of a root
/// separation loop before glp_intopt). Returns the number of the first row.
int mis_glpk_add_rows(glp_prob *P, const mis_glpk_rows *rows, int *aborted);

#endif
