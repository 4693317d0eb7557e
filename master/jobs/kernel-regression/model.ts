import { z } from 'zod';

/**
 * model.json, the model file a kernel-regression job writes and `coda predict` reads: the kernel,
 * and the files (beside model.json) holding the centers and α. Strict, so a file that is not
 * such a model (or holds `null`) is refused with the key that is wrong.
 */
export const kernelModelSchema = z
  .object({
    kind: z.literal('kernel-regression'),
    kernel: z.object({ name: z.enum(['gaussian', 'laplacian']), bandwidth: z.number().positive() }).strict(),
    centers: z.string().min(1),
    alpha: z.string().min(1),
    n: z.number().int().positive(),
    d: z.number().int().positive(),
    binary: z.boolean(),
  })
  .strict();

export type KernelModelFile = z.infer<typeof kernelModelSchema>;
