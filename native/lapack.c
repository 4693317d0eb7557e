/*
 * The master's dense linear algebra on LAPACK (OpenBLAS's copy): pivoted QR, symmetric eigen,
 * SVD, LU with solve and inverse, Cholesky with solve, least squares. One LAPACK call each, as
 * numpy.linalg and scipy.linalg make it, with `info` returned so the TypeScript side
 * (shared/linalg/native-linalg.ts) raises a typed error; nothing is ever printed or aborted.
 *
 * Conventions. JS matrices are row-major Float64Arrays; LAPACK is column-major. A row-major
 * buffer read column-major is the transpose, which is free where the routine allows it
 * (symmetric input, the SVD) and a blocked transposing copy otherwise (the copy
 * is needed anyway: LAPACK overwrites its input, and the caller's array stays untouched).
 * Outputs go into arrays the caller allocated (in a compute thread: memory it then transfers).
 * Dimensions are ≥ 1: the TypeScript side answers empty problems itself.
 */
#include "lapack.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool require_routine(napi_env env, const char *fn, const void *routine, const char *name) {
  if (routine) return true;
  char msg[200];
  snprintf(msg, sizeof msg, "coda_blas.%s: the BLAS library has no LAPACK routine %s (an OpenBLAS built without LAPACK)", fn, name);
  napi_throw_error(env, "ERR_CODA_NO_LAPACK", msg);
  return false;
}

/* ---- helpers -------------------------------------------------------------------------------- */

static double *dalloc(size_t n) { return malloc((n ? n : 1) * sizeof(double)); }
static int *ialloc(size_t n) { return calloc(n ? n : 1, sizeof(int)); }

/* dst[j·ldd + i] = src[i·lds + j] for i < rows, j < cols, in 32×32 tiles so both sides stay in cache. */
static void transpose_copy(const double *restrict src, int rows, int cols, int lds, double *restrict dst, int ldd) {
  enum { T = 32 };
  for (int i0 = 0; i0 < rows; i0 += T) {
    int i1 = i0 + T < rows ? i0 + T : rows;
    for (int j0 = 0; j0 < cols; j0 += T) {
      int j1 = j0 + T < cols ? j0 + T : cols;
      for (int i = i0; i < i1; i++)
        for (int j = j0; j < j1; j++) dst[(size_t)j * ldd + i] = src[(size_t)i * lds + j];
    }
  }
}

/* a = aᵀ for a square n×n array, tile by tile. */
static void transpose_in_place(double *a, int n) {
  enum { T = 32 };
  for (int i0 = 0; i0 < n; i0 += T) {
    int i1 = i0 + T < n ? i0 + T : n;
    for (int j0 = i0; j0 < n; j0 += T) {
      int j1 = j0 + T < n ? j0 + T : n;
      for (int i = i0; i < i1; i++)
        for (int j = (j0 == i0 ? i + 1 : j0); j < j1; j++) {
          double t = a[(size_t)i * n + j];
          a[(size_t)i * n + j] = a[(size_t)j * n + i];
          a[(size_t)j * n + i] = t;
        }
    }
  }
}

/* ‖A‖₁, the largest column sum of |a_ij|, of a row-major rows×cols A; `sums` holds cols doubles. */
static double one_norm(const double *A, int rows, int cols, double *sums) {
  memset(sums, 0, (size_t)cols * sizeof(double));
  for (int i = 0; i < rows; i++) {
    const double *r = A + (size_t)i * cols;
    for (int j = 0; j < cols; j++) sums[j] += fabs(r[j]);
  }
  double m = 0;
  for (int j = 0; j < cols; j++)
    if (sums[j] > m || isnan(sums[j])) m = sums[j];
  return m;
}

/* ‖S‖₁ of the symmetric S whose lower triangle the row-major A holds (LAPACK's dlansy). */
static double sym_one_norm(const double *A, int n, double *sums) {
  memset(sums, 0, (size_t)n * sizeof(double));
  for (int i = 0; i < n; i++)
    for (int j = 0; j <= i; j++) {
      double v = fabs(A[(size_t)i * n + j]);
      sums[j] += v;
      if (j != i) sums[i] += v;
    }
  double m = 0;
  for (int j = 0; j < n; j++)
    if (sums[j] > m || isnan(sums[j])) m = sums[j];
  return m;
}

/* The workspace size a query (lwork = -1) returned, as LAPACK's int; -1 when it does not fit. */
static int workspace(double w) {
  double c = ceil(w);
  if (!(c <= INT_MAX)) return -1;
  return c < 1 ? 1 : (int)c;
}

/* { info, rcond, rank }: what a factorization tells the TypeScript side besides its arrays. */
static napi_value outcome(napi_env env, int info, double rcond, int rank) {
  napi_value o, v;
  if (napi_create_object(env, &o) != napi_ok) return NULL;
  napi_create_int32(env, info, &v);
  napi_set_named_property(env, o, "info", v);
  napi_create_double(env, rcond, &v);
  napi_set_named_property(env, o, "rcond", v);
  napi_create_int32(env, rank, &v);
  napi_set_named_property(env, o, "rank", v);
  return o;
}

static napi_value int_value(napi_env env, int x) {
  napi_value v;
  napi_create_int32(env, x, &v);
  return v;
}

/* A workspace that does not fit LAPACK's int: reported as an out-of-memory error. */
#define WORKSPACE_OR_FAIL(lw, fn)          \
  if ((lw) < 0) {                          \
    ok = false;                            \
    throw_memory(env, fn);                 \
    goto done;                             \
  }

/* ---- QR ------------------------------------------------------------------------------------ */

/*
 * qr(A, m, n, pivoting, wantQ, R, Q, perm) -> info. A (m×n) = Q·R with column pivoting
 * (dgeqp3, as scipy.linalg.qr(pivoting=True)) or without (dgeqrf): A[:, perm] = Q·R, R k×n
 * upper trapezoidal (k = min(m, n)), Q m×k with orthonormal columns (dorgqr), both row-major.
 * With pivoting |R[j,j]| does not increase along the diagonal, which is what a numerical rank
 * is read from.
 */
napi_value js_qr(napi_env env, napi_callback_info info) {
  ARGS(8);
  const char *fn = "qr";
  f64 A, R, Q = {NULL, 0};
  i32 perm;
  int m, n;
  bool pivoting, wantQ;
  if (!get_f64(env, argv[0], fn, "A", &A) || !get_dim(env, argv[1], fn, "m", 1, &m) || !get_dim(env, argv[2], fn, "n", 1, &n)) return NULL;
  get_bool(env, argv[3], &pivoting);
  get_bool(env, argv[4], &wantQ);
  if (!get_f64(env, argv[5], fn, "R", &R) || (wantQ && !get_f64(env, argv[6], fn, "Q", &Q)) || !get_i32(env, argv[7], fn, "perm", &perm)) return NULL;
  int k = m < n ? m : n;
  if (!check_matrix(env, fn, "A", &A, m, n, n) || !check_matrix(env, fn, "R", &R, k, n, n) || (wantQ && !check_matrix(env, fn, "Q", &Q, m, k, k)) ||
      !check_length_i32(env, fn, "perm", &perm, n))
    return NULL;
  if (!require_routine(env, fn, pivoting ? (const void *)dgeqp3_ : (const void *)dgeqrf_, pivoting ? "dgeqp3" : "dgeqrf") ||
      (wantQ && !require_routine(env, fn, (const void *)dorgqr_, "dorgqr")))
    return NULL;
  bool ok = true;
  int infov = 0;
  double *a = dalloc((size_t)m * n), *tau = dalloc(k), *work = NULL;
  int *jpvt = ialloc(n);
  if (!a || !tau || !jpvt) {
    ok = throw_memory(env, fn);
    goto done;
  }
  transpose_copy(A.data, m, n, n, a, m);
  {
    int query = -1;
    double w1 = 0, w2 = 0;
    if (pivoting) dgeqp3_(&m, &n, a, &m, jpvt, tau, &w1, &query, &infov);
    else dgeqrf_(&m, &n, a, &m, tau, &w1, &query, &infov);
    if (wantQ) dorgqr_(&m, &k, &k, a, &m, tau, &w2, &query, &infov);
    int lwork = workspace(w1 > w2 ? w1 : w2);
    WORKSPACE_OR_FAIL(lwork, fn);
    work = dalloc(lwork);
    if (!work) {
      ok = throw_memory(env, fn);
      goto done;
    }
    infov = 0;
    if (pivoting) dgeqp3_(&m, &n, a, &m, jpvt, tau, work, &lwork, &infov);
    else dgeqrf_(&m, &n, a, &m, tau, work, &lwork, &infov);
    if (infov != 0) goto done;
    /* R: the first k rows of a's upper triangle, row-major. */
    transpose_copy(a, n, k, m, R.data, n);
    for (int i = 0; i < k; i++) memset(R.data + (size_t)i * n, 0, (size_t)i * sizeof(double));
    for (int j = 0; j < n; j++) perm.data[j] = pivoting ? jpvt[j] - 1 : j;
    if (wantQ) {
      dorgqr_(&m, &k, &k, a, &m, tau, work, &lwork, &infov);
      if (infov == 0) transpose_copy(a, k, m, m, Q.data, k);
    }
  }
done:
  free(a);
  free(tau);
  free(jpvt);
  free(work);
  return ok ? int_value(env, infov) : NULL;
}

/* ---- symmetric eigen ---------------------------------------------------------------------- */

/*
 * eigh(A, n, vectors, w, V) -> info: the eigenvalues of the symmetric matrix whose lower triangle
 * A holds (numpy.linalg.eigh's UPLO='L'), ascending in w; with `vectors`, V (row-major n×n) holds
 * the orthonormal eigenvectors as columns. dsyevd (divide and conquer, as numpy). A row-major
 * lower triangle is the column-major upper one, so A goes in as it is; V comes out transposed
 * in place.
 */
napi_value js_eigh(napi_env env, napi_callback_info info) {
  ARGS(5);
  const char *fn = "eigh";
  f64 A, w, V = {NULL, 0};
  int n;
  bool vectors;
  if (!get_f64(env, argv[0], fn, "A", &A) || !get_dim(env, argv[1], fn, "n", 1, &n)) return NULL;
  get_bool(env, argv[2], &vectors);
  if (!get_f64(env, argv[3], fn, "w", &w) || (vectors && !get_f64(env, argv[4], fn, "V", &V))) return NULL;
  if (!check_matrix(env, fn, "A", &A, n, n, n) || !check_length(env, fn, "w", &w, n) || (vectors && !check_matrix(env, fn, "V", &V, n, n, n)) ||
      !require_routine(env, fn, (const void *)dsyevd_, "dsyevd"))
    return NULL;
  bool ok = true;
  int infov = 0;
  double *a = vectors ? V.data : dalloc((size_t)n * n), *work = NULL;
  int *iwork = NULL;
  if (!a) {
    ok = throw_memory(env, fn);
    goto done;
  }
  memmove(a, A.data, (size_t)n * n * sizeof(double));
  {
    const char jobz = vectors ? 'V' : 'N', uplo = 'U';
    int query = -1, iq = 0;
    double wq = 0;
    dsyevd_(&jobz, &uplo, &n, a, &n, w.data, &wq, &query, &iq, &query, &infov, 1, 1);
    int lwork = workspace(wq), liwork = iq < 1 ? 1 : iq;
    WORKSPACE_OR_FAIL(lwork, fn);
    work = dalloc(lwork);
    iwork = ialloc(liwork);
    if (!work || !iwork) {
      ok = throw_memory(env, fn);
      goto done;
    }
    infov = 0;
    dsyevd_(&jobz, &uplo, &n, a, &n, w.data, work, &lwork, iwork, &liwork, &infov, 1, 1);
    if (infov == 0 && vectors) transpose_in_place(a, n);
  }
done:
  if (!vectors) free(a);
  free(work);
  free(iwork);
  return ok ? int_value(env, infov) : NULL;
}

/* ---- SVD ------------------------------------------------------------------------------------- */

/*
 * svd(A, m, n, job, s, U, Vt) -> info: A = U·diag(s)·Vt, s descending (k = min(m, n) values);
 * job 0: values only; 1: thin (U m×k, Vt k×n); 2: full (U m×m, Vt n×n). dgesdd, as numpy.
 * The row-major A read column-major is Aᵀ (n×m); Aᵀ = U'·Σ·VT' gives A = VT'ᵀ·Σ·U'ᵀ, and a
 * column-major VT' read row-major is VT'ᵀ = U (likewise U' is Vt): LAPACK writes straight into
 * the caller's U and Vt, no transposes.
 */
napi_value js_svd(napi_env env, napi_callback_info info) {
  ARGS(7);
  const char *fn = "svd";
  f64 A, s, U = {NULL, 0}, Vt = {NULL, 0};
  int m, n, job;
  if (!get_f64(env, argv[0], fn, "A", &A) || !get_dim(env, argv[1], fn, "m", 1, &m) || !get_dim(env, argv[2], fn, "n", 1, &n) ||
      !get_dim(env, argv[3], fn, "job", 0, &job) || !get_f64(env, argv[4], fn, "s", &s))
    return NULL;
  if (job > 2) {
    throw_range(env, fn, "job must be 0 (values), 1 (thin) or 2 (full)");
    return NULL;
  }
  if (job > 0 && (!get_f64(env, argv[5], fn, "U", &U) || !get_f64(env, argv[6], fn, "Vt", &Vt))) return NULL;
  int k = m < n ? m : n;
  int ucols = job == 2 ? m : k, vrows = job == 2 ? n : k;
  if (!check_matrix(env, fn, "A", &A, m, n, n) || !check_length(env, fn, "s", &s, k) ||
      (job > 0 && (!check_matrix(env, fn, "U", &U, m, ucols, ucols) || !check_matrix(env, fn, "Vt", &Vt, vrows, n, n))) ||
      !require_routine(env, fn, (const void *)dgesdd_, "dgesdd"))
    return NULL;
  bool ok = true;
  int infov = 0;
  double *a = dalloc((size_t)m * n), *work = NULL, dummy[1];
  int *iwork = ialloc((size_t)8 * k);
  if (!a || !iwork) {
    ok = throw_memory(env, fn);
    goto done;
  }
  memcpy(a, A.data, (size_t)m * n * sizeof(double));
  {
    const char jobz = job == 0 ? 'N' : job == 1 ? 'S' : 'A';
    /* LAPACK's view: M = n rows, N = m columns. */
    int M = n, N = m, lda = n;
    double *u = job ? Vt.data : dummy, *vt = job ? U.data : dummy;
    int ldu = n, ldvt = job == 2 ? m : job == 1 ? k : 1;
    int query = -1;
    double wq = 0;
    dgesdd_(&jobz, &M, &N, a, &lda, s.data, u, &ldu, vt, &ldvt, &wq, &query, iwork, &infov, 1);
    int lwork = workspace(wq);
    WORKSPACE_OR_FAIL(lwork, fn);
    work = dalloc(lwork);
    if (!work) {
      ok = throw_memory(env, fn);
      goto done;
    }
    infov = 0;
    dgesdd_(&jobz, &M, &N, a, &lda, s.data, u, &ldu, vt, &ldvt, work, &lwork, iwork, &infov, 1);
  }
done:
  free(a);
  free(work);
  free(iwork);
  return ok ? int_value(env, infov) : NULL;
}

/* ---- LU -------------------------------------------------------------------------------------- */

/*
 * Factors the row-major n×n A into a (column-major, P·A = L·U, dgetrf) and estimates its
 * reciprocal condition number in the 1-norm (dgecon). Returns dgetrf's info: k+1 > 0 when
 * U[k,k] is exactly zero (then *rcond = 0).
 */
static int lu_factor(const double *A, int n, double *a, int *ipiv, double *rcond, double *work, int *iwork) {
  transpose_copy(A, n, n, n, a, n);
  double anorm = one_norm(A, n, n, work);
  int infov = 0;
  dgetrf_(&n, &n, a, &n, ipiv, &infov);
  *rcond = 0;
  if (infov != 0) return infov;
  const char norm = '1';
  int cinfo = 0;
  dgecon_(&norm, &n, a, &n, &anorm, rcond, work, iwork, &cinfo, 1);
  return cinfo;
}

static bool require_lu(napi_env env, const char *fn) {
  return require_routine(env, fn, (const void *)dgetrf_, "dgetrf") && require_routine(env, fn, (const void *)dgecon_, "dgecon");
}

/*
 * lu(A, n, LU, perm) -> { info, rcond }: P·A = L·U with partial pivoting (scipy.linalg.lu_factor's
 * row interchanges), L unit lower and U upper packed in the row-major LU; perm[i] is the row of A
 * that is row i of P·A. rcond estimates 1/(‖A‖₁·‖A⁻¹‖₁) (0 when U is exactly singular).
 */
napi_value js_lu(napi_env env, napi_callback_info info) {
  ARGS(4);
  const char *fn = "lu";
  f64 A, LU;
  i32 perm;
  int n;
  if (!get_f64(env, argv[0], fn, "A", &A) || !get_dim(env, argv[1], fn, "n", 1, &n) || !get_f64(env, argv[2], fn, "LU", &LU) ||
      !get_i32(env, argv[3], fn, "perm", &perm))
    return NULL;
  if (!check_matrix(env, fn, "A", &A, n, n, n) || !check_matrix(env, fn, "LU", &LU, n, n, n) || !check_length_i32(env, fn, "perm", &perm, n) ||
      !require_lu(env, fn))
    return NULL;
  double *a = dalloc((size_t)n * n), *work = dalloc((size_t)4 * n), rcond = 0;
  int *ipiv = ialloc(n), *iwork = ialloc(n), infov = 0;
  bool ok = a && work && ipiv && iwork;
  if (!ok) throw_memory(env, fn);
  else {
    infov = lu_factor(A.data, n, a, ipiv, &rcond, work, iwork);
    transpose_copy(a, n, n, n, LU.data, n);
    for (int i = 0; i < n; i++) perm.data[i] = i;
    for (int i = 0; i < n; i++) {
      int p = ipiv[i] - 1;
      if (p >= 0 && p < n && p != i) {
        int t = perm.data[i];
        perm.data[i] = perm.data[p];
        perm.data[p] = t;
      }
    }
  }
  free(a);
  free(work);
  free(ipiv);
  free(iwork);
  return ok ? outcome(env, infov, rcond, -1) : NULL;
}

/* B (row-major n×nrhs) into column-major b, and back. One column needs no transposing. */
static void to_columns(const double *B, int n, int nrhs, double *b) {
  if (nrhs == 1) memmove(b, B, (size_t)n * sizeof(double));
  else transpose_copy(B, n, nrhs, nrhs, b, n);
}
static void from_columns(const double *b, int n, int nrhs, double *X) {
  if (nrhs == 1) memmove(X, b, (size_t)n * sizeof(double));
  else transpose_copy(b, nrhs, n, n, X, nrhs);
}

/*
 * solve(A, n, B, nrhs, X, rcondMin) -> { info, rcond }: X = A⁻¹·B (row-major n×nrhs) by dgetrf +
 * dgetrs, as numpy.linalg.solve; X is left unwritten when U is exactly singular (info > 0) or
 * the estimated rcond is below rcondMin (the caller raises SingularMatrixError for both).
 */
napi_value js_solve(napi_env env, napi_callback_info info) {
  ARGS(6);
  const char *fn = "solve";
  f64 A, B, X;
  int n, nrhs;
  double rcondMin;
  if (!get_f64(env, argv[0], fn, "A", &A) || !get_dim(env, argv[1], fn, "n", 1, &n) || !get_f64(env, argv[2], fn, "B", &B) ||
      !get_dim(env, argv[3], fn, "nrhs", 1, &nrhs) || !get_f64(env, argv[4], fn, "X", &X) || !get_double(env, argv[5], fn, "rcondMin", &rcondMin))
    return NULL;
  if (!check_matrix(env, fn, "A", &A, n, n, n) || !check_matrix(env, fn, "B", &B, n, nrhs, nrhs) || !check_matrix(env, fn, "X", &X, n, nrhs, nrhs) ||
      !require_lu(env, fn) || !require_routine(env, fn, (const void *)dgetrs_, "dgetrs"))
    return NULL;
  double *a = dalloc((size_t)n * n), *work = dalloc((size_t)4 * n), *b = dalloc((size_t)n * nrhs), rcond = 0;
  int *ipiv = ialloc(n), *iwork = ialloc(n), infov = 0;
  bool ok = a && work && b && ipiv && iwork;
  if (!ok) throw_memory(env, fn);
  else {
    infov = lu_factor(A.data, n, a, ipiv, &rcond, work, iwork);
    if (infov == 0 && !(rcond < rcondMin)) {
      const char trans = 'N';
      to_columns(B.data, n, nrhs, b);
      dgetrs_(&trans, &n, &nrhs, a, &n, ipiv, b, &n, &infov, 1);
      if (infov == 0) from_columns(b, n, nrhs, X.data);
    }
  }
  free(a);
  free(work);
  free(b);
  free(ipiv);
  free(iwork);
  return ok ? outcome(env, infov, rcond, -1) : NULL;
}

/*
 * inv(A, n, X, rcondMin) -> { info, rcond }: X = A⁻¹ by dgetrf + dgetri (scipy.linalg.inv), from
 * the same factorization as lu() and solve() (so the same pivots, rcond and refusals). X holds
 * no inverse when info > 0 or rcond < rcondMin.
 */
napi_value js_inv(napi_env env, napi_callback_info info) {
  ARGS(4);
  const char *fn = "inv";
  f64 A, X;
  int n;
  double rcondMin;
  if (!get_f64(env, argv[0], fn, "A", &A) || !get_dim(env, argv[1], fn, "n", 1, &n) || !get_f64(env, argv[2], fn, "X", &X) ||
      !get_double(env, argv[3], fn, "rcondMin", &rcondMin))
    return NULL;
  if (!check_matrix(env, fn, "A", &A, n, n, n) || !check_matrix(env, fn, "X", &X, n, n, n) || !require_lu(env, fn) ||
      !require_routine(env, fn, (const void *)dgetri_, "dgetri"))
    return NULL;
  bool ok = true;
  int infov = 0;
  double rcond = 0, *a = dalloc((size_t)n * n), *work = dalloc((size_t)4 * n);
  int *ipiv = ialloc(n), *iwork = ialloc(n);
  if (!a || !work || !ipiv || !iwork) {
    ok = throw_memory(env, fn);
    goto done;
  }
  infov = lu_factor(A.data, n, a, ipiv, &rcond, work, iwork);
  if (infov != 0 || rcond < rcondMin) goto done;
  {
    int query = -1;
    double wq = 0;
    dgetri_(&n, a, &n, ipiv, &wq, &query, &infov);
    int lwork = workspace(wq);
    WORKSPACE_OR_FAIL(lwork, fn);
    free(work);
    work = dalloc(lwork);
    if (!work) {
      ok = throw_memory(env, fn);
      goto done;
    }
    dgetri_(&n, a, &n, ipiv, work, &lwork, &infov);
    if (infov == 0) transpose_copy(a, n, n, n, X.data, n);
  }
done:
  free(a);
  free(work);
  free(ipiv);
  free(iwork);
  return ok ? outcome(env, infov, rcond, -1) : NULL;
}

/* ---- Cholesky ------------------------------------------------------------------------------ */

/*
 * Factors the SPD matrix whose lower triangle the row-major A holds into a (dpotrf on the
 * column-major upper triangle, the same numbers) and estimates its rcond (dpocon). Returns
 * dpotrf's info: k > 0 when the leading minor of order k is not positive definite.
 */
static int cholesky_factor(const double *A, int n, double *a, double *rcond, double *work, int *iwork) {
  memmove(a, A, (size_t)n * n * sizeof(double));
  double anorm = sym_one_norm(A, n, work);
  const char uplo = 'U';
  int infov = 0;
  dpotrf_(&uplo, &n, a, &n, &infov, 1);
  *rcond = 0;
  if (infov != 0) return infov;
  int cinfo = 0;
  dpocon_(&uplo, &n, a, &n, &anorm, rcond, work, iwork, &cinfo, 1);
  return cinfo;
}

static bool require_cholesky(napi_env env, const char *fn) {
  return require_routine(env, fn, (const void *)dpotrf_, "dpotrf") && require_routine(env, fn, (const void *)dpocon_, "dpocon");
}

/*
 * cholesky(A, n, L) -> { info, rcond }: L lower (row-major, zero above the diagonal) with
 * L·Lᵀ = A, from A's lower triangle (numpy.linalg.cholesky). info = k > 0: the leading minor
 * of order k is not positive definite.
 */
napi_value js_cholesky(napi_env env, napi_callback_info info) {
  ARGS(3);
  const char *fn = "cholesky";
  f64 A, L;
  int n;
  if (!get_f64(env, argv[0], fn, "A", &A) || !get_dim(env, argv[1], fn, "n", 1, &n) || !get_f64(env, argv[2], fn, "L", &L)) return NULL;
  if (!check_matrix(env, fn, "A", &A, n, n, n) || !check_matrix(env, fn, "L", &L, n, n, n) || !require_cholesky(env, fn)) return NULL;
  double *work = dalloc((size_t)3 * n), rcond = 0;
  int *iwork = ialloc(n), infov = 0;
  bool ok = work && iwork;
  if (!ok) throw_memory(env, fn);
  else {
    infov = cholesky_factor(A.data, n, L.data, &rcond, work, iwork);
    for (int i = 0; i < n; i++) memset(L.data + (size_t)i * n + i + 1, 0, (size_t)(n - i - 1) * sizeof(double));
  }
  free(work);
  free(iwork);
  return ok ? outcome(env, infov, rcond, -1) : NULL;
}

/*
 * solveSpd(A, n, B, nrhs, X, rcondMin) -> { info, rcond }: X = A⁻¹·B for SPD A (its lower
 * triangle) by dpotrf + dpotrs (scipy.linalg.solve(assume_a='pos')). X unwritten when info > 0
 * or rcond < rcondMin.
 */
napi_value js_solve_spd(napi_env env, napi_callback_info info) {
  ARGS(6);
  const char *fn = "solveSpd";
  f64 A, B, X;
  int n, nrhs;
  double rcondMin;
  if (!get_f64(env, argv[0], fn, "A", &A) || !get_dim(env, argv[1], fn, "n", 1, &n) || !get_f64(env, argv[2], fn, "B", &B) ||
      !get_dim(env, argv[3], fn, "nrhs", 1, &nrhs) || !get_f64(env, argv[4], fn, "X", &X) || !get_double(env, argv[5], fn, "rcondMin", &rcondMin))
    return NULL;
  if (!check_matrix(env, fn, "A", &A, n, n, n) || !check_matrix(env, fn, "B", &B, n, nrhs, nrhs) || !check_matrix(env, fn, "X", &X, n, nrhs, nrhs) ||
      !require_cholesky(env, fn) || !require_routine(env, fn, (const void *)dpotrs_, "dpotrs"))
    return NULL;
  double *a = dalloc((size_t)n * n), *work = dalloc((size_t)3 * n), *b = dalloc((size_t)n * nrhs), rcond = 0;
  int *iwork = ialloc(n), infov = 0;
  bool ok = a && work && b && iwork;
  if (!ok) throw_memory(env, fn);
  else {
    infov = cholesky_factor(A.data, n, a, &rcond, work, iwork);
    if (infov == 0 && !(rcond < rcondMin)) {
      const char uplo = 'U';
      to_columns(B.data, n, nrhs, b);
      dpotrs_(&uplo, &n, &nrhs, a, &n, b, &n, &infov, 1);
      if (infov == 0) from_columns(b, n, nrhs, X.data);
    }
  }
  free(a);
  free(work);
  free(b);
  free(iwork);
  return ok ? outcome(env, infov, rcond, -1) : NULL;
}

/* ---- least squares ------------------------------------------------------------------------- */

/*
 * lstsq(A, m, n, B, nrhs, rcond, X, s, residuals) -> { info, rank }: the minimum-norm X (n×nrhs)
 * minimizing ‖A·X − B‖_F by dgelsd (SVD, divide and conquer), as numpy.linalg.lstsq: singular
 * values below rcond·s[0] count as zero; rank is the number above. s gets A's k = min(m, n)
 * singular values; residuals[j] = ‖A·x_j − b_j‖² (meaningful when m > n and rank = n, where
 * numpy reports it).
 */
napi_value js_lstsq(napi_env env, napi_callback_info info) {
  ARGS(9);
  const char *fn = "lstsq";
  f64 A, B, X, s, res;
  int m, n, nrhs;
  double rcond;
  if (!get_f64(env, argv[0], fn, "A", &A) || !get_dim(env, argv[1], fn, "m", 1, &m) || !get_dim(env, argv[2], fn, "n", 1, &n) ||
      !get_f64(env, argv[3], fn, "B", &B) || !get_dim(env, argv[4], fn, "nrhs", 1, &nrhs) || !get_double(env, argv[5], fn, "rcond", &rcond) ||
      !get_f64(env, argv[6], fn, "X", &X) || !get_f64(env, argv[7], fn, "s", &s) || !get_f64(env, argv[8], fn, "residuals", &res))
    return NULL;
  int k = m < n ? m : n, ldb = m > n ? m : n;
  if (!check_matrix(env, fn, "A", &A, m, n, n) || !check_matrix(env, fn, "B", &B, m, nrhs, nrhs) || !check_matrix(env, fn, "X", &X, n, nrhs, nrhs) ||
      !check_length(env, fn, "s", &s, k) || !check_length(env, fn, "residuals", &res, nrhs) || !require_routine(env, fn, (const void *)dgelsd_, "dgelsd"))
    return NULL;
  bool ok = true;
  int infov = 0, rank = 0;
  double *a = dalloc((size_t)m * n), *b = calloc((size_t)ldb * nrhs, sizeof(double)), *work = NULL;
  int *iwork = NULL;
  if (!a || !b) {
    ok = throw_memory(env, fn);
    goto done;
  }
  transpose_copy(A.data, m, n, n, a, m);
  transpose_copy(B.data, m, nrhs, nrhs, b, ldb);
  {
    int query = -1, iq = 0;
    double wq = 0;
    dgelsd_(&m, &n, &nrhs, a, &m, b, &ldb, s.data, &rcond, &rank, &wq, &query, &iq, &infov);
    int lwork = workspace(wq);
    WORKSPACE_OR_FAIL(lwork, fn);
    work = dalloc(lwork);
    iwork = ialloc(iq < 1 ? 1 : iq);
    if (!work || !iwork) {
      ok = throw_memory(env, fn);
      goto done;
    }
    infov = 0;
    dgelsd_(&m, &n, &nrhs, a, &m, b, &ldb, s.data, &rcond, &rank, work, &lwork, iwork, &infov);
    if (infov != 0) goto done;
    transpose_copy(b, nrhs, n, ldb, X.data, nrhs);
    for (int j = 0; j < nrhs; j++) {
      double r = 0;
      for (int i = n; i < m; i++) r += b[(size_t)j * ldb + i] * b[(size_t)j * ldb + i];
      res.data[j] = r;
    }
  }
done:
  free(a);
  free(b);
  free(work);
  free(iwork);
  return ok ? outcome(env, infov, NAN, rank) : NULL;
}

/* ---- what the library has ------------------------------------------------------------------- */

/* lapackRoutines(): { dgeqp3: true, ... }, each routine the entry points use and whether it is there. */
napi_value js_lapack_routines(napi_env env, napi_callback_info info) {
  (void)info;
  const struct {
    const char *name;
    const void *fn;
  } routines[] = {
      {"dgeqp3", (const void *)dgeqp3_}, {"dgeqrf", (const void *)dgeqrf_}, {"dorgqr", (const void *)dorgqr_}, {"dsyevd", (const void *)dsyevd_},
      {"dgesdd", (const void *)dgesdd_}, {"dgetrf", (const void *)dgetrf_}, {"dgetrs", (const void *)dgetrs_}, {"dgetri", (const void *)dgetri_},
      {"dgecon", (const void *)dgecon_}, {"dpotrf", (const void *)dpotrf_}, {"dpotrs", (const void *)dpotrs_}, {"dpocon", (const void *)dpocon_},
      {"dgelsd", (const void *)dgelsd_},
  };
  napi_value o, v;
  if (napi_create_object(env, &o) != napi_ok) return NULL;
  for (size_t i = 0; i < sizeof routines / sizeof routines[0]; i++) {
    napi_get_boolean(env, routines[i].fn != NULL, &v);
    napi_set_named_property(env, o, routines[i].name, v);
  }
  return o;
}
