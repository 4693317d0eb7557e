import { describe, expect, it } from 'vitest';
import { IndexTakenError, WorkerRegistry } from '../../../master/cluster/registry';
import { checkPeerIsAdvertised, checkStatefulSetName, statefulSetPodNames, verifyStatefulSetWorker, WorkerIdentityError, type Lookup } from '../../../master/cluster/worker-identity';
import { joinHostPort, splitHostPort } from '../../../shared/wire';
import { Backoff, REGISTER_BACKOFF } from '../../../worker/backoff';

/** Who may register as worker i, and how a worker keeps asking: the pure parts, no network. */

describe('WorkerRegistry: requested indices', () => {
  it('grants a free index, refuses one a live worker at another address holds, and grants it once that worker is lost', () => {
    const r = new WorkerRegistry(3);
    expect(r.join('coda-worker-0.coda-worker:7070', 1, 0, 0).index).toBe(0);
    let err: unknown;
    try {
      r.join('10.0.0.66:7070', 2, 0, 100);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IndexTakenError);
    expect((err as IndexTakenError).holder).toBe('coda-worker-0.coda-worker:7070');
    expect(r.get(0)!.address).toBe('coda-worker-0.coda-worker:7070'); // the holder keeps it
    r.markLost(0, 'killed');
    expect(r.join('10.0.0.66:7070', 2, 0, 200).index).toBe(0);
    expect(r.alive().map((w) => w.address)).toEqual(['10.0.0.66:7070']);
  });

  it('lets a restarted pod take its own index back at once: same stable address, new process', () => {
    const r = new WorkerRegistry(3);
    const joins: number[] = [];
    r.on('join', (w) => joins.push(w.pid));
    r.join('coda-worker-3.coda-worker:7070', 11, 3, 0);
    const again = r.join('coda-worker-3.coda-worker:7070', 12, 3, 50); // still "alive" from the old pod
    expect(again.pid).toBe(12);
    expect(joins).toEqual([11, 12]);
    expect(r.alive()).toHaveLength(1);
  });

  it('an address that asks for another index gives up the one it held', () => {
    const r = new WorkerRegistry(3);
    const lost: number[] = [];
    r.on('lost', (w) => lost.push(w.index));
    r.join('a:1', 1, -1, 0); // gets 0
    r.join('a:1', 2, 5, 10);
    expect(lost).toEqual([0]);
    expect(r.alive().map((w) => w.index)).toEqual([5]);
  });

  it('without a request, still hands out the lowest free index and reuses an address\'s own', () => {
    const r = new WorkerRegistry(3);
    expect(r.join('a:1', 1, -1, 0).index).toBe(0);
    expect(r.join('b:1', 2, 1, 0).index).toBe(1);
    expect(r.join('c:1', 3, -1, 0).index).toBe(2);
    expect(r.join('a:1', 4, -1, 10).index).toBe(0);
  });
});

describe('worker identity for a StatefulSet', () => {
  const dns: Record<string, string[]> = {
    'coda-worker-0.coda-worker': ['10.244.0.7'],
    'coda-worker-1.coda-worker': ['fd00:10:244::8'],
  };
  const lookup: Lookup = async (host) => {
    const a = dns[host];
    if (!a) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return a;
  };

  it('wants the pod name NAME-<index> through its headless Service, short or in full', () => {
    expect(() => checkStatefulSetName('coda-worker', 'coda-worker-3.coda-worker:7070', 3)).not.toThrow();
    expect(() => checkStatefulSetName('coda-worker', 'coda-worker-3.coda-worker:7070', 0)).toThrow(/pod coda-worker-0/);
    expect(() => checkStatefulSetName('coda-worker', 'coda-worker-13.coda-worker:7070', 1)).toThrow(WorkerIdentityError);
    expect(() => checkStatefulSetName('coda-worker', '10.244.0.7:7070', 0)).toThrow(/DNS name/);
    expect(() => checkStatefulSetName('coda-worker', 'other-0.coda-worker:7070', 0)).toThrow(WorkerIdentityError);
    expect(() => checkStatefulSetName('coda-worker', 'coda-worker-0.coda-worker:7070', -1)).toThrow(/--index=ordinal/);
    const id = { statefulSet: 'coda-worker', service: 'coda-worker', namespace: 'coda', clusterDomain: 'cluster.local' };
    for (const name of ['coda-worker-3.coda-worker', 'coda-worker-3.coda-worker.coda', 'coda-worker-3.coda-worker.coda.svc', 'coda-worker-3.coda-worker.coda.svc.cluster.local', 'coda-worker-3.coda-worker.coda.svc.cluster.local.', 'CODA-WORKER-3.Coda-Worker.coda.SVC']) {
      expect(() => checkStatefulSetName(id, `${name}:7070`, 3), name).not.toThrow();
    }
    expect(statefulSetPodNames(id, 2)).toEqual(['coda-worker-2.coda-worker', 'coda-worker-2.coda-worker.coda', 'coda-worker-2.coda-worker.coda.svc', 'coda-worker-2.coda-worker.coda.svc.cluster.local']);
    // A headless Service named otherwise than the StatefulSet, and another cluster domain.
    expect(() => checkStatefulSetName({ statefulSet: 'w', service: 'w-dns', namespace: 'ml', clusterDomain: 'corp.internal' }, 'w-1.w-dns.ml.svc.corp.internal:7070', 1)).not.toThrow();
    expect(() => checkStatefulSetName({ statefulSet: 'w', service: 'w-dns' }, 'w-1.w:7070', 1)).toThrow(/w-1\.w-dns/);
  });

  it('refuses hostile names: the pod label under another domain, service, namespace or cluster domain', () => {
    const id = { statefulSet: 'coda-worker', service: 'coda-worker', namespace: 'coda', clusterDomain: 'cluster.local' };
    const hostile = [
      'coda-worker-0.evil.example', // the first label alone used to pass: any domain resolving to the caller
      'coda-worker-0.coda-worker.evil.example',
      'coda-worker-0.coda-worker.coda.svc.evil.example',
      'coda-worker-0.coda-worker.coda.svc.cluster.local.evil.example',
      'coda-worker-0.coda-worker.other-ns', // the same StatefulSet name in another namespace
      'coda-worker-0.coda-worker.other-ns.svc.cluster.local',
      'coda-worker-0.coda-worker.coda.svc.other.local',
      'coda-worker-0.other-svc',
      'coda-worker-0.coda-worker.coda.pod', // not the Service's zone
      'x.coda-worker-0.coda-worker', // a label in front
      'coda-worker-00.coda-worker', // the ordinal spelled otherwise
      'coda-worker-0.coda-worker..coda',
      'coda-worker-0',
      'coda-worker-0.',
      '.coda-worker-0.coda-worker',
      'coda-worker-0.coda-worker.coda.svc.cluster.local..',
      '[::1]',
    ];
    for (const name of hostile) expect(() => checkStatefulSetName(id, `${name}:7070`, 0), name).toThrow(WorkerIdentityError);
    // Without the namespace (no --worker-namespace, no POD_NAMESPACE) only the short name.
    expect(() => checkStatefulSetName('coda-worker', 'coda-worker-0.coda-worker.coda:7070', 0)).toThrow(WorkerIdentityError);
    expect(() => checkStatefulSetName('coda-worker', 'coda-worker-3.coda-worker.coda.svc.cluster.local:7070', 3)).toThrow(WorkerIdentityError);
  });

  it('admits a peer the advertised name resolves to, IPv4 (also seen as ::ffff:) and IPv6', async () => {
    await expect(checkPeerIsAdvertised('10.244.0.7:51234', 'coda-worker-0.coda-worker:7070', lookup)).resolves.toBeUndefined();
    await expect(checkPeerIsAdvertised('::ffff:10.244.0.7:51234', 'coda-worker-0.coda-worker:7070', lookup)).resolves.toBeUndefined();
    await expect(checkPeerIsAdvertised('[fd00:10:244::8]:40000', 'coda-worker-1.coda-worker:7070', lookup)).resolves.toBeUndefined();
    // grpc-js writes an IPv6 peer unbracketed; "…::8:1234" would also parse as an IPv6 address.
    await expect(checkPeerIsAdvertised('fd00:10:244::8:1234', 'coda-worker-1.coda-worker:7070', lookup)).resolves.toBeUndefined();
    await expect(checkPeerIsAdvertised('127.0.0.1:40000', '127.0.0.1:7070', lookup)).resolves.toBeUndefined();
  });

  it('refuses a pod posing as another (its address is not the name\'s) and a name that does not resolve', async () => {
    await expect(checkPeerIsAdvertised('10.244.0.99:51234', 'coda-worker-0.coda-worker:7070', lookup)).rejects.toThrow(/10\.244\.0\.99 advertised coda-worker-0\.coda-worker:7070, which resolves to 10\.244\.0\.7/);
    await expect(checkPeerIsAdvertised('10.244.0.7:51234', 'coda-worker-9.coda-worker:7070', lookup)).rejects.toThrow(/cannot resolve .*ENOTFOUND/);
    await expect(verifyStatefulSetWorker('coda-worker', { address: 'coda-worker-0.coda-worker:7070', requestedIndex: 0 }, '10.244.0.99:1', lookup)).rejects.toThrow(WorkerIdentityError);
    await expect(verifyStatefulSetWorker('coda-worker', { address: 'coda-worker-0.coda-worker:7070', requestedIndex: 0 }, '10.244.0.7:1', lookup)).resolves.toBeUndefined();
    // A hostile name is refused before it is looked up: its owner could make it resolve anywhere.
    const asked: string[] = [];
    const spy: Lookup = async (host) => (asked.push(host), ['10.244.0.99']);
    await expect(verifyStatefulSetWorker({ statefulSet: 'coda-worker', namespace: 'coda' }, { address: 'coda-worker-0.evil.example:7070', requestedIndex: 0 }, '10.244.0.99:1', spy)).rejects.toThrow(WorkerIdentityError);
    expect(asked).toEqual([]);
  });

  it('splits and joins host:port with IPv6 literals in brackets', () => {
    expect(splitHostPort('coda-master:7070')).toEqual({ host: 'coda-master', port: '7070' });
    expect(splitHostPort('[fd00::5]:7070')).toEqual({ host: 'fd00::5', port: '7070' });
    expect(splitHostPort('fd00::5')).toEqual({ host: 'fd00::5' });
    expect(joinHostPort('fd00::5', 7070)).toBe('[fd00::5]:7070');
    expect(joinHostPort('10.0.0.1', 7070)).toBe('10.0.0.1:7070');
    expect(joinHostPort('coda-worker-0.coda-worker', '7070')).toBe('coda-worker-0.coda-worker:7070');
  });
});

describe('registration backoff', () => {
  it('doubles from 100 ms to a 5 s cap, with the full wait when the jitter draws 0', () => {
    const b = new Backoff(REGISTER_BACKOFF, () => 0);
    const waits = Array.from({ length: 9 }, () => b.next());
    expect(waits).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('takes up to half of each wait off at random, never more, and stays capped for ever', () => {
    let i = 0;
    const draws = [0.999, 0.5, 0.25];
    const b = new Backoff(REGISTER_BACKOFF, () => draws[i++ % 3]!);
    for (let k = 0; k < 2000; k++) {
      const base = Math.min(5000, 100 * 2 ** k);
      const w = b.next();
      expect(w).toBeGreaterThanOrEqual(base / 2);
      expect(w).toBeLessThanOrEqual(base);
      expect(Number.isFinite(w)).toBe(true);
    }
  });

  it('refuses options that would not back off', () => {
    expect(() => new Backoff({ initialMs: 0, maxMs: 10, multiplier: 2, jitter: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 10, maxMs: 5, multiplier: 2, jitter: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 10, maxMs: 50, multiplier: 2, jitter: 1.5 })).toThrow(RangeError);
  });
});
