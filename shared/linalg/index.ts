/**
 * The master's dense linear algebra: QR with column pivoting, symmetric eigen, SVD, LU with
 * solve and inverse, Cholesky, least squares, products and Gram matrices, with numpy.linalg's
 * semantics, on LAPACK (OpenBLAS, through the addon) or on ml-matrix and plain loops (the
 * fallback and the reference), and on compute threads so the event loop never factors:
 *
 *   const la = await linalgThread(resolveLinalgThreadOptions({}, process.env));
 *   const { rank, perm } = await la.qr(A);                 // dgeqp3, numpy's rank tolerance
 *   const { inverse, rcond } = await la.inv(A);            // SingularMatrixError if singular
 *   await la.close();
 *
 *   const { linalg } = selectLinalg({ backend: 'auto' });  // the same, inline (tests, tools)
 *   const inline = inlineLinalg(linalg);                    // inline, as an AsyncLinalg
 */
export type {
  Linalg,
  AsyncLinalg,
  LinalgBackendName,
  LinalgOp,
  MatMulOptions,
  GramOptions,
  QrOptions,
  QrResult,
  EighOptions,
  EighResult,
  SvdOptions,
  SvdResult,
  LuResult,
  SolveOptions,
  SolveResult,
  InvResult,
  CholeskyResult,
  LstsqOptions,
  LstsqResult,
} from './types';
export { LINALG_OPS } from './types';
export { EPS } from './checks';
export { jsLinalg } from './js-linalg';
export { nativeLinalg } from './native-linalg';
export { type LinalgChoice, type LinalgSelection, selectLinalg } from './select';
export { type LinalgThreadOptions, LinalgThreadPool, linalgThread, defaultThreadEntry, compiledEntry } from './thread/linalg-thread';
export { type ThreadOp, type ThreadOps, serveComputeThread } from './thread/serve';
export { resolveLinalgThreadOptions } from './options';
export { sharedMatrix } from './shared-matrix';
export { inlineLinalg } from './inline';
