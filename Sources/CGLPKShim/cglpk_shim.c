// See include/cglpk_shim.h for the contract. Only C frames ever lie between a
// setjmp here and the longjmp in error_hook: Swift code runs only inside
// mis_glpk_event_fn, which returns before GLPK is called again.
#include "cglpk_shim.h"

#include <setjmp.h>
#include <string.h>

enum { MESSAGE_CAPACITY = 2048 };

static _Thread_local jmp_buf *current_jump;
static _Thread_local int depth;
static _Thread_local char message[MESSAGE_CAPACITY];
static _Thread_local size_t message_length;

static int term_hook(void *info, const char *s) {
  (void)info;
  size_t n = strlen(s);
  if (n >= MESSAGE_CAPACITY) {
    s += n - (MESSAGE_CAPACITY - 1);
    n = MESSAGE_CAPACITY - 1;
  }
  if (message_length + n >= MESSAGE_CAPACITY) {
    // Keep the tail: drop the oldest bytes.
    size_t drop = message_length + n - (MESSAGE_CAPACITY - 1);
    memmove(message, message + drop, message_length - drop);
    message_length -= drop;
  }
  memcpy(message + message_length, s, n);
  message_length += n;
  message[message_length] = '\0';
  return 1;  // never print
}

static void error_hook(void *info) {
  (void)info;
  if (current_jump != NULL) longjmp(*current_jump, 1);
  // No guard active: returning makes GLPK abort(), as without a hook.
}

int mis_glpk_enter(void) {
  if (depth > 0) return 0;
  depth = 1;
  return 1;
}

void mis_glpk_leave(void) { depth = 0; }

void mis_glpk_quiet(void) {
  message_length = 0;
  message[0] = '\0';
  glp_term_out(GLP_OFF);  // glp_error turns it back on for its message
  glp_term_hook(term_hook, NULL);
}

const char *mis_glpk_message(void) { return message; }

typedef void (*body_fn)(void *args);

// Runs body(args) with GLPK errors turned into *aborted = 1.
static void guarded(body_fn body, void *args, int *aborted) {
  jmp_buf here;
  jmp_buf *volatile saved = current_jump;
  *aborted = 0;
  if (setjmp(here) != 0) {
    current_jump = saved;
    glp_error_hook(NULL, NULL);
    // GLPK's state is undefined after an error; the manual requires this.
    glp_free_env();
    *aborted = 1;
    return;
  }
  current_jump = &here;
  glp_error_hook(error_hook, NULL);
  body(args);
  glp_error_hook(NULL, NULL);
  current_jump = saved;
}

// ---- load -------------------------------------------------------------------

struct load_args {
  glp_prob *P;
  int n, m, ne;
  const int *col_type, *col_kind, *row_type, *ia, *ja;
  const double *col_lb, *col_ub, *col_obj, *row_lb, *row_ub, *ar;
  double obj_const;
  const char *const *col_names, *const *row_names;
};

static void load_body(void *raw) {
  struct load_args *a = raw;
  glp_set_obj_dir(a->P, GLP_MIN);
  if (a->m > 0) glp_add_rows(a->P, a->m);
  if (a->n > 0) glp_add_cols(a->P, a->n);
  glp_set_obj_coef(a->P, 0, a->obj_const);
  for (int j = 1; j <= a->n; j++) {
    glp_set_col_bnds(a->P, j, a->col_type[j], a->col_lb[j], a->col_ub[j]);
    glp_set_obj_coef(a->P, j, a->col_obj[j]);
    if (a->col_kind[j] != GLP_CV) glp_set_col_kind(a->P, j, a->col_kind[j]);
    if (a->col_names != NULL) glp_set_col_name(a->P, j, a->col_names[j]);
  }
  for (int i = 1; i <= a->m; i++) {
    glp_set_row_bnds(a->P, i, a->row_type[i], a->row_lb[i], a->row_ub[i]);
    if (a->row_names != NULL) glp_set_row_name(a->P, i, a->row_names[i]);
  }
  if (a->ne > 0) glp_load_matrix(a->P, a->ne, a->ia, a->ja, a->ar);
}

void mis_glpk_load(glp_prob *P, int n, const int *col_type,
                   const double *col_lb, const double *col_ub,
                   const double *col_obj, const int *col_kind, double obj_const,
                   int m, const int *row_type, const double *row_lb,
                   const double *row_ub, int ne, const int *ia, const int *ja,
                   const double *ar, const char *const *col_names,
                   const char *const *row_names, int *aborted) {
  struct load_args a = {
      .P = P, .n = n, .m = m, .ne = ne,
      .col_type = col_type, .col_kind = col_kind, .row_type = row_type,
      .ia = ia, .ja = ja,
      .col_lb = col_lb, .col_ub = col_ub, .col_obj = col_obj,
      .row_lb = row_lb, .row_ub = row_ub, .ar = ar,
      .obj_const = obj_const, .col_names = col_names, .row_names = row_names};
  guarded(load_body, &a, aborted);
}

// ---- LP ---------------------------------------------------------------------

struct lp_args {
  glp_prob *P;
  const glp_smcp *smcp;
  const glp_iptcp *iptcp;
  int result;
};

static void simplex_body(void *raw) {
  struct lp_args *a = raw;
  a->result = glp_simplex(a->P, a->smcp);
}

static void exact_body(void *raw) {
  struct lp_args *a = raw;
  a->result = glp_exact(a->P, a->smcp);
}

static void interior_body(void *raw) {
  struct lp_args *a = raw;
  a->result = glp_interior(a->P, a->iptcp);
}

static void adv_basis_body(void *raw) {
  struct lp_args *a = raw;
  glp_adv_basis(a->P, 0);
}

int mis_glpk_simplex(glp_prob *P, const glp_smcp *parm, int *aborted) {
  struct lp_args a = {P, parm, NULL, -1};
  guarded(simplex_body, &a, aborted);
  return a.result;
}

int mis_glpk_exact(glp_prob *P, const glp_smcp *parm, int *aborted) {
  struct lp_args a = {P, parm, NULL, -1};
  guarded(exact_body, &a, aborted);
  return a.result;
}

int mis_glpk_interior(glp_prob *P, const glp_iptcp *parm, int *aborted) {
  struct lp_args a = {P, NULL, parm, -1};
  guarded(interior_body, &a, aborted);
  return a.result;
}

void mis_glpk_adv_basis(glp_prob *P, int *aborted) {
  struct lp_args a = {P, NULL, NULL, -1};
  guarded(adv_basis_body, &a, aborted);
}

// ---- MIP --------------------------------------------------------------------

static void report_event(glp_tree *T, mis_glpk_callback *cb, int reason) {
  if (reason == GLP_IHEUR && cb->incumbent != NULL &&
      cb->incumbent_state == 0) {
    cb->incumbent_state = glp_ios_heur_sol(T, cb->incumbent) == 0 ? 1 : 2;
  }
  if (cb->fn == NULL) return;
  if (reason != GLP_ISELECT && reason != GLP_IBINGO && reason != GLP_IHEUR)
    return;
  mis_glpk_event e;
  memset(&e, 0, sizeof e);
  e.reason = reason;
  glp_prob *P = glp_ios_get_prob(T);
  int status = glp_mip_status(P);
  if (status == GLP_FEAS || status == GLP_OPT) {
    e.has_incumbent = 1;
    e.incumbent_objective = glp_mip_obj_val(P);
  }
  int best = glp_ios_best_node(T);
  if (best != 0) {
    e.has_bound = 1;
    e.best_bound = glp_ios_node_bound(T, best);
  }
  int a_cnt = 0, n_cnt = 0, t_cnt = 0;
  glp_ios_tree_size(T, &a_cnt, &n_cnt, &t_cnt);
  e.active_nodes = a_cnt;
  e.total_nodes = t_cnt;
  e.incumbent_state = cb->incumbent_state;
  e.simplex_iterations = glp_get_it_cnt(P);
  if (cb->fn(cb->context, &e) != 0) glp_ios_terminate(T);
}

static void intopt_callback(glp_tree *T, void *info) {
  report_event(T, info, glp_ios_reason(T));
}

struct intopt_args {
  glp_prob *P;
  glp_iocp *parm;
  int result;
};

static void intopt_body(void *raw) {
  struct intopt_args *a = raw;
  a->result = glp_intopt(a->P, a->parm);
}

int mis_glpk_intopt(glp_prob *P, glp_iocp *parm, mis_glpk_callback *cb,
                    int *aborted) {
  parm->cb_func = intopt_callback;
  parm->cb_info = cb;
  struct intopt_args a = {P, parm, -1};
  guarded(intopt_body, &a, aborted);
  return a.result;
}

// ---- branch-and-cut with application rows ---------------------------------

struct bc_info {
  mis_glpk_callback *cb;
  mis_glpk_bc_hooks *hooks;
};

static void add_rows_body(glp_prob *P, const mis_glpk_rows *rows) {
  if (rows->count <= 0) return;
  int first = glp_add_rows(P, rows->count);
  for (int k = 0; k < rows->count; k++) {
    int s = rows->start[k];
    int len = rows->start[k + 1] - s;
    glp_set_mat_row(P, first + k, len, rows->ind + s, rows->val + s);
    glp_set_row_bnds(P, first + k, rows->type[k], rows->lb[k], rows->ub[k]);
  }
}

static void read_point(glp_prob *P, double *x, int n) {
  x[0] = 0;
  for (int j = 1; j <= n; j++) x[j] = glp_get_col_prim(P, j);
}

static void intopt_bc_callback(glp_tree *T, void *info) {
  struct bc_info *bc = info;
  mis_glpk_bc_hooks *h = bc->hooks;
  int reason = glp_ios_reason(T);
  glp_prob *P = glp_ios_get_prob(T);
  int n = glp_get_num_cols(P);
  int node = glp_ios_curr_node(T);
  int level = node != 0 ? glp_ios_node_level(T, node) : 0;
  if ((reason == GLP_IROWGEN || reason == GLP_ICUTGEN) && h->rowgen != NULL) {
    read_point(P, h->point, n);
    mis_glpk_rows rows;
    memset(&rows, 0, sizeof rows);
    int count = h->rowgen(h->context, reason, node, level, h->point, n, &rows);
    if (count > 0 && reason == GLP_IROWGEN) {
      // Lazy rows go straight into the current subproblem (GLPK re-optimises).
      rows.count = count;
      add_rows_body(P, &rows);
      h->rows_added += count;
    } else if (count > 0) {
      // Cuts go to the local cut pool: adding rows here would invalidate the basis
      // factorization GLPK's own cut generators need in the same round. Only
      // single-sided rows fit the pool.
      for (int k = 0; k < count; k++) {
        int s = rows.start[k];
        int len = rows.start[k + 1] - s;
        if (rows.type[k] == GLP_LO)
          glp_ios_add_row(T, NULL, 101, 0, len, rows.ind + s, rows.val + s,
                          GLP_LO, rows.lb[k]);
        else if (rows.type[k] == GLP_UP)
          glp_ios_add_row(T, NULL, 101, 0, len, rows.ind + s, rows.val + s,
                          GLP_UP, rows.ub[k]);
        else
          continue;
        h->rows_added += 1;
      }
    }
  } else if (reason == GLP_IHEUR && h->heuristic != NULL) {
    // The caller's start vector first, so that it is judged on its own.
    if (bc->cb->incumbent != NULL && bc->cb->incumbent_state == 0)
      bc->cb->incumbent_state =
          glp_ios_heur_sol(T, bc->cb->incumbent) == 0 ? 1 : 2;
    read_point(P, h->point, n);
    h->solution[0] = 0;
    if (h->heuristic(h->context, node, h->point, n, h->solution) != 0 &&
        glp_ios_heur_sol(T, h->solution) == 0)
      h->heuristic_accepted += 1;
  } else if (reason == GLP_IBRANCH && h->priority != NULL) {
    int best = 0;
    double best_priority = 0, best_fraction = 0;
    for (int j = 1; j <= n; j++) {
      if (!glp_ios_can_branch(T, j)) continue;
      double v = glp_get_col_prim(P, j);
      double f = v - (double)(long long)v;
      double fraction = f < 0.5 ? f : 1 - f;
      if (best == 0 || h->priority[j] > best_priority ||
          (h->priority[j] == best_priority && fraction > best_fraction)) {
        best = j;
        best_priority = h->priority[j];
        best_fraction = fraction;
      }
    }
    if (best != 0) glp_ios_branch_upon(T, best, GLP_NO_BRNCH);
  }
  // Start vector (offered before, see above) and progress reporting,
  // exactly as mis_glpk_intopt.
  report_event(T, bc->cb, reason);
}

int mis_glpk_intopt_bc(glp_prob *P, glp_iocp *parm, mis_glpk_callback *cb,
                       mis_glpk_bc_hooks *hooks, int *aborted) {
  struct bc_info info = {cb, hooks};
  parm->cb_func = intopt_bc_callback;
  parm->cb_info = &info;
  struct intopt_args a = {P, parm, -1};
  guarded(intopt_body, &a, aborted);
  return a.result;
}

struct add_rows_args {
  glp_prob *P;
  const mis_glpk_rows *rows;
  int first;
};

static void add_rows_guarded(void *raw) {
  struct add_rows_args *a = raw;
  a->first = glp_get_num_rows(a->P) + 1;
  add_rows_body(a->P, a->rows);
}

static void scale_auto_body(void *raw) { glp_scale_prob(raw, GLP_SF_AUTO); }

static void scale_equilibrate_body(void *raw) { glp_scale_prob(raw, GLP_SF_EQ | GLP_SF_2N); }

void mis_glpk_scale(glp_prob *P, int equilibrate_only, int *aborted) {
  guarded(equilibrate_only ? scale_equilibrate_body : scale_auto_body, P, aborted);
}

int mis_glpk_add_rows(glp_prob *P, const mis_glpk_rows *rows, int *aborted) {
  struct add_rows_args a = {P, rows, 0};
  guarded(add_rows_guarded, &a, aborted);
  return a.first;
}

// ---- files ------------------------------------------------------------------

struct write_args {
  glp_prob *P;
  const char *fname;
  int result;
};

static void write_mps_body(void *raw) {
  struct write_args *a = raw;
  a->result = glp_write_mps(a->P, GLP_MPS_FILE, NULL, a->fname);
}

static void write_lp_body(void *raw) {
  struct write_args *a = raw;
  a->result = glp_write_lp(a->P, NULL, a->fname);
}

int mis_glpk_write_mps(glp_prob *P, const char *fname, int *aborted) {
  struct write_args a = {P, fname, -1};
  guarded(write_mps_body, &a, aborted);
  return a.result;
}

int mis_glpk_write_lp(glp_prob *P, const char *fname, int *aborted) {
  struct write_args a = {P, fname, -1};
  guarded(write_lp_body, &a, aborted);
  return a.result;
}
