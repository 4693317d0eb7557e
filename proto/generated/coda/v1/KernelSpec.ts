// Original file: proto/coda/v1/worker.proto


/**
 * EigenPro / AsyncEigenPro (kernel regression). Every worker stores all n centers (the job's
 * data blocks, placed once); `own_block` names the stored block holding its slice D_r.
 */
export interface KernelSpec {
  /**
   * gaussian | laplacian
   */
  'name'?: (string);
  'bandwidth'?: (number | string);
}

/**
 * EigenPro / AsyncEigenPro (kernel regression). Every worker stores all n centers (the job's
 * data blocks, placed once); `own_block` names the stored block holding its slice D_r.
 */
export interface KernelSpec__Output {
  /**
   * gaussian | laplacian
   */
  'name': (string);
  'bandwidth': (number);
}
