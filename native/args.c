/* Argument helpers (see args.h). */
#include "args.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>

bool throw_range(napi_env env, const char *fn, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "coda_blas.%s: %s", fn, what);
  napi_throw_range_error(env, "ERR_CODA_BLAS_SHAPE", msg);
  return false;
}

bool get_f64(napi_env env, napi_value v, const char *fn, const char *name, f64 *out) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) goto bad;
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_float64_array) goto bad;
  out->data = (double *)data;
  out->length = length;
  return true;
bad:;
  char msg[160];
  snprintf(msg, sizeof msg, "coda_blas.%s: %s must be a Float64Array", fn, name);
  napi_throw_type_error(env, "ERR_CODA_BLAS_TYPE", msg);
  return false;
}

bool get_double(napi_env env, napi_value v, const char *fn, const char *name, double *out) {
  if (napi_get_value_double(env, v, out) == napi_ok) return true;
  char msg[160];
  snprintf(msg, sizeof msg, "coda_blas.%s: %s must be a number", fn, name);
  napi_throw_type_error(env, "ERR_CODA_BLAS_TYPE", msg);
  return false;
}

/* An integer in [lo, INT_MAX] (BLAS takes 32-bit dimensions). */
bool get_dim(napi_env env, napi_value v, const char *fn, const char *name, int lo, int *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= lo) || d > INT_MAX || d != floor(d)) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s must be an integer in [%d, %d]", name, lo, INT_MAX);
    return throw_range(env, fn, msg);
  }
  *out = (int)d;
  return true;
}

bool get_bool(napi_env env, napi_value v, bool *out) {
  /* Anything not strictly true is false: flags come from our own TypeScript. */
  if (napi_get_value_bool(env, v, out) != napi_ok) *out = false;
  return true;
}

/* A rows×cols row-major matrix with leading dimension ld fits in the array. */
bool check_matrix(napi_env env, const char *fn, const char *name, const f64 *a, int rows, int cols, int ld) {
  char msg[200];
  if (ld < (cols > 1 ? cols : 1)) {
    snprintf(msg, sizeof msg, "%s: leading dimension %d is less than its %d columns", name, ld, cols);
    return throw_range(env, fn, msg);
  }
  if (rows > 0 && cols > 0 && a->length < (size_t)(rows - 1) * (size_t)ld + (size_t)cols) {
    snprintf(msg, sizeof msg, "%s holds %zu values, a %d×%d matrix (leading dimension %d) needs %zu", name, a->length, rows, cols, ld,
             (size_t)(rows - 1) * (size_t)ld + (size_t)cols);
    return throw_range(env, fn, msg);
  }
  return true;
}

bool check_length(napi_env env, const char *fn, const char *name, const f64 *a, size_t need) {
  if (a->length >= need) return true;
  char msg[160];
  snprintf(msg, sizeof msg, "%s holds %zu values, needs %zu", name, a->length, need);
  return throw_range(env, fn, msg);
}

bool throw_memory(napi_env env, const char *fn) {
  char msg[160];
  snprintf(msg, sizeof msg, "coda_blas.%s: out of memory", fn);
  napi_throw_error(env, "ERR_CODA_BLAS_MEMORY", msg);
  return false;
}

bool get_i32(napi_env env, napi_value v, const char *fn, const char *name, i32 *out) {
  bool is = false;
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value buffer;
  size_t offset;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is && napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) == napi_ok &&
      type == napi_int32_array) {
    out->data = (int32_t *)data;
    out->length = length;
    return true;
  }
  char msg[160];
  snprintf(msg, sizeof msg, "coda_blas.%s: %s must be an Int32Array", fn, name);
  napi_throw_type_error(env, "ERR_CODA_BLAS_TYPE", msg);
  return false;
}

bool check_length_i32(napi_env env, const char *fn, const char *name, const i32 *a, size_t need) {
  if (a->length >= need) return true;
  char msg[160];
  snprintf(msg, sizeof msg, "%s holds %zu values, needs %zu", name, a->length, need);
  return throw_range(env, fn, msg);
}
