/*
 * coda_blas: Coda's native kernels, a Node-API addon over OpenBLAS: cblas kernels here, the
 * master's LAPACK factorizations in lapack.c, argument helpers in args.c.
 *
 * Every function takes Float64Arrays and works on their memory in place (no copies across the
 * boundary); matrices are row-major with an explicit leading dimension. The TypeScript side
 * (shared/kernels/native/) checks shapes and throws ShapeError first; the checks here are the
 * last line: an argument that would make BLAS read or write outside an array is a thrown
 * RangeError/TypeError, never a crash of the process.
 *
 * Built by node-gyp (binding.gyp at the package root), linked with -lopenblas.
 */
#define _GNU_SOURCE /* dladdr */
#include "args.h"
#include "lapack.h"

#include <cblas.h>
#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

/* Bumped whenever a function's signature or meaning changes: the loader refuses a stale build. */
#define CODA_BLAS_ADDON_VERSION 6

/* ---- level 2/3 BLAS ---------------------------------------------------------------------- */

/* dgemv(trans, m, n, alpha, A, lda, x, beta, y): y = alpha·op(A)·x + beta·y, A m×n row-major. */
static napi_value js_dgemv(napi_env env, napi_callback_info info) {
  ARGS(9);
  bool trans;
  int m, n, lda;
  double alpha, beta;
  f64 A, x, y;
  get_bool(env, argv[0], &trans);
  if (!get_dim(env, argv[1], "dgemv", "m", 0, &m) || !get_dim(env, argv[2], "dgemv", "n", 0, &n) ||
      !get_double(env, argv[3], "dgemv", "alpha", &alpha) || !get_f64(env, argv[4], "dgemv", "A", &A) ||
      !get_dim(env, argv[5], "dgemv", "lda", 1, &lda) || !get_f64(env, argv[6], "dgemv", "x", &x) ||
      !get_double(env, argv[7], "dgemv", "beta", &beta) || !get_f64(env, argv[8], "dgemv", "y", &y))
    return NULL;
  if (!check_matrix(env, "dgemv", "A", &A, m, n, lda) || !check_length(env, "dgemv", "x", &x, trans ? m : n) ||
      !check_length(env, "dgemv", "y", &y, trans ? n : m))
    return NULL;
  if (m > 0 && n > 0) cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, m, n, alpha, A.data, lda, x.data, 1, beta, y.data, 1);
  return NULL;
}

/* dgemm(transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc): C = alpha·op(A)·op(B) + beta·C. */
static napi_value js_dgemm(napi_env env, napi_callback_info info) {
  ARGS(13);
  bool ta, tb;
  int m, n, k, lda, ldb, ldc;
  double alpha, beta;
  f64 A, B, C;
  get_bool(env, argv[0], &ta);
  get_bool(env, argv[1], &tb);
  if (!get_dim(env, argv[2], "dgemm", "m", 0, &m) || !get_dim(env, argv[3], "dgemm", "n", 0, &n) ||
      !get_dim(env, argv[4], "dgemm", "k", 0, &k) || !get_double(env, argv[5], "dgemm", "alpha", &alpha) ||
      !get_f64(env, argv[6], "dgemm", "A", &A) || !get_dim(env, argv[7], "dgemm", "lda", 1, &lda) ||
      !get_f64(env, argv[8], "dgemm", "B", &B) || !get_dim(env, argv[9], "dgemm", "ldb", 1, &ldb) ||
      !get_double(env, argv[10], "dgemm", "beta", &beta) || !get_f64(env, argv[11], "dgemm", "C", &C) ||
      !get_dim(env, argv[12], "dgemm", "ldc", 1, &ldc))
    return NULL;
  /* op(A) is m×k: A itself is k×m when transposed. */
  if (!check_matrix(env, "dgemm", "A", &A, ta ? k : m, ta ? m : k, lda) || !check_matrix(env, "dgemm", "B", &B, tb ? n : k, tb ? k : n, ldb) ||
      !check_matrix(env, "dgemm", "C", &C, m, n, ldc))
    return NULL;
  if (m == 0 || n == 0) return NULL;
  if (k == 0) {
    /* BLAS would return early when alpha·op(A)op(B) is empty only for beta = 1; scale C ourselves. */
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) C.data[(size_t)i * ldc + j] = beta == 0 ? 0 : beta * C.data[(size_t)i * ldc + j];
    return NULL;
  }
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, A.data, lda, B.data, ldb, beta,
              C.data, ldc);
  return NULL;
}

/*
 * gram(A, rows, cols, d | null, w, out, accumulate): out (+)= w·Aᵀ diag(d) A (cols×cols, both
 * triangles). dsyrk on row blocks of diag(√(w·d)) A, the rows with negative w·d in a second dsyrk
 * subtracted, so any real weights work; the block bounds the temporary copy.
 */
static napi_value js_gram(napi_env env, napi_callback_info info) {
  ARGS(7);
  int rows, cols;
  double w;
  bool has_d, accumulate;
  f64 A, d = {NULL, 0}, out;
  napi_valuetype dt;
  if (!get_f64(env, argv[0], "gram", "A", &A) || !get_dim(env, argv[1], "gram", "rows", 0, &rows) ||
      !get_dim(env, argv[2], "gram", "cols", 0, &cols))
    return NULL;
  if (napi_typeof(env, argv[3], &dt) != napi_ok) return NULL;
  has_d = dt != napi_null && dt != napi_undefined;
  if (has_d && !get_f64(env, argv[3], "gram", "d", &d)) return NULL;
  if (!get_double(env, argv[4], "gram", "w", &w) || !get_f64(env, argv[5], "gram", "out", &out)) return NULL;
  get_bool(env, argv[6], &accumulate);
  if (!check_matrix(env, "gram", "A", &A, rows, cols, cols > 0 ? cols : 1) || (has_d && !check_length(env, "gram", "d", &d, rows)) ||
      !check_length(env, "gram", "out", &out, (size_t)cols * cols))
    return NULL;
  size_t cc = (size_t)cols * cols;
  double *G = calloc(cc ? cc : 1, sizeof(double));
  if (!G) {
    napi_throw_error(env, "ERR_CODA_BLAS_MEMORY", "coda_blas.gram: out of memory");
    return NULL;
  }
  if (rows > 0 && cols > 0) {
    if (!has_d) {
      cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, cols, rows, w, A.data, cols, 0.0, G, cols);
    } else {
      /* Rows in blocks of about 256 KiB. */
      int block = 32768 / cols;
      if (block < 16) block = 16;
      if (block > rows) block = rows;
      double *pos = malloc((size_t)block * cols * sizeof(double));
      double *neg = malloc((size_t)block * cols * sizeof(double));
      if (!pos || !neg) {
        free(pos);
        free(neg);
        free(G);
        napi_throw_error(env, "ERR_CODA_BLAS_MEMORY", "coda_blas.gram: out of memory");
        return NULL;
      }
      for (int start = 0; start < rows; start += block) {
        int len = rows - start < block ? rows - start : block;
        int np = 0, nn = 0;
        for (int i = 0; i < len; i++) {
          double s = w * d.data[start + i];
          const double *src = A.data + (size_t)(start + i) * cols;
          if (s > 0) {
            double r = sqrt(s);
            double *dst = pos + (size_t)np++ * cols;
            for (int j = 0; j < cols; j++) dst[j] = r * src[j];
          } else if (s < 0) {
            double r = sqrt(-s);
            double *dst = neg + (size_t)nn++ * cols;
            for (int j = 0; j < cols; j++) dst[j] = r * src[j];
          } else if (s != 0) {
            /* NaN weight: keep it visible in the result, as the loop over rows does. */
            double *dst = pos + (size_t)np++ * cols;
            for (int j = 0; j < cols; j++) dst[j] = s * src[j];
          }
        }
        if (np > 0) cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, cols, np, 1.0, pos, cols, 1.0, G, cols);
        if (nn > 0) cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, cols, nn, -1.0, neg, cols, 1.0, G, cols);
      }
      free(pos);
      free(neg);
    }
  }
  for (int p = 0; p < cols; p++) {
    for (int q = p; q < cols; q++) {
      double v = G[(size_t)p * cols + q];
      if (accumulate) {
        out.data[(size_t)p * cols + q] += v;
        if (q != p) out.data[(size_t)q * cols + p] += v;
      } else {
        out.data[(size_t)p * cols + q] = v;
        out.data[(size_t)q * cols + p] = v;
      }
    }
  }
  free(G);
  return NULL;
}

/*
 * lsGradient(A, rows, cols, b, X, points, w, out): out += w·(A Xᵀ − b1ᵀ)ᵀ A for `points` stacked
 * iterates X (points×cols), i.e. out[p] += w·Aᵀ(A x_p − b). Rows go in blocks that stay in cache
 * between the two products, so A streams from memory once instead of twice.
 */
static napi_value js_ls_gradient(napi_env env, napi_callback_info info) {
  ARGS(8);
  int rows, cols, points;
  double w;
  f64 A, b, X, out;
  if (!get_f64(env, argv[0], "lsGradient", "A", &A) || !get_dim(env, argv[1], "lsGradient", "rows", 0, &rows) ||
      !get_dim(env, argv[2], "lsGradient", "cols", 0, &cols) || !get_f64(env, argv[3], "lsGradient", "b", &b) ||
      !get_f64(env, argv[4], "lsGradient", "X", &X) || !get_dim(env, argv[5], "lsGradient", "points", 0, &points) ||
      !get_double(env, argv[6], "lsGradient", "w", &w) || !get_f64(env, argv[7], "lsGradient", "out", &out))
    return NULL;
  if (!check_matrix(env, "lsGradient", "A", &A, rows, cols, cols > 0 ? cols : 1) || !check_length(env, "lsGradient", "b", &b, rows) ||
      !check_length(env, "lsGradient", "X", &X, (size_t)points * cols) || !check_length(env, "lsGradient", "out", &out, (size_t)points * cols))
    return NULL;
  if (rows == 0 || cols == 0 || points == 0) return NULL;
  int block = 16384 / cols; /* 128 KiB of A per block */
  if (block < 8) block = 8;
  if (block > rows) block = rows;
  double *R = malloc((size_t)block * points * sizeof(double));
  if (!R) {
    napi_throw_error(env, "ERR_CODA_BLAS_MEMORY", "coda_blas.lsGradient: out of memory");
    return NULL;
  }
  for (int start = 0; start < rows; start += block) {
    int len = rows - start < block ? rows - start : block;
    const double *Ab = A.data + (size_t)start * cols;
    if (points == 1) {
      memcpy(R, b.data + start, (size_t)len * sizeof(double));
      cblas_dgemv(CblasRowMajor, CblasNoTrans, len, cols, 1.0, Ab, cols, X.data, 1, -1.0, R, 1);
      cblas_dgemv(CblasRowMajor, CblasTrans, len, cols, w, Ab, cols, R, 1, 1.0, out.data, 1);
    } else {
      /* R (len×points) = Ab Xᵀ − b; out (points×cols) += w Rᵀ Ab */
      for (int i = 0; i < len; i++)
        for (int p = 0; p < points; p++) R[(size_t)i * points + p] = b.data[start + i];
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, len, points, cols, 1.0, Ab, cols, X.data, cols, -1.0, R, points);
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, points, cols, len, w, R, points, Ab, cols, 1.0, out.data, cols);
    }
  }
  free(R);
  return NULL;
}

/* The plain loops' margin functions (shared/kernels/logistic.ts), the same branches for the same
   rounding: log(1 + e^{-m}) and σ(-m), both without overflow for any margin. */
static double log1p_exp(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }
static double sigmoid(double z) {
  if (z >= 0) return 1 / (1 + exp(-z));
  double e = exp(z);
  return e / (1 + e);
}

/*
 * logisticGradient(A, rows, cols, y, w, weight, out) -> loss: out[0..cols) += weight·Aᵀβ with
 * βᵢ = −yᵢσ(−mᵢ), mᵢ = yᵢ aᵢ·w, and returns Σ log(1 + e^{−mᵢ}). Row blocks stay in cache between
 * the margins (dgemv) and Aᵀβ (dgemv), so A streams from memory once.
 */
static napi_value js_logistic_gradient(napi_env env, napi_callback_info info) {
  ARGS(7);
  int rows, cols;
  double weight;
  f64 A, y, w, out;
  if (!get_f64(env, argv[0], "logisticGradient", "A", &A) || !get_dim(env, argv[1], "logisticGradient", "rows", 0, &rows) ||
      !get_dim(env, argv[2], "logisticGradient", "cols", 0, &cols) || !get_f64(env, argv[3], "logisticGradient", "y", &y) ||
      !get_f64(env, argv[4], "logisticGradient", "w", &w) || !get_double(env, argv[5], "logisticGradient", "weight", &weight) ||
      !get_f64(env, argv[6], "logisticGradient", "out", &out))
    return NULL;
  if (!check_matrix(env, "logisticGradient", "A", &A, rows, cols, cols > 0 ? cols : 1) || !check_length(env, "logisticGradient", "y", &y, rows) ||
      !check_length(env, "logisticGradient", "w", &w, cols) || !check_length(env, "logisticGradient", "out", &out, cols))
    return NULL;
  double loss = 0;
  if (rows > 0) {
    int block = cols > 0 ? 16384 / cols : rows;
    if (block < 8) block = 8;
    if (block > rows) block = rows;
    double *m = malloc((size_t)block * sizeof(double));
    if (!m) {
      napi_throw_error(env, "ERR_CODA_BLAS_MEMORY", "coda_blas.logisticGradient: out of memory");
      return NULL;
    }
    for (int start = 0; start < rows; start += block) {
      int len = rows - start < block ? rows - start : block;
      const double *Ab = A.data + (size_t)start * cols;
      if (cols > 0) cblas_dgemv(CblasRowMajor, CblasNoTrans, len, cols, 1.0, Ab, cols, w.data, 1, 0.0, m, 1);
      else memset(m, 0, (size_t)len * sizeof(double));
      for (int i = 0; i < len; i++) {
        double yi = y.data[start + i];
        double mi = yi * m[i];
        loss += log1p_exp(-mi);
        m[i] = weight * (-yi * sigmoid(-mi));
      }
      if (cols > 0) cblas_dgemv(CblasRowMajor, CblasTrans, len, cols, 1.0, Ab, cols, m, 1, 1.0, out.data, 1);
    }
    free(m);
  }
  napi_value result;
  napi_create_double(env, loss, &result);
  return result;
}

/*
 * exp on arrays, in a form the compiler vectorizes (glibc's exp is one value a call): x = k·ln2 + r
 * with |r| ≤ ln2/2 (k rounded by the 1.5·2⁵² shift, ln2 split so k·ln2_hi is exact), e^r by its
 * Taylor polynomial to degree 13 (truncation below 1e-17 relative), and 2^k added to the
 * exponent bits. About 1 ulp. Valid for x in [EXP_LO, EXP_HI], where 2^k stays a normal number;
 * the caller sends the rest (underflow towards 0, overflow, NaN) to libm's exp. Compiled for
 * AVX-512, AVX2+FMA and baseline x86-64, picked at load time.
 */
#define EXP_LO (-707.0)
#define EXP_HI 709.0
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VECTOR_CLONES
#endif

VECTOR_CLONES
static void exp_array(double *restrict y, const double *restrict x, int n) {
  const double shift = 0x1.8p52, log2e = 0x1.71547652b82fep0;
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  for (int i = 0; i < n; i++) {
    double xi = x[i];
    /* Out-of-range values get a harmless argument here and libm's answer afterwards. */
    if (!(xi >= EXP_LO && xi <= EXP_HI)) xi = 0;
    double t = xi * log2e + shift;
    double k = t - shift;
    double r = (xi - k * ln2_hi) - k * ln2_lo;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t tb, pb;
    memcpy(&tb, &t, sizeof tb);
    memcpy(&pb, &p, sizeof pb);
    pb += tb << 52; /* the low bits of t hold k: add it to p's exponent */
    memcpy(&y[i], &pb, sizeof pb);
  }
}

/* y[i] = exp(x[i]) for any x: the vector path, then libm where it does not apply. */
static void exp_any(double *y, const double *x, int n) {
  exp_array(y, x, n);
  for (int i = 0; i < n; i++)
    if (!(x[i] >= EXP_LO && x[i] <= EXP_HI)) y[i] = exp(x[i]);
}

VECTOR_CLONES
static void kernel_arguments(double *restrict x, const double *restrict row, const double *restrict c, double pr, double g, bool gaussian, int n) {
  if (gaussian) {
    for (int j = 0; j < n; j++) {
      double d2 = pr + c[j] - 2 * row[j];
      x[j] = g * (d2 < 0 ? 0 : d2);
    }
  } else {
    for (int j = 0; j < n; j++) {
      double d2 = pr + c[j] - 2 * row[j];
      x[j] = g * sqrt(d2 < 0 ? 0 : d2);
    }
  }
}

/*
 * kernelMap(K, m, n, ldk, pNorms, cNorms, g, gaussian): K holds dot products p_r·c_j; replaces
 * each with exp(g·d²) (gaussian) or exp(g·d) (laplacian), d² = max(0, ‖p_r‖² + ‖c_j‖² − 2 p_r·c_j).
 */
static napi_value js_kernel_map(napi_env env, napi_callback_info info) {
  ARGS(8);
  int m, n, ldk;
  double g;
  bool gaussian;
  f64 K, pn, cn;
  if (!get_f64(env, argv[0], "kernelMap", "K", &K) || !get_dim(env, argv[1], "kernelMap", "m", 0, &m) ||
      !get_dim(env, argv[2], "kernelMap", "n", 0, &n) || !get_dim(env, argv[3], "kernelMap", "ldk", 1, &ldk) ||
      !get_f64(env, argv[4], "kernelMap", "pNorms", &pn) || !get_f64(env, argv[5], "kernelMap", "cNorms", &cn) ||
      !get_double(env, argv[6], "kernelMap", "g", &g))
    return NULL;
  get_bool(env, argv[7], &gaussian);
  if (!check_matrix(env, "kernelMap", "K", &K, m, n, ldk) || !check_length(env, "kernelMap", "pNorms", &pn, m) ||
      !check_length(env, "kernelMap", "cNorms", &cn, n))
    return NULL;
  if (m == 0 || n == 0) return NULL;
  double *x = malloc((size_t)n * sizeof(double));
  if (!x) {
    napi_throw_error(env, "ERR_CODA_BLAS_MEMORY", "coda_blas.kernelMap: out of memory");
    return NULL;
  }
  for (int r = 0; r < m; r++) {
    double *row = K.data + (size_t)r * ldk;
    kernel_arguments(x, row, cn.data, pn.data[r], g, gaussian, n);
    exp_any(row, x, n);
  }
  free(x);
  return NULL;
}

/* expArray(x, y): y = exp(x) elementwise by the kernels' exp (tested against libm). */
static napi_value js_exp_array(napi_env env, napi_callback_info info) {
  ARGS(2);
  f64 x, y;
  if (!get_f64(env, argv[0], "expArray", "x", &x) || !get_f64(env, argv[1], "expArray", "y", &y)) return NULL;
  if (x.length > INT_MAX || !check_length(env, "expArray", "y", &y, x.length)) return NULL;
  exp_any(y.data, x.data, (int)x.length);
  return NULL;
}

/*
 * choleskySolve(H, n, b, out): out = H⁻¹ b for SPD H (n×n, row-major, symmetric so the layout does
 * not matter), by LAPACK dpotrf + dpotrs on a copy. Returns 0, or the order k ≥ 1 of the first
 * minor that is not positive definite (the caller throws SingularMatrixError).
 */
static napi_value js_cholesky_solve(napi_env env, napi_callback_info info) {
  ARGS(4);
  int n;
  f64 H, b, out;
  if (!get_f64(env, argv[0], "choleskySolve", "H", &H) || !get_dim(env, argv[1], "choleskySolve", "n", 0, &n) ||
      !get_f64(env, argv[2], "choleskySolve", "b", &b) || !get_f64(env, argv[3], "choleskySolve", "out", &out))
    return NULL;
  if (!check_length(env, "choleskySolve", "H", &H, (size_t)n * n) || !check_length(env, "choleskySolve", "b", &b, n) ||
      !check_length(env, "choleskySolve", "out", &out, n) || !require_routine(env, "choleskySolve", (const void *)dpotrf_, "dpotrf") ||
      !require_routine(env, "choleskySolve", (const void *)dpotrs_, "dpotrs"))
    return NULL;
  int status = 0;
  if (n > 0) {
    double *L = malloc((size_t)n * n * sizeof(double));
    if (!L) {
      napi_throw_error(env, "ERR_CODA_BLAS_MEMORY", "coda_blas.choleskySolve: out of memory");
      return NULL;
    }
    memcpy(L, H.data, (size_t)n * n * sizeof(double));
    memmove(out.data, b.data, (size_t)n * sizeof(double));
    /* LAPACK is column-major: its upper triangle is the row-major lower one, the triangle the
       plain-loop factorization reads. */
    const char uplo = 'U';
    const int one = 1;
    int infov = 0;
    dpotrf_(&uplo, &n, L, &n, &infov, 1);
    if (infov == 0) dpotrs_(&uplo, &n, &one, L, &n, out.data, &n, &infov, 1);
    status = infov;
    free(L);
  }
  napi_value result;
  napi_create_int32(env, status, &result);
  return result;
}

/* ---- memory ---------------------------------------------------------------------------- */

#define HUGE_PAGE ((size_t)2 << 20)

typedef struct {
  void *base;
  size_t length;
  size_t bytes;
} mapping;

static void unmap_buffer(napi_env env, void *data, void *hint) {
  (void)data;
  mapping *m = hint;
  int64_t adjusted;
  napi_adjust_external_memory(env, -(int64_t)m->bytes, &adjusted);
  munmap(m->base, m->length);
  free(m);
}

/*
 * allocate(bytes): a zeroed ArrayBuffer. From 2 MiB up it is our own mapping, aligned to 2 MiB
 * and advised MADV_HUGEPAGE before any page is touched, so the kernel backs it with transparent
 * huge pages (as numpy does for large arrays): a kernel streaming a block from memory takes far
 * fewer TLB misses. Smaller, or where mmap fails: an ordinary ArrayBuffer.
 */
static napi_value js_allocate(napi_env env, napi_callback_info info) {
  ARGS(1);
  double d;
  if (napi_get_value_double(env, argv[0], &d) != napi_ok || !(d >= 0) || d != floor(d) || d > (double)SIZE_MAX / 2) {
    throw_range(env, "allocate", "bytes must be a non-negative integer");
    return NULL;
  }
  size_t bytes = (size_t)d;
  napi_value ab;
  if (bytes >= HUGE_PAGE) {
    size_t length = (bytes + 2 * HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mapping *m = base == MAP_FAILED ? NULL : malloc(sizeof *m);
    if (m) {
      char *aligned = (char *)(((uintptr_t)base + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
#ifdef MADV_HUGEPAGE
      madvise(aligned, bytes, MADV_HUGEPAGE);
#endif
      *m = (mapping){base, length, bytes};
      if (napi_create_external_arraybuffer(env, aligned, bytes, unmap_buffer, m, &ab) == napi_ok) {
        int64_t adjusted;
        napi_adjust_external_memory(env, (int64_t)bytes, &adjusted);
        return ab;
      }
      free(m);
    }
    if (base != MAP_FAILED) munmap(base, length);
  }
  void *data;
  if (napi_create_arraybuffer(env, bytes, &data, &ab) != napi_ok) return NULL;
  return ab;
}

/* ---- the library ------------------------------------------------------------------------- */

static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  ARGS(1);
  int n;
  if (!get_dim(env, argv[0], "setThreads", "threads", 1, &n)) return NULL;
  openblas_set_num_threads(n);
  return NULL;
}

/*
 * pinMallocThreshold(bytes) -> whether glibc took it: allocations from `bytes` up are mmapped and
 * go back to the system when freed. glibc otherwise raises its threshold to the largest block
 * freed so far (up to 32 MiB), after which megabyte tensors are carved from the heap arenas and
 * their memory stays with the process: a worker process of 90 services receiving 1.6 MB vectors
 * kept about 30 MB a service that way. Process-wide, set once by the caller (like setThreads).
 */
static napi_value js_pin_malloc_threshold(napi_env env, napi_callback_info info) {
  ARGS(1);
  int n;
  if (!get_dim(env, argv[0], "pinMallocThreshold", "bytes", 1, &n)) return NULL;
  bool done = false;
#if defined(__GLIBC__)
  done = mallopt(M_MMAP_THRESHOLD, n) == 1;
#endif
  napi_value r;
  napi_get_boolean(env, done, &r);
  return r;
}

/*
 * threadScheduling(idle) -> whether the kernel took it: the calling thread (only it: Linux keeps
 * the policy per thread) under SCHED_IDLE (true) or back under SCHED_OTHER at its nice value
 * (false). A worker's compute thread runs an AsyncEigenPro loop's steps under SCHED_IDLE, so its
 * event loop, woken by a peer's slice read, takes the core at once: EEVDF lets a running task
 * finish its slice (a few ms) before a woken one of the same class, whatever their nice values,
 * but a SCHED_IDLE task is preempted by any other on wakeup. Going back needs RLIMIT_NICE to allow
 * the thread's nice (or CAP_SYS_NICE): false where it does not, and the thread stays idle-class.
 * False on systems without SCHED_IDLE.
 */
static napi_value js_thread_scheduling(napi_env env, napi_callback_info info) {
  ARGS(1);
  bool idle;
  if (napi_get_value_bool(env, argv[0], &idle) != napi_ok) {
    napi_throw_type_error(env, NULL, "threadScheduling: idle must be a boolean");
    return NULL;
  }
  bool done = false;
#if defined(__linux__) && defined(SCHED_IDLE)
  struct sched_param param = {0};
  done = pthread_setschedparam(pthread_self(), idle ? SCHED_IDLE : SCHED_OTHER, &param) == 0;
#else
  (void)idle;
#endif
  napi_value r;
  napi_get_boolean(env, done, &r);
  return r;
}

static napi_value make_string(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &v);
  return v;
}

/* blasInfo(): { config, corename, threads, library } — library is the file the BLAS was loaded from. */
static napi_value js_blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o, v;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "config", make_string(env, openblas_get_config()));
  napi_set_named_property(env, o, "corename", make_string(env, openblas_get_corename()));
  napi_create_int32(env, openblas_get_num_threads(), &v);
  napi_set_named_property(env, o, "threads", v);
  Dl_info dl;
  const char *lib = NULL;
  if (dladdr((void *)&cblas_dgemv, &dl) && dl.dli_fname) lib = dl.dli_fname;
  napi_set_named_property(env, o, "library", make_string(env, lib));
  return o;
}

/*
 * Context-aware (NAPI_MODULE_INIT): the addon loads in the main thread and in any number of
 * worker_threads, each with its own exports. That is safe because the file keeps no global
 * mutable state: every function works on its arguments and its own heap memory (the BLAS thread
 * count is OpenBLAS's own process-wide setting, set once per process by the caller).
 */
NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"dgemv", NULL, js_dgemv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dgemm", NULL, js_dgemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gram", NULL, js_gram, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lsGradient", NULL, js_ls_gradient, NULL, NULL, NULL, napi_enumerable, NULL},
      {"logisticGradient", NULL, js_logistic_gradient, NULL, NULL, NULL, napi_enumerable, NULL},
      {"kernelMap", NULL, js_kernel_map, NULL, NULL, NULL, napi_enumerable, NULL},
      {"expArray", NULL, js_exp_array, NULL, NULL, NULL, napi_enumerable, NULL},
      {"choleskySolve", NULL, js_cholesky_solve, NULL, NULL, NULL, napi_enumerable, NULL},
      {"allocate", NULL, js_allocate, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, js_set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pinMallocThreshold", NULL, js_pin_malloc_threshold, NULL, NULL, NULL, napi_enumerable, NULL},
      {"threadScheduling", NULL, js_thread_scheduling, NULL, NULL, NULL, napi_enumerable, NULL},
      {"blasInfo", NULL, js_blas_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"qr", NULL, js_qr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"eigh", NULL, js_eigh, NULL, NULL, NULL, napi_enumerable, NULL},
      {"svd", NULL, js_svd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lu", NULL, js_lu, NULL, NULL, NULL, napi_enumerable, NULL},
      {"solve", NULL, js_solve, NULL, NULL, NULL, napi_enumerable, NULL},
      {"inv", NULL, js_inv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"cholesky", NULL, js_cholesky, NULL, NULL, NULL, napi_enumerable, NULL},
      {"solveSpd", NULL, js_solve_spd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lstsq", NULL, js_lstsq, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lapackRoutines", NULL, js_lapack_routines, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  napi_value version;
  napi_create_int32(env, CODA_BLAS_ADDON_VERSION, &version);
  napi_set_named_property(env, exports, "version", version);
  return exports;
}

