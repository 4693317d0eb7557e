/**
 * Turns a least-squares run's result.json (wait-all, K = N: one block of one unit of work per
 * worker and round) into a delay trace: one row per round, one column per worker, each cell the
 * seconds from the round's start to that worker's answer at the master. Provenance lines go on
 * top as '#' comments. Written atomically.
 *
 *   node dist/bench/traces/trace-from-result.js result.json out.csv --skip 3 --note "how it was made"
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseDelayTrace } from '../../shared/chaos';

interface History {
  round: number;
  arrivals: { worker: number; seconds: number }[];
}

function main(argv: string[]): void {
  const [input, output] = argv;
  if (!input || !output) throw new Error('usage: trace-from-result <result.json> <out.csv> [--skip n] [--note text]...');
  let skip = 0;
  const notes: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--skip') skip = Number(argv[++i]);
    else if (argv[i] === '--note') notes.push(argv[++i] ?? '');
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  const result = JSON.parse(readFileSync(input, 'utf8')) as { scheme: { name: string }; workers: number; blocks: number; history: History[] };
  if (result.scheme.name !== 'wait-all' || result.blocks !== result.workers) {
    throw new Error(`a trace is one unit of work per worker and round: run wait-all with K = N (got ${result.scheme.name}, K = ${result.blocks}, N = ${result.workers})`);
  }
  const workers = Array.from({ length: result.workers }, (_, w) => w);
  const rows: string[] = [];
  let incomplete = 0;
  for (const h of result.history.slice(skip)) {
    const byWorker = new Map(h.arrivals.map((a) => [a.worker, a.seconds]));
    if (!workers.every((w) => byWorker.has(w))) {
      incomplete++;
      continue;
    }
    rows.push(workers.map((w) => byWorker.get(w)!.toPrecision(6)).join(','));
  }
  const text = [
    ...notes.map((n) => `# ${n}`),
    `# ${rows.length} rounds (the first ${skip} skipped as warm-up${incomplete ? `, ${incomplete} without every worker's answer dropped` : ''}); seconds per unit of work (one uncoded block at K = N)`,
    workers.map((w) => `worker${w}`).join(','),
    ...rows,
    '',
  ].join('\n');
  parseDelayTrace(text, output); // the file must read back as a valid trace
  writeFileSync(`${output}.tmp`, text);
  renameSync(`${output}.tmp`, output);
  console.log(`${output}: ${rows.length} rounds × ${workers.length} workers`);
}

main(process.argv.slice(2));
