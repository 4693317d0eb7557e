import { basename } from 'node:path';
import { Command } from 'commander';
import { ChaosScheduleError, isDelayChange, parseChaosSchedule, type FaultEvent } from '../../shared/chaos/schedule';
import { parseYaml } from '../../shared/config';
import { InputError } from '../../shared/errors';
import { readRegularFile } from '../../shared/fs';
import { applyChaos, type ChaosVerb } from '../../launcher/chaos/actions';
import { listCluster, pickTarget } from '../../launcher/chaos/docker';
import { DockerScheduleExecutor, followMetrics } from '../../launcher/chaos/schedule-runner';

/**
 * `coda chaos`: faults on the containers of a compose or testcontainers cluster, from the host.
 *
 *   coda chaos ls                                   # workers, their indices, state, addresses
 *   coda chaos pause 3 --for 2s                     # worker index 3 (or a container name)
 *   coda chaos kill 1 && coda chaos restart 1
 *   coda chaos limit-bandwidth 2 --rate 1mbit --for 10s
 *   coda chaos packet-loss 0 --probability 0.1
 *   coda chaos partition 2 --for 5s                 # cut it off from the master
 *   coda chaos heal 2                               # unpause, clear tc and our iptables rules
 *   coda chaos schedule deploy/jobs/chaos-demo.yaml # run a job file's chaos.schedule
 *
 * The cluster is a compose project (default: $COMPOSE_PROJECT_NAME or the current folder's
 * name) or containers labelled coda.cluster=NAME. Network faults need root (nsenter).
 */

interface CommonOpts {
  cluster?: string;
}

function clusterName(o: CommonOpts): string {
  const raw = o.cluster ?? process.env.COMPOSE_PROJECT_NAME ?? basename(process.cwd());
  // Compose v1 and v2 both normalise the folder name to lowercase letters, digits, - and _.
  return raw.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v);
  if (!m) throw new InputError(`--for: '${v}' is not a duration (like 2s, 500ms, 1m)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : n;
}

const REVERT: Partial<Record<ChaosVerb, ChaosVerb>> = {
  pause: 'unpause',
  kill: 'restart',
  'limit-bandwidth': 'clear-bandwidth',
  'packet-loss': 'clear-packet-loss',
  partition: 'heal-partition',
};

async function act(verb: ChaosVerb, target: string, o: CommonOpts & { for?: string; rate?: string; probability?: string; device?: string }): Promise<void> {
  const cluster = clusterName(o);
  const members = await listCluster(cluster);
  const c = pickTarget(members, target, cluster);
  const options = {
    ...(o.rate ? { rate: o.rate } : {}),
    ...(o.probability !== undefined ? { probability: Number(o.probability) } : {}),
    ...(o.device ? { device: o.device } : {}),
    ...(verb === 'partition' ? { master: members.find((m) => m.role === 'master')! } : {}),
  };
  process.stdout.write(`${await applyChaos(verb, c, options)}\n`);
  const revert = REVERT[verb];
  if (o.for !== undefined && revert) {
    await new Promise((r) => setTimeout(r, parseDuration(o.for!) * 1000));
    // Re-read: a killed container has a new state (and a restarted one a new pid).
    const again = pickTarget(await listCluster(cluster), c.name, cluster);
    process.stdout.write(`${await applyChaos(revert, again, options)}\n`);
  }
}

function verbCommand(verb: ChaosVerb, description: string, extra?: (c: Command) => Command): Command {
  let cmd = new Command(verb)
    .description(description)
    .argument('<target>', 'worker index (as the master numbered it), "master", or a container name or id')
    .option('--cluster <name>', 'compose project or coda.cluster label (default: $COMPOSE_PROJECT_NAME or this folder)');
  if (REVERT[verb]) cmd = cmd.option('--for <duration>', 'undo after this long (2s, 500ms, 1m); default: leave it');
  if (extra) cmd = extra(cmd);
  return cmd.action((target: string, o: Record<string, string>) => act(verb, target, o));
}

function readSchedule(path: string): unknown[] {
  let text: string;
  try {
    text = readRegularFile(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const doc = parseYaml(text, path);
  // A job file (chaos.schedule) or a bare list of events.
  const list = Array.isArray(doc) ? doc : (doc as { chaos?: { schedule?: unknown } } | null)?.chaos?.schedule;
  if (!Array.isArray(list)) throw new InputError(`${path}: no chaos.schedule list (or a bare list of events)`);
  return list;
}

export function chaosCommand(): Command {
  const chaos = new Command('chaos').description('faults on the containers of a compose or testcontainers cluster (pause, kill, bandwidth, loss, partition)');

  chaos.addCommand(
    new Command('ls')
      .description('list the cluster\'s containers: role, worker index, state, address')
      .option('--cluster <name>', 'compose project or coda.cluster label')
      .action(async (o: CommonOpts) => {
        for (const c of await listCluster(clusterName(o))) {
          const state = c.paused ? 'paused' : c.running ? 'running' : 'stopped';
          process.stdout.write(`${c.role.padEnd(7)}${c.role === 'worker' ? String(c.index).padStart(3) : '  -'}  ${state.padEnd(8)} ${c.ip.padEnd(15)} ${c.name}\n`);
        }
      }),
  );
  chaos.addCommand(verbCommand('pause', 'freeze a container (docker pause): a real straggler'));
  chaos.addCommand(verbCommand('unpause', 'thaw a paused container'));
  chaos.addCommand(verbCommand('kill', 'SIGKILL a container: a real crash'));
  chaos.addCommand(verbCommand('restart', 'start a killed container again (or restart a running one)'));
  chaos.addCommand(
    verbCommand('limit-bandwidth', 'limit a container\'s egress with tc tbf', (c) =>
      c.requiredOption('--rate <rate>', 'tc rate: 1mbit, 500kbit, ...').option('--device <dev>', 'network device in the container', 'eth0'),
    ),
  );
  chaos.addCommand(
    verbCommand('packet-loss', 'drop a fraction of a container\'s packets each way (iptables statistic)', (c) =>
      c.requiredOption('--probability <p>', 'fraction of packets to drop, in (0, 1]'),
    ),
  );
  chaos.addCommand(verbCommand('partition', 'cut a container off from the master (iptables DROP both ways)'));
  chaos.addCommand(verbCommand('heal', 'undo every fault on a container: unpause, clear tc and coda\'s iptables rules'));
  chaos.addCommand(
    new Command('schedule')
      .description('run the chaos.schedule of a job file against a running cluster, following the master\'s rounds')
      .argument('<file>', 'a job file with chaos.schedule, or a YAML list of events')
      .option('--cluster <name>', 'compose project or coda.cluster label')
      .option('--metrics <url>', 'the master\'s /metrics (rounds are read from coda_rounds_total)', 'http://127.0.0.1:9464/metrics')
      .option('--timeout <duration>', 'give up after this long', '10m')
      .action(async (file: string, o: CommonOpts & { metrics: string; timeout: string }) => {
        let events;
        try {
          events = parseChaosSchedule(readSchedule(file), `${file}: chaos.schedule`);
        } catch (e) {
          if (e instanceof ChaosScheduleError) throw new InputError(e.message);
          throw e;
        }
        const delays = events.filter(isDelayChange).length;
        // A delay change goes through the job's session at the master (the job file run there applies it).
        if (delays > 0) process.stdout.write(`skipping ${delays} 'set delay' event(s): the master applies them when it runs the job\n`);
        const executor = new DockerScheduleExecutor(events.filter((e): e is FaultEvent => !isDelayChange(e)), clusterName(o), (l) => process.stdout.write(`${l}\n`));
        const signal = AbortSignal.timeout(parseDuration(o.timeout) * 1000);
        const round = await followMetrics(executor, o.metrics, { signal });
        process.stdout.write(`schedule ${executor.done ? 'done' : 'stopped'} at round ${round}: ${executor.applied.length} actions\n`);
      }),
  );
  return chaos;
}
