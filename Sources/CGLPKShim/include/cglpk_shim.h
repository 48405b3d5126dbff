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

#endif
