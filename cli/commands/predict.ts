import { basename, dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { formatZodError } from '../../shared/config';
import { InputError, ShapeError } from '../../shared/errors';
import { readRegularFile } from '../../shared/fs';
import { kernelModelSchema, type KernelModelFile } from '../../master';
import { checkKernel } from '../../shared/kernels';
import { loadMatrix, loadVector, writeNpy } from '../../shared/tensor';
import { kernelOptionsFrom, openKernels } from '../kernels';
import { prepareOutputDir } from '../output-dir';

/** model.json as a kernel-regression job writes it (master/jobs/kernel-regression/model.ts): `null`, or anything else, is refused by key. */
function readModel(path: string): KernelModelFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readRegularFile(path, 'utf8'));
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`--model ${e.message}`);
    throw new InputError(`--model ${path}: ${(e as NodeJS.ErrnoException).code ?? 'not valid JSON'}`);
  }
  const m = kernelModelSchema.safeParse(raw);
  if (!m.success) throw new InputError(formatZodError(m.error, `--model ${path}`, 'not a kernel-regression model.json'));
  return m.data;
}

/** `coda predict --model model.json --input X.npy`: f(x) = Σ_j α_j k(x, c_j) for every row of X. */
export function predictCommand(): Command {
  return new Command('predict')
    .description('predict with a trained kernel-regression model: f(x) = Σ α_j k(x, c_j) for each row of --input')
    .requiredOption('--model <file>', 'model.json written by a kernel-regression job (centers and α beside it)')
    .requiredOption('--input <file>', 'points to predict, .npy or .csv (rows × d)')
    .option('--out <file>', 'write the predictions to this .npy file (default: print one per line)')
    .option('--labels <file>', 'true targets (.npy/.csv): also print MSE (and classification error for ±1 labels)')
    .action((o: { model: string; input: string; out?: string; labels?: string }) => {
      const m = readModel(o.model);
      const dir = dirname(resolve(o.model));
      const kernel = checkKernel(m.kernel);
      const C = loadMatrix(resolve(dir, m.centers));
      const alpha = loadVector(resolve(dir, m.alpha));
      if (alpha.length !== C.rows) throw new ShapeError(`model: ${C.rows} centers but ${alpha.length} weights`);
      if (m.d !== C.cols || m.n !== C.rows) throw new ShapeError(`--model ${o.model}: says ${m.n}×${m.d} centers, ${m.centers} holds ${C.rows}×${C.cols}`);
      const X = loadMatrix(o.input);
      if (X.cols !== C.cols) throw new ShapeError(`--input has ${X.cols} features, the model's centers have ${C.cols}`);
      // Every input checked before anything is computed or written.
      const y = o.labels ? loadVector(o.labels) : undefined;
      if (y && y.length !== X.rows) throw new ShapeError(`--labels has ${y.length} values for the ${X.rows} points of --input`);
      if (o.out) {
        if (!/\.npy$/i.test(o.out)) throw new InputError(`--out ${o.out}: the predictions are written as .npy; name it like pred.npy`);
        prepareOutputDir(dirname(resolve(o.out)), '--out', [basename(o.out)]);
      }
      const { kernels } = openKernels(kernelOptionsFrom({}, process.env, false));
      const f = kernels.kernelPredict(kernel, X, C, alpha);
      if (o.out) {
        writeNpy(o.out, [f.length], f);
        process.stderr.write(`wrote ${f.length} predictions to ${o.out}\n`);
      } else {
        process.stdout.write(Array.from(f, (v) => String(v)).join('\n') + '\n');
      }
      if (y) {
        let se = 0;
        let wrong = 0;
        for (let i = 0; i < f.length; i++) {
          se += (f[i]! - y[i]!) ** 2;
          if (Math.sign(f[i]!) !== y[i]) wrong++;
        }
        const binary = y.every((v) => v === 1 || v === -1);
        process.stderr.write(`MSE ${(se / f.length).toExponential(4)}` + (binary ? `, classification error ${((100 * wrong) / f.length).toFixed(2)}%` : '') + '\n');
      }
    });
}
