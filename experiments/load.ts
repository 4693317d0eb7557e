import { parseYamlMapping } from '../shared/config';
import { InputError } from '../shared/errors';
import { readRegularFile } from '../shared/fs';
import { experimentSchema, type ExperimentSpec } from './schema';

/** Parses and validates an experiment from YAML text; an InputError (exit 2) names each bad key. */
export function parseExperiment(text: string, source = 'experiment'): ExperimentSpec {
  const raw = parseYamlMapping(text, source, 'an experiment file must be a YAML mapping (base: ..., matrix: ..., ...)');
  const parsed = experimentSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const path = i.path.length ? i.path.join('.') : '(top level)';
      const msg = i.code === 'unrecognized_keys' ? `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}` : i.message;
      return `  ${path}: ${msg}`;
    });
    throw new InputError(`${source}: invalid experiment file\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadExperimentFile(path: string): ExperimentSpec {
  let text: string;
  try {
    text = readRegularFile(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`experiment file ${e.message}`);
    throw new InputError(`cannot read experiment file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseExperiment(text, path);
}
