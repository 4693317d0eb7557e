import { InputError } from '../../shared/errors';
import type { ChaosActionName, ChaosRevertName } from '../../shared/chaos/schedule';
import { docker, run, type ClusterContainer } from './docker';

/**
 * Faults on a container, from the host: docker pause/kill/restart, and in the container's network
 * namespace (nsenter -n, so the image needs no tools or capabilities) a tc tbf bandwidth limit
 * and iptables rules (statistic-mode packet loss, a partition from the master). This kernel has
 * no netem: delay comes from the workers' own chaos (job file), not from here.
 * Every iptables rule carries the comment "coda-chaos" so only ours are removed.
 */

export type ChaosVerb = ChaosActionName | ChaosRevertName | 'unpause' | 'heal';

const COMMENT = 'coda-chaos';

function netns(c: ClusterContainer, cmd: string[]): Promise<unknown> {
  if (!c.running || c.pid <= 0) throw new InputError(`${c.name} is not running; network chaos needs a running container`);
  return run('nsenter', ['-t', String(c.pid), '-n', ...cmd]);
}

async function iptables(c: ClusterContainer, args: string[]): Promise<void> {
  await netns(c, ['iptables', '-w', ...args]);
}

/** Removes our iptables rules of one kind ("loss" or "partition"), or all of ours. */
async function clearRules(c: ClusterContainer, tag?: string): Promise<number> {
  const { stdout } = (await netns(c, ['iptables', '-w', '-S'])) as { stdout: string };
  const ours = stdout
    .split('\n')
    .filter((l) => l.startsWith('-A ') && l.includes(`${COMMENT}${tag ? `:${tag}` : ''}`));
  for (const rule of ours) {
    // "-A INPUT -s 1.2.3.4/32 -m comment --comment coda-chaos:partition -j DROP" -> "-D INPUT ..."
    const args = rule.replace(/^-A /, '-D ').match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
    await iptables(c, args);
  }
  return ours.length;
}

export interface ChaosOptions {
  /** limit-bandwidth: a tc rate (1mbit, 500kbit). */
  rate?: string;
  /** packet-loss: fraction of packets dropped, in (0, 1]. */
  probability?: number;
  /** partition: the master container (its IP is cut off). */
  master?: ClusterContainer;
  /** The network device inside the container. */
  device?: string;
}

/** Applies one fault (or its undoing) to a container; returns a line saying what was done. */
export async function applyChaos(verb: ChaosVerb, c: ClusterContainer, o: ChaosOptions = {}): Promise<string> {
  const dev = o.device ?? 'eth0';
  switch (verb) {
    case 'pause':
      await docker(['pause', c.id]);
      return `paused ${c.name}`;
    case 'unpause':
      await docker(['unpause', c.id]);
      return `unpaused ${c.name}`;
    case 'kill':
      await docker(['kill', '--signal', 'KILL', c.id]);
      return `killed ${c.name}`;
    case 'restart':
      // A killed container is started again; a running one restarted. Same name, same labels.
      await docker(c.running ? ['restart', '-t', '5', c.id] : ['start', c.id]);
      return `restarted ${c.name}`;
    case 'limit-bandwidth': {
      if (!o.rate) throw new InputError('limit-bandwidth needs --rate (like 1mbit)');
      await netns(c, ['tc', 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', o.rate, 'burst', '32kbit', 'latency', '400ms']);
      return `limited ${c.name} to ${o.rate} (tc tbf on ${dev})`;
    }
    case 'clear-bandwidth':
      await netns(c, ['tc', 'qdisc', 'del', 'dev', dev, 'root']).catch(() => undefined);
      return `cleared the bandwidth limit of ${c.name}`;
    case 'packet-loss': {
      const p = o.probability;
      if (p === undefined || !(p > 0 && p <= 1)) throw new InputError('packet-loss needs --probability in (0, 1]');
      for (const chain of ['INPUT', 'OUTPUT']) {
        await iptables(c, ['-A', chain, '-m', 'statistic', '--mode', 'random', '--probability', String(p), '-m', 'comment', '--comment', `${COMMENT}:loss`, '-j', 'DROP']);
      }
      return `dropping ${p * 100}% of ${c.name}'s packets each way (iptables statistic)`;
    }
    case 'clear-packet-loss':
      return `removed ${await clearRules(c, 'loss')} packet-loss rules from ${c.name}`;
    case 'partition': {
      const ips = o.master?.ips ?? [];
      if (!ips.length) throw new InputError('partition needs the cluster\'s master container (with an address)');
      // Every address of the master: the one the worker's connections use is not known here.
      for (const ip of ips) {
        await iptables(c, ['-A', 'INPUT', '-s', ip, '-m', 'comment', '--comment', `${COMMENT}:partition`, '-j', 'DROP']);
        await iptables(c, ['-A', 'OUTPUT', '-d', ip, '-m', 'comment', '--comment', `${COMMENT}:partition`, '-j', 'DROP']);
      }
      return `partitioned ${c.name} from the master (${ips.join(', ')})`;
    }
    case 'heal-partition':
      return `removed ${await clearRules(c, 'partition')} partition rules from ${c.name}`;
    case 'heal': {
      if (c.paused) await docker(['unpause', c.id]);
      if (!c.running) return `${c.name} is not running (restart it with: coda chaos restart)`;
      await netns(c, ['tc', 'qdisc', 'del', 'dev', dev, 'root']).catch(() => undefined);
      const n = await clearRules(c);
      return `healed ${c.name} (${c.paused ? 'unpaused, ' : ''}tc cleared, ${n} iptables rules removed)`;
    }
  }
}
