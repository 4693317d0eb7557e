import { execFile } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { directLeastSquares } from '../../algorithms/direct';
import { syntheticLeastSquares } from '../../master/data';
import { readCheckpoint } from '../../master/state';
import { parseNpy } from '../../shared/tensor/npy';
import { expectClose, TOL } from '../helpers/expect-close';
import { renderKustomization, type K8sObject } from '../deploy/kustomize';
import { buildCodaImage, pollUntil, REPO, removeLabelled, requireDocker } from './docker-env';
import { docker, dockerRunArgs, prepareClaimVolume, volumeHostPath, type PodContext } from './pod-runner';

/**
 * deploy/k8s/overlays/kind as a cluster would run it, on Docker: the overlay rendered (a fresh
 * token), and each pod's container started with its exact args, environment (downward API
 * included: pod name, namespace, job name, CPU request), user, read-only root, dropped
 * capabilities and volumes (pod-runner.ts), on one network where the Services' DNS names are
 * aliases (coda-master, coda-worker, coda-worker-i.coda-worker). A submission is a pod of the
 * CronJob's Job template, as `kubectl create job --from=cronjob/coda-submit` makes one. The
 * submitter starts first, the master last, as Kubernetes may order them.
 *
 * Then day two: the master is killed mid-job (what an OOM kill or a lost node does) and a new
 * master pod starts on the same state volume (a named Docker volume standing in for the
 * ReadWriteOnce claim); the job resumes from its checkpoint, the submitter re-attaches, and the
 * answer equals an uninterrupted run's bit for bit. The workers are not ready while the master
 * is away, and ready again once it has taken them back. Then: a pod posing as worker 0 is
 * refused, and every role stops within `docker stop -t 2` (PID 1 handles SIGTERM).
 *
 * Not exercised here (no Kubernetes can run on this machine): scheduling, the controllers
 * (Recreate, OnDelete, the CronJob, TTLs), PodDisruptionBudgets and drains, NetworkPolicies,
 * probes run by a kubelet. test/deploy checks those offline.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
const runIt = requireDocker('containers');
const ID = `coda-k8s-${process.pid}`;
const LABEL = `coda.cluster=${ID}`;
/** The bound: the entry point exits within 2 s of SIGTERM, or docker kills it (137). */
const STOP_TIMEOUT_S = 2;

/**
 * The job of the restart test: long enough to kill mid-way (150 rounds, 60 ms each), and
 * deterministic (wait-all sums in slot order; the fixed step 1/σmax(A)² draws nothing random), so a
 * resumed run and an uninterrupted one give the same bits.
 */
const RESTART_JOB = `job: least-squares
data: { synthetic: { kind: student-t, rows: 1200, cols: 30, seed: 4, df: 2.5, noise: 0.01 } }
scheme: { name: wait-all }
chaos: { delay: { dist: constant, value: 0.06 } }
stop: { tol: 1.0e-14, maxRounds: 150, timeLimit: 300 }
step: inverse-lipschitz
`;

describe.skipIf(!runIt)('containers: the Kubernetes manifests run as rendered', () => {
  let dir: string;
  let objects: K8sObject[];
  let restartObjects: K8sObject[];
  let ctx: PodContext;
  let image: string;
  const stateVolume = `${ID}-master-state`;
  const names = { impostor: `${ID}-impostor`, worker: (i: number) => `${ID}-worker-${i}` };
  let liveMaster = `${ID}-master`;
  let replicas = 0;
  let submitExit: number;
  const FIRST_JOB = 'coda-submit-28936411';

  const byKind = (objs: K8sObject[], kind: string, name: string): any => objs.find((o) => o.kind === kind && o.metadata.name === name);
  const logs = (name: string): Promise<string> =>
    // docker logs writes the container's stdout and stderr to its own.
    new Promise((res) => execFile('docker', ['logs', name], { maxBuffer: 16 << 20 }, (_e, out, err) => res(`${out}${err}`)));
  /** The readiness probe's question, asked inside the pod as the kubelet would over gRPC. */
  const ready = (container: string): Promise<string> =>
    new Promise((res) =>
      execFile('docker', ['exec', container, 'node', '/app/deploy/docker/healthcheck.js', '127.0.0.1:7070', 'coda.v1.Worker'], (_e, out, err) => res(`${out}${err}`.trim())),
    );
  const pod = (podName: string, container: string, spec: any, aliases: string[], labels?: Record<string, string>): Parameters<typeof dockerRunArgs>[0] => ({
    podName, container, hostname: podName, namespace: 'coda', spec, aliases, ...(labels ? { labels } : {}),
  });
  /** A pod of a Job created from the CronJob (kubectl create job NAME --from=cronjob/coda-submit). */
  const submitPod = (objs: K8sObject[], jobName: string): Parameters<typeof dockerRunArgs>[0] => {
    const template = byKind(objs, 'CronJob', 'coda-submit').spec.jobTemplate.spec.template;
    const labels = { ...template.metadata.labels, 'batch.kubernetes.io/job-name': jobName, 'job-name': jobName };
    return pod(`${jobName}-x7k2p`, `${ID}-${jobName}`, template.spec, [], labels);
  };
  const masterPod = (podName: string, container: string): Parameters<typeof dockerRunArgs>[0] =>
    pod(podName, container, byKind(objects, 'Deployment', 'coda-master').spec.template.spec, ['coda-master']);

  beforeAll(async () => {
    image = await buildCodaImage();
    dir = mkdtempSync(join(tmpdir(), 'coda-k8s-run-'));
    const token = `${randomBytes(32).toString('base64')}\n`;
    const k8s = join(dir, 'k8s');
    cpSync(join(REPO, 'deploy/k8s'), k8s, { recursive: true });
    writeFileSync(join(k8s, 'base/token'), token); // the README's step
    objects = renderKustomization(join(k8s, 'overlays/kind'));
    // The same overlay with another job file: a second ConfigMap, everything else the same.
    const k8s2 = join(dir, 'k8s-restart');
    cpSync(k8s, k8s2, { recursive: true });
    writeFileSync(join(k8s2, 'base/job.yaml'), RESTART_JOB);
    restartObjects = renderKustomization(join(k8s2, 'overlays/kind'));
    const out = join(dir, 'pvc-coda-results');
    mkdirSync(out);
    chownSync(out, 1000, 1000); // a fresh volume the pod's fsGroup can write
    await docker('network', 'create', '--label', LABEL, ID);
    await prepareClaimVolume(stateVolume, image, LABEL, byKind(objects, 'Deployment', 'coda-master').spec.template.spec.securityContext.fsGroup);
    ctx = {
      objects: [...objects, ...restartObjects.filter((o) => o.kind === 'ConfigMap')],
      network: ID, label: LABEL, image, claims: { 'coda-results': out, 'coda-master-state': `volume:${stateVolume}` }, workDir: join(dir, 'volumes'),
    };

    const workers = byKind(objects, 'StatefulSet', 'coda-worker');
    replicas = workers.spec.replicas;
    const headless = workers.spec.serviceName;
    // The Kubernetes order is any order: the submitter first, then the workers, the master last.
    await docker(...dockerRunArgs(submitPod(objects, FIRST_JOB), ctx));
    for (let i = 0; i < replicas; i++) {
      const name = `${workers.metadata.name}-${i}`;
      // The headless Service: the pod's own name, and the Service's name for every pod.
      await docker(...dockerRunArgs(pod(name, names.worker(i), workers.spec.template.spec, [`${name}.${headless}`, headless]), ctx));
    }
    await docker(...dockerRunArgs(masterPod('coda-master-5d9c7b-q2w8e', liveMaster), ctx));
    submitExit = Number(await docker('wait', `${ID}-${FIRST_JOB}`));
  }, 300_000);

  afterAll(async () => {
    removeLabelled(LABEL);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a Job from the CronJob completes the job: exact answer in its own folder on the results volume, on every worker the StatefulSet has', async () => {
    const submitLog = await logs(`${ID}-${FIRST_JOB}`);
    expect(submitExit, submitLog).toBe(0);
    expect(submitLog).toMatch(new RegExp(`coda-worker: ${replicas} workers`));
    expect(submitLog).toMatch(new RegExp(`least-squares 2000×40 on ${replicas} workers`));
    const out = join(ctx.claims['coda-results']!, FIRST_JOB);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.workers).toBe(replicas);
    expect(result.stoppedBy).toBe('tol');
    expect(result.relErrorVsDirect).toBeLessThan(1e-7);
    // Independently of the master: x.npy against a direct solve of the job's own data.
    const job = parse((objects.find((o) => o.kind === 'ConfigMap') as any).data['job.yaml']);
    const { A, b } = syntheticLeastSquares(job.data.synthetic);
    const xs = directLeastSquares(A, b);
    const x = parseNpy(readFileSync(join(out, 'x.npy')), 'x.npy');
    const scale = Math.sqrt(xs.reduce((s, v) => s + v * v, 0));
    expectClose(x.data, xs, { rtol: TOL.solver.rtol, atol: 1e-8 * scale });
  });

  it('each worker registered as its ordinal under its DNS name, runs one kernel thread (its CPU request), and is ready', async () => {
    const masterLog = await logs(liveMaster);
    for (let i = 0; i < replicas; i++) {
      expect(masterLog).toMatch(new RegExp(`"worker":${i},"address":"coda-worker-${i}\\.coda-worker:7070"[^\\n]*"msg":"worker joined"`));
      expect(await ready(names.worker(i))).toMatch(/SERVING$/);
      // CODA_THREADS from the downward API: 100m requested on kind, rounded up to 1.
      expect(JSON.parse(await docker('inspect', '-f', '{{json .Config.Env}}', names.worker(i)))).toContain('CODA_THREADS=1');
    }
    // The token reached every role as a file: nothing in the environment.
    for (const name of [liveMaster, names.worker(0)]) {
      expect(await docker('inspect', '-f', '{{json .Config.Env}}', name)).not.toMatch(/CODA_TOKEN/);
    }
  });

  it('a master killed mid-job starts again on its state volume and resumes the job: the submitter re-attaches, the answer is the uninterrupted one bit for bit', async () => {
    const stateDir = join(await volumeHostPath(stateVolume), 'state', 'jobs');
    /** The newest checkpoint's round of the job the restart test submitted, or -1. */
    const checkpointRound = (jobIds: Set<string>): number => {
      if (!existsSync(stateDir)) return -1;
      for (const id of readdirSync(stateDir)) {
        const f = join(stateDir, id, 'checkpoint.bin');
        if (jobIds.has(id) || !existsSync(f)) continue;
        try {
          return readCheckpoint(f).round;
        } catch {
          return -1;
        }
      }
      return -1;
    };
    const before = new Set(existsSync(stateDir) ? readdirSync(stateDir) : []);
    const resumedJob = 'coda-submit-28936412';
    await docker(...dockerRunArgs(submitPod(restartObjects, resumedJob), ctx));
    await pollUntil('a checkpoint at round 20 or later', () => (checkpointRound(before) >= 20 ? true : undefined), 120_000, 200);
    // SIGKILL: what the kernel's OOM killer or a lost node does; nothing is flushed on the way out.
    await docker('kill', liveMaster);
    const killedAt = checkpointRound(before);
    expect(killedAt).toBeLessThan(150);

    // No master: the workers are alive but not ready (readiness follows registration).
    for (let i = 0; i < replicas; i++) await pollUntil(`worker ${i} not ready without its master`, async () => ((await ready(names.worker(i))).endsWith('NOT_SERVING') ? true : undefined), 30_000, 250);

    // The Deployment's next pod: another name and address, the same claim.
    liveMaster = `${ID}-master-2`;
    await docker(...dockerRunArgs(masterPod('coda-master-5d9c7b-z9x8c', liveMaster), ctx));
    const exit = Number(await docker('wait', `${ID}-${resumedJob}`));
    const submitLog = await logs(`${ID}-${resumedJob}`);
    expect(exit, `${submitLog}\n--- master ---\n${await logs(liveMaster)}`).toBe(0);
    expect(submitLog).toMatch(/lost the master/);
    expect(submitLog).toMatch(/resumed after a master restart from its checkpoint at round \d+/);
    expect(await logs(liveMaster)).toMatch(/resuming a job accepted by a previous master/);
    for (let i = 0; i < replicas; i++) await pollUntil(`worker ${i} ready again`, async () => ((await ready(names.worker(i))).endsWith(' SERVING') ? true : undefined), 30_000, 250);

    // The same job again, uninterrupted, on the same cluster.
    const plainJob = 'coda-submit-28936413';
    await docker(...dockerRunArgs(submitPod(restartObjects, plainJob), ctx));
    expect(Number(await docker('wait', `${ID}-${plainJob}`)), await logs(`${ID}-${plainJob}`)).toBe(0);
    const read = (job: string): { result: any; x: Buffer } => {
      const d = join(ctx.claims['coda-results']!, job);
      return { result: JSON.parse(readFileSync(join(d, 'result.json'), 'utf8')), x: readFileSync(join(d, 'x.npy')) };
    };
    const resumed = read(resumedJob);
    const plain = read(plainJob);
    expect(resumed.result.recovery.restarts).toHaveLength(1);
    expect(resumed.result.recovery.restarts[0].resumedFromRound).toBeGreaterThanOrEqual(20);
    expect(plain.result.recovery).toBeUndefined();
    expect(resumed.result.workers).toBe(replicas);
    expect(resumed.result.rounds).toBe(plain.result.rounds);
    expect(resumed.result.stoppedBy).toBe(plain.result.stoppedBy);
    expect(resumed.x.equals(plain.x)).toBe(true);
  }, 300_000);

  it('a pod that holds the token but is not coda-worker-0 cannot register as worker 0', async () => {
    const workers = byKind(objects, 'StatefulSet', 'coda-worker');
    // The worker's exact command, hostname and POD_NAME of pod 0, but not pod 0's address.
    await docker(...dockerRunArgs(pod('coda-worker-0', names.impostor, workers.spec.template.spec, []), ctx));
    const text = await pollUntil('the master to refuse the impostor', async () => {
      const l = await logs(names.impostor);
      return /cannot register with master; retrying/.test(l) ? l : undefined;
    }, 60_000, 500);
    expect(text).toMatch(/advertised coda-worker-0\.coda-worker:7070, which resolves to/);
    expect(await logs(liveMaster)).toMatch(/"msg":"registration refused"/);
    // Worker 0 is still the real one.
    expect(await ready(names.worker(0))).toMatch(/ SERVING$/);
  }, 90_000);

  it(`every role's entry point, as PID 1, exits on SIGTERM before docker's SIGKILL (docker stop -t ${STOP_TIMEOUT_S})`, async () => {
    const stopped = async (name: string): Promise<number> => {
      await docker('stop', '-t', String(STOP_TIMEOUT_S), name);
      return Number(await docker('inspect', '-f', '{{.State.ExitCode}}', name));
    };
    expect(await docker('exec', liveMaster, 'cat', '/proc/1/cmdline')).toMatch(/^node.*coda\.js/);
    // A worker still waiting for registration (the impostor) leaves through bin/coda.js's
    // handler (128 + SIGTERM); registered workers drain and the master stops: exit 0. A
    // SIGTERM ignored by PID 1 would end in docker's SIGKILL: 137.
    expect(await stopped(names.impostor)).toBe(143);
    for (let i = 0; i < replicas; i++) expect(await stopped(names.worker(i)), `worker ${i}`).toBe(0);
    expect(await stopped(liveMaster)).toBe(0);
    expect(existsSync(join(ctx.claims['coda-results']!, FIRST_JOB, 'result.json'))).toBe(true);
  }, 60_000);
});
