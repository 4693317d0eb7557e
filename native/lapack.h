/*
 * LAPACK's Fortran interface as libopenblas exports it (Debian's OpenBLAS has no LAPACKE
 * header): column-major arrays, every argument by pointer, and gfortran's hidden length of each
 * CHARACTER argument appended last (a size_t each; leaving it out is undefined behaviour that
 * newer gfortran builds do exploit).
 *
 * The symbols are weak: an OpenBLAS built without LAPACK still loads the addon (the BLAS
 * kernels work), the missing routine's address is NULL, and lapackRoutines() says so.
 */
#ifndef CODA_LAPACK_H
#define CODA_LAPACK_H

#include <stddef.h>

#include "args.h"

#define WEAK __attribute__((weak))

WEAK extern void dgeqp3_(const int *m, const int *n, double *a, const int *lda, int *jpvt, double *tau, double *work, const int *lwork, int *info);
WEAK extern void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work, const int *lwork, int *info);
WEAK extern void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau, double *work, const int *lwork, int *info);
WEAK extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work, const int *lwork, int *iwork,
                         const int *liwork, int *info, size_t jobz_len, size_t uplo_len);
WEAK extern void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s, double *u, const int *ldu, double *vt,
                         const int *ldvt, double *work, const int *lwork, int *iwork, int *info, size_t jobz_len);
WEAK extern void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
WEAK extern void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda, const int *ipiv, double *b, const int *ldb,
                         int *info, size_t trans_len);
WEAK extern void dgetri_(const int *n, double *a, const int *lda, const int *ipiv, double *work, const int *lwork, int *info);
WEAK extern void dgecon_(const char *norm, const int *n, const double *a, const int *lda, const double *anorm, double *rcond, double *work, int *iwork,
                         int *info, size_t norm_len);
WEAK extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
WEAK extern void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b, const int *ldb, int *info,
                         size_t uplo_len);
WEAK extern void dpocon_(const char *uplo, const int *n, const double *a, const int *lda, const double *anorm, double *rcond, double *work, int *iwork,
                         int *info, size_t uplo_len);
WEAK extern void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b, const int *ldb, double *s, const double *rcond,
                         int *rank, double *work, const int *lwork, int *iwork, int *info);

/* The entry points of lapack.c, registered by coda_blas.c. */
napi_value js_qr(napi_env env, napi_callback_info info);
napi_value js_eigh(napi_env env, napi_callback_info info);
napi_value js_svd(napi_env env, napi_callback_info info);
napi_value js_lu(napi_env env, napi_callback_info info);
napi_value js_solve(napi_env env, napi_callback_info info);
napi_value js_inv(napi_env env, napi_callback_info info);
napi_value js_cholesky(napi_env env, napi_callback_info info);
napi_value js_solve_spd(napi_env env, napi_callback_info info);
napi_value js_lstsq(napi_env env, napi_callback_info info);
napi_value js_lapack_routines(napi_env env, napi_callback_info info);

/* Throws and returns false when `routine` is not in the loaded library (see WEAK above). */
bool require_routine(napi_env env, const char *fn, const void *routine, const char *name);

#endif
