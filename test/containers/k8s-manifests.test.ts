import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { directLeastSquares } from '../../algorithms/direct';
import { syntheticLeastSquares } from '../../master/data';
import { parseNpy } from '../../shared/tensor/npy';
import { expectClose, TOL } from '../helpers/expect-close';
import { inlineLa } from '../helpers/linalg';
import { renderKustomization, type K8sObject } from '../deploy/kustomize';
import { buildCodaImage, pollUntil, REPO, removeLabelled, requireDocker } from './docker-env';
import { docker, dockerRunArgs, type PodContext } from './pod-runner';

/**
 * deploy/k8s as a cluster would run it, on Docker: the kustomization rendered (a fresh token),
 * and each pod's container started with its exact args, environment, user, read-only root,
 * dropped capabilities and volumes (pod-runner.ts), on one network where the Services' DNS names
 * are aliases (coda-master, coda-worker-i.coda-worker). The submitter starts first, the master
 * last, as Kubernetes may order them. The submitter's command must complete the job, with its
 * result on the "PersistentVolumeClaim", the exact least-squares answer. Then: a pod posing as
 * worker 0 is refused, and every role stops within `docker stop -t 2` (PID 1 handles SIGTERM).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
const runIt = requireDocker('containers');
const ID = `coda-k8s-${process.pid}`;
const LABEL = `coda.cluster=${ID}`;
/** The bound: the entry point exits within 2 s of SIGTERM, or docker kills it (137). */
const STOP_TIMEOUT_S = 2;

describe.skipIf(!runIt)('containers: the Kubernetes manifests run as rendered', () => {
  let dir: string;
  let objects: K8sObject[];
  let ctx: PodContext;
  const names = { master: `${ID}-master`, submit: `${ID}-submit`, impostor: `${ID}-impostor`, worker: (i: number) => `${ID}-worker-${i}` };
  let replicas = 0;
  let submitExit: number;

  const byKind = (kind: string, name: string): any => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const logs = async (name: string): Promise<string> => {
    // docker logs writes the container's stdout and stderr to its own.
    const { execFile } = await import('node:child_process');
    return new Promise((res) => execFile('docker', ['logs', name], { maxBuffer: 16 << 20 }, (_e, out, err) => res(`${out}${err}`)));
  };

  beforeAll(async () => {
    const image = await buildCodaImage();
    dir = mkdtempSync(join(tmpdir(), 'coda-k8s-run-'));
    const k8s = join(dir, 'k8s');
    cpSync(join(REPO, 'deploy/k8s'), k8s, { recursive: true });
    writeFileSync(join(k8s, 'token'), `${randomBytes(32).toString('base64')}\n`); // the README's step
    objects = renderKustomization(k8s);
    const out = join(dir, 'pvc-coda-results');
    mkdirSync(out);
    chownSync(out, 1000, 1000); // a fresh volume the pod's fsGroup can write
    await docker('network', 'create', '--label', LABEL, ID);
    ctx = { objects, network: ID, label: LABEL, image, claims: { 'coda-results': out }, workDir: join(dir, 'volumes') };

    const master = byKind('Deployment', 'coda-master');
    const workers = byKind('StatefulSet', 'coda-worker');
    const submit = byKind('Job', 'coda-submit');
    replicas = workers.spec.replicas;
    const headless = workers.spec.serviceName;
    // The Kubernetes order is any order: the submitter first, then the workers, the master last.
    const pod = (podName: string, container: string, spec: any, aliases: string[]): Parameters<typeof dockerRunArgs>[0] => ({ podName, container, hostname: podName, namespace: 'coda', spec, aliases });
    await docker(...dockerRunArgs(pod('coda-submit-x7k2p', names.submit, submit.spec.template.spec, []), ctx));
    for (let i = 0; i < replicas; i++) {
      const name = `${workers.metadata.name}-${i}`;
      // The headless Service: the pod's own name, and the Service's name for every pod.
      await docker(...dockerRunArgs(pod(name, names.worker(i), workers.spec.template.spec, [`${name}.${headless}`, headless]), ctx));
    }
    await docker(...dockerRunArgs(pod('coda-master-5d9c7b-q2w8e', names.master, master.spec.template.spec, ['coda-master']), ctx));
    submitExit = Number(await docker('wait', names.submit));
  }, 300_000);

  afterAll(async () => {
    removeLabelled(LABEL);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('the submitter Job\'s command completes the job: exact answer on the results volume, on the StatefulSet\'s worker count', async () => {
    expect(submitExit, await logs(names.submit)).toBe(0);
    const submitLog = await logs(names.submit);
    expect(submitLog).toMatch(new RegExp(`least-squares 2000×40 on ${replicas} workers`));
    const out = ctx.claims['coda-results']!;
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.workers).toBe(replicas);
    expect(result.stoppedBy).toBe('tol');
    expect(result.relErrorVsDirect).toBeLessThan(1e-7);
    // Independently of the master: x.npy against a direct solve of the job's own data.
    const job = parse((objects.find((o) => o.kind === 'ConfigMap') as any).data['job.yaml']);
    const { A, b } = syntheticLeastSquares(job.data.synthetic);
    const xs = await directLeastSquares(inlineLa, A, b);
    const x = parseNpy(readFileSync(join(out, 'x.npy')), 'x.npy');
    const scale = Math.sqrt(xs.reduce((s, v) => s + v * v, 0));
    expectClose(x.data, xs, { rtol: TOL.solver.rtol, atol: 1e-8 * scale });
  });

  it('each worker registered as its ordinal under its DNS name, and reports ready through the readiness probe\'s service', async () => {
    const masterLog = await logs(names.master);
    for (let i = 0; i < replicas; i++) {
      expect(masterLog).toMatch(new RegExp(`"worker":${i},"address":"coda-worker-${i}\\.coda-worker:7070"[^\\n]*"msg":"worker joined"`));
      // The readiness probe's question, asked inside the pod as the kubelet would over gRPC.
      expect(await docker('exec', names.worker(i), 'node', '/app/deploy/docker/healthcheck.js', '127.0.0.1:7070', 'coda.v1.Worker')).toMatch(/SERVING$/);
    }
    // The token reached every role as a file: nothing in the environment.
    for (const name of [names.master, names.worker(0)]) {
      expect(await docker('inspect', '-f', '{{json .Config.Env}}', name)).not.toMatch(/CODA_TOKEN/);
    }
  });

  it('a pod that holds the token but is not coda-worker-0 cannot register as worker 0', async () => {
    const workers = byKind('StatefulSet', 'coda-worker');
    // The worker's exact command, hostname and POD_NAME of pod 0, but not pod 0's address.
    await docker(...dockerRunArgs({ podName: 'coda-worker-0', container: names.impostor, hostname: 'coda-worker-0', namespace: 'coda', spec: workers.spec.template.spec, aliases: [] }, ctx));
    const text = await pollUntil('the master to refuse the impostor', async () => {
      const l = await logs(names.impostor);
      return /cannot register with master; retrying/.test(l) ? l : undefined;
    }, 60_000, 500);
    expect(text).toMatch(/advertised coda-worker-0\.coda-worker:7070, which resolves to/);
    expect(await logs(names.master)).toMatch(/"msg":"registration refused"/);
    // Worker 0 is still the real one.
    expect(await docker('exec', names.worker(0), 'node', '/app/deploy/docker/healthcheck.js', '127.0.0.1:7070', 'coda.v1.Worker')).toMatch(/SERVING$/);
  }, 90_000);

  it(`every role's entry point, as PID 1, exits on SIGTERM before docker's SIGKILL (docker stop -t ${STOP_TIMEOUT_S})`, async () => {
    const stopped = async (name: string): Promise<number> => {
      await docker('stop', '-t', String(STOP_TIMEOUT_S), name);
      return Number(await docker('inspect', '-f', '{{.State.ExitCode}}', name));
    };
    expect(await docker('exec', names.master, 'cat', '/proc/1/cmdline')).toMatch(/^node.*coda\.js/);
    // A worker still waiting for registration (the impostor) leaves through bin/coda.js's
    // handler (128 + SIGTERM); registered workers drain and the master stops: exit 0. A
    // SIGTERM ignored by PID 1 would end in docker's SIGKILL: 137.
    expect(await stopped(names.impostor)).toBe(143);
    for (let i = 0; i < replicas; i++) expect(await stopped(names.worker(i)), `worker ${i}`).toBe(0);
    expect(await stopped(names.master)).toBe(0);
    expect(existsSync(join(ctx.claims['coda-results']!, 'result.json'))).toBe(true);
  }, 60_000);
});
