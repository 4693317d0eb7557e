{
  "targets": [
    {
      "target_name": "coda_blas",
      "sources": ["native/coda_blas.c", "native/args.c", "native/lapack.c"],
      "cflags": ["-O3", "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lopenblas", "-lm", "-ldl"]
    }
  ]
}
