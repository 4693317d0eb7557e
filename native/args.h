/*
 * Argument helpers shared by the addon's files: each reads one JS argument, or throws a JS
 * exception naming the function and the argument and returns false (the caller then returns
 * NULL). Nothing here keeps state: the addon is context-aware and runs in worker_threads.
 */
#ifndef CODA_ARGS_H
#define CODA_ARGS_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  double *data;
  size_t length;
} f64;

typedef struct {
  int32_t *data;
  size_t length;
} i32;

bool throw_range(napi_env env, const char *fn, const char *what);
bool throw_memory(napi_env env, const char *fn);
/* A Float64Array (any offset into any ArrayBuffer or SharedArrayBuffer). */
bool get_f64(napi_env env, napi_value v, const char *fn, const char *name, f64 *out);
/* An Int32Array. */
bool get_i32(napi_env env, napi_value v, const char *fn, const char *name, i32 *out);
bool get_double(napi_env env, napi_value v, const char *fn, const char *name, double *out);
/* An integer in [lo, INT_MAX] (BLAS and LAPACK take 32-bit dimensions). */
bool get_dim(napi_env env, napi_value v, const char *fn, const char *name, int lo, int *out);
/* Anything not strictly true is false: flags come from our own TypeScript. */
bool get_bool(napi_env env, napi_value v, bool *out);
/* A rows×cols row-major matrix with leading dimension ld fits in the array. */
bool check_matrix(napi_env env, const char *fn, const char *name, const f64 *a, int rows, int cols, int ld);
bool check_length(napi_env env, const char *fn, const char *name, const f64 *a, size_t need);
bool check_length_i32(napi_env env, const char *fn, const char *name, const i32 *a, size_t need);

#define ARGS(n)                                                                      \
  size_t argc = (n);                                                                 \
  napi_value argv[(n)];                                                              \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;  \
  if (argc < (n)) {                                                                  \
    napi_throw_type_error(env, "ERR_CODA_BLAS_ARGS", "coda_blas: too few arguments"); \
    return NULL;                                                                     \
  }

#endif
