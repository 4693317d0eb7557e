import { resolveJobPaths } from '../shared/config';
import { jobSchema, type JobSpec } from '../master';
import { InputError } from '../shared/errors';
import { chaosProfileSchema, type ChaosProfile, type ExperimentSpec, type SchemeEntry } from './schema';

/** One choice per axis: what a run of the matrix is. */
export interface RunParams {
  algorithm: string;
  /** The scheme's label (its name, or name and parameters, or the entry's `label`). */
  scheme: string;
  schemeName: string;
  schemeParams: Record<string, unknown>;
  chaos: string;
  workers: number;
  seed: number;
}

export interface PlannedRun {
  /** File-name-safe and unique: algorithm_scheme_chaos_wN_sS. */
  id: string;
  /** Position in the matrix order (seeds outermost, so an interrupted experiment has whole comparisons). */
  index: number;
  params: RunParams;
  /** The run's job as written (relative paths), what a remote master is sent. */
  input: Record<string, unknown>;
  /** The validated job, data paths resolved. */
  job: JobSpec;
}

export interface ExpandedExperiment {
  name: string;
  spec: ExperimentSpec;
  axes: { algorithms: string[]; schemes: string[]; chaos: string[]; seeds: number[]; workers: number[] };
  profiles: Record<string, ChaosProfile>;
  /** The no-injected-delay profile the straggler tax is measured against, if the matrix has one. */
  baseline: string | undefined;
  runs: PlannedRun[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Objects merge key by key; anything else (arrays, scalars) in `over` replaces. */
export function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  return out;
}

function slugPart(v: unknown): string {
  return String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-|-$/g, '');
}

export function schemeOf(entry: SchemeEntry): { label: string; name: string; params: Obj } {
  if (typeof entry === 'string') return { label: entry, name: entry, params: {} };
  const { name, label, ...params } = entry;
  const auto = [name, ...Object.keys(params).sort().map((k) => `${k}${slugPart(params[k])}`)].join('-');
  return { label: label ?? auto, name, params };
}

function hasNoChaos(p: ChaosProfile): boolean {
  return p.delay.dist === 'none' && p.fault.dropProbability === 0 && p.fault.hangProbability === 0 && p.fault.crashAfterTasks === 0;
}

function unique(what: string, labels: string[]): void {
  const seen = new Set<string>();
  for (const l of labels) {
    if (seen.has(l)) throw new InputError(`${what} '${l}' appears twice in the matrix (give one a distinct 'label')`);
    seen.add(l);
  }
}

/**
 * The matrix -> validated runs, in a fixed order: seeds, then worker counts, chaos profiles,
 * algorithms and schemes innermost, so schemes compared with each other run next to each other
 * in time (under the same machine load).
 */
export function expandExperiment(spec: ExperimentSpec, source: string, baseDir = process.cwd()): ExpandedExperiment {
  const base = spec.base;
  const baseJob = String(base.job);
  const algorithms: Record<string, Obj> = spec.matrix.algorithms ?? { [baseJob]: {} };
  const schemes = (spec.matrix.schemes ?? [(base.scheme as SchemeEntry | undefined) ?? 'wait-all']).map(schemeOf);
  unique('scheme', schemes.map((s) => s.label));
  const profiles: Record<string, ChaosProfile> =
    spec.matrix.chaos ?? (isObj(base.chaos) ? { base: chaosOnly(base.chaos, source) } : { none: chaosOnly({}, source) });
  const workersAxis = spec.matrix.workers ?? [typeof base.workers === 'number' ? base.workers : 8];
  unique('worker count', workersAxis.map(String));
  unique('seed', spec.matrix.seeds.map(String));
  const baseline = spec.baseline ?? Object.keys(profiles).find((k) => hasNoChaos(profiles[k]!));

  const runs: PlannedRun[] = [];
  const problems = new Map<string, string>();
  const { chaos: _c, scheme: _s, ...baseRest } = base;
  for (const seed of spec.matrix.seeds) {
    for (const workers of workersAxis) {
      for (const [chaosName, profile] of Object.entries(profiles)) {
        for (const [algorithm, variant] of Object.entries(algorithms)) {
          // Without matrix.schemes, a variant may bring its own scheme (e.g. GIANT's frc beside Newton's mds).
          const own = !spec.matrix.schemes && isObj(variant.scheme) ? [schemeOf(variant.scheme as SchemeEntry)] : schemes;
          for (const s of own) {
            const id = [algorithm, s.label, chaosName, `w${workers}`, `s${seed}`].map(slugPart).join('_');
            const input = deepMerge(baseRest, variant);
            input.scheme = { name: s.name, ...s.params };
            input.chaos = { ...profile, seed };
            input.workers = workers;
            input.seed = seed;
            const parsed = jobSchema.safeParse(input);
            if (!parsed.success) {
              for (const i of parsed.error.issues) {
                const path = i.path.length ? i.path.join('.') : '(top level)';
                const msg = i.code === 'unrecognized_keys' ? `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}` : i.message;
                const line = `${path}: ${msg}`;
                if (!problems.has(line)) problems.set(line, id);
              }
              continue;
            }
            const job = resolveJobPaths(parsed.data, baseDir, `${source}: run ${id}`);
            delete job.out;
            runs.push({ id, index: runs.length, params: { algorithm, scheme: s.label, schemeName: s.name, schemeParams: s.params, chaos: chaosName, workers, seed }, input, job });
          }
        }
      }
    }
  }
  if (problems.size > 0) {
    const lines = [...problems].map(([line, id]) => `  ${line}   (first in run ${id})`);
    throw new InputError(`${source}: the matrix makes invalid jobs (keys are those of the job, i.e. base, algorithms, schemes, chaos)\n${lines.join('\n')}`);
  }
  return {
    name: spec.name ?? 'experiment',
    spec,
    axes: { algorithms: Object.keys(algorithms), schemes: [...new Set(runs.map((r) => r.params.scheme))], chaos: Object.keys(profiles), seeds: spec.matrix.seeds, workers: workersAxis },
    profiles,
    baseline,
    runs,
  };
}

function chaosOnly(raw: unknown, source: string): ChaosProfile {
  const { seed: _seed, ...rest } = raw as Obj;
  const parsed = chaosProfileSchema.safeParse(rest);
  if (!parsed.success) throw new InputError(`${source}: base.chaos: ${parsed.error.issues.map((i: { path: (string | number)[]; message: string }) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
