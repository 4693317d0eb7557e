import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { jobSchema } from '../../master/jobs';
import { renderKustomization, objectId, type K8sObject } from './kustomize';
import { isKnownKind, typeCheckObjects, validateSchemas } from './k8s-schema';
import { ingressAllowed, restrictedViolations, type NetworkPolicyObject, type PodRef } from './policies';

/**
 * The Kubernetes manifests in deploy/k8s, rendered with kustomize semantics and validated
 * offline against the API schemas (no cluster can run here), then read the way an operator
 * would before a first `kubectl apply`: the token Secret is required and mounted as a file,
 * probes fit a single-threaded compute process, the NetworkPolicies admit exactly the traffic
 * Coda needs, the pods pass Pod Security "restricted", the worker count has one source. Where
 * kubectl is installed, its own kustomize renders the same directories and the two renderings
 * must be equal. test/containers/k8s-manifests.test.ts runs the rendered containers on Docker.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
const repo = resolve(__dirname, '../..');
const k8s = join(repo, 'deploy/k8s');
const DIRS = ['', 'chaos', 'monitoring', 'results'];
const TOKEN = 'deploy-test-token\n';

const copies: string[] = [];
afterAll(() => copies.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * deploy/k8s copied with a token file (the step the README has the user do), optionally edited,
 * so the tests never write into the source tree.
 */
function copyWithToken(edit?: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'coda-k8s-'));
  copies.push(dir);
  cpSync(k8s, dir, { recursive: true });
  writeFileSync(join(dir, 'token'), TOKEN);
  edit?.(dir);
  return dir;
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject & { spec: any } {
  // Generated ConfigMaps and Secrets are found by their name before the hash suffix.
  const generated = /^(ConfigMap|Secret)$/.test(kind);
  const o = objects.find((x) => x.kind === kind && (x.metadata.name === name || (generated && x.metadata.name.startsWith(`${name}-`))));
  if (!o) throw new Error(`no ${kind}/${name} in the rendering`);
  return o as K8sObject & { spec: any };
}

function podSpecs(objects: K8sObject[]): [string, any][] {
  return objects.flatMap((o): [string, any][] => {
    const spec = o.spec as any;
    if (o.kind === 'Pod') return [[objectId(o), spec]];
    if (spec?.template?.spec) return [[objectId(o), spec.template.spec]];
    return [];
  });
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const hasKubectl = kubectl.status === 0;

describe('deploy/k8s', () => {
  const base = copyWithToken();
  const main = renderKustomization(base);
  const master = find(main, 'Deployment', 'coda-master');
  const workers = find(main, 'StatefulSet', 'coda-worker');
  const submit = find(main, 'Job', 'coda-submit');
  const masterC = master.spec.template.spec.containers[0];
  const workerC = workers.spec.template.spec.containers[0];
  const submitC = submit.spec.template.spec.containers[0];

  it.each(DIRS)('renders and validates against the API schemas: deploy/k8s/%s', async (dir) => {
    const objects = renderKustomization(join(base, dir));
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect(isKnownKind(o), `${o.apiVersion} ${o.kind}`).toBe(true);
    expect(await validateSchemas(objects)).toEqual([]);
    expect(typeCheckObjects(objects, repo)).toEqual([]);
  });

  it('catches a misspelled field, a wrong type and a missing name (the validators are not blind)', async () => {
    const bad = structuredClone(master);
    bad.spec.template.spec.containers[0].livenesProbe = bad.spec.template.spec.containers[0].livenessProbe;
    delete bad.spec.template.spec.containers[0].livenessProbe;
    expect(typeCheckObjects([bad], repo).join('\n')).toMatch(/livenesProbe/);
    const wrongType = structuredClone(workers);
    wrongType.spec.replicas = 'four';
    expect((await validateSchemas([wrongType])).join('\n')).toMatch(/replicas must be integer/);
    const noName = structuredClone(find(main, 'Service', 'coda-master'));
    noName.spec.ports[0].port = undefined;
    expect((await validateSchemas([noName])).join('\n')).toMatch(/port/);
  });

  it('has the objects an operator expects: namespace, master, workers, submitter Job, results volume, PDB, policies', () => {
    const ids = main.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '-<hash>')}`).sort();
    expect(ids).toEqual(
      [
        'ConfigMap/coda-job-<hash>', 'Deployment/coda-master', 'Job/coda-submit', 'Namespace/coda',
        'NetworkPolicy/coda-default-deny-ingress', 'NetworkPolicy/coda-master-grpc', 'NetworkPolicy/coda-metrics',
        'NetworkPolicy/coda-worker-bulk', 'NetworkPolicy/coda-worker-grpc', 'PersistentVolumeClaim/coda-results', 'PodDisruptionBudget/coda-worker',
        'Secret/coda-token-<hash>', 'Service/coda-master', 'Service/coda-worker', 'StatefulSet/coda-worker',
      ].sort(),
    );
    for (const o of main) {
      if (o.kind !== 'Namespace') expect(o.metadata.namespace, objectId(o)).toBe('coda');
      expect(o.metadata.labels?.['app.kubernetes.io/part-of'], objectId(o)).toBe('coda');
    }
    for (const w of [master, workers, submit]) {
      // Selectors are left alone by the labels transformer (includeSelectors: false) and match the template.
      for (const [k, v] of Object.entries(w.spec.selector?.matchLabels ?? {})) expect(w.spec.template.metadata.labels[k]).toBe(v);
    }
    for (const [svc, target] of [[find(main, 'Service', 'coda-master'), master], [find(main, 'Service', 'coda-worker'), workers]] as const) {
      for (const [k, v] of Object.entries(svc.spec.selector)) expect(target.spec.template.metadata.labels[k]).toBe(v);
    }
    expect(master.spec.replicas).toBe(1);
    expect(master.spec.strategy.type).toBe('Recreate');
    const pdb = find(main, 'PodDisruptionBudget', 'coda-worker');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(workers.spec.selector.matchLabels);
    // Pod Security admission on the namespace.
    const ns = find(main, 'Namespace', 'coda');
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' });
  });

  it('the master is a service without a job; a Job submits job.yaml to it and writes results to the PVC', () => {
    expect(masterC.args.some((a: string) => a.startsWith('--job'))).toBe(false);
    const svc = find(main, 'Service', 'coda-master');
    const grpcPort = svc.spec.ports.find((p: any) => p.name === 'grpc').port;
    expect(submitC.args.slice(0, 2)).toEqual(['run', '/etc/coda/job/job.yaml']);
    expect(submitC.args).toContain(`--master=coda-master:${grpcPort}`);
    expect(workerC.args).toContain(`--master=coda-master:${grpcPort}`);
    expect(submitC.args).toContain('--out=/out');
    const spec = submit.spec.template.spec;
    expect(spec.restartPolicy).toBe('Never');
    expect(submit.spec.backoffLimit).toBeGreaterThan(0);
    // Bad input (exit 2) fails the Job at once; an eviction is not counted as a failure.
    expect(submit.spec.podFailurePolicy.rules.map((r: any) => r.action)).toEqual(['FailJob', 'Ignore']);
    expect(submit.spec.podFailurePolicy.rules[0].onExitCodes).toMatchObject({ containerName: 'submit', operator: 'In', values: [2] });
    const mount = (name: string): string => submitC.volumeMounts.find((m: any) => m.name === name).mountPath;
    expect(mount('out')).toBe('/out');
    expect(spec.volumes.find((v: any) => v.name === 'out').persistentVolumeClaim.claimName).toBe('coda-results');
    expect(spec.volumes.find((v: any) => v.name === 'job').configMap.name).toBe(find(main, 'ConfigMap', 'coda-job').metadata.name);
    expect(mount('job')).toBe('/etc/coda/job');
    // The results pod reads the same claim, read-only.
    const reader = renderKustomization(join(base, 'results'))[0] as any;
    expect(reader.spec.volumes[0].persistentVolumeClaim).toEqual({ claimName: 'coda-results', readOnly: true });
    // The job in the ConfigMap is a valid job file, with no worker count of its own.
    const jobText = (find(main, 'ConfigMap', 'coda-job') as any).data['job.yaml'];
    expect(parse(jobText).workers).toBeUndefined();
    expect(() => jobSchema.parse(parse(jobText))).not.toThrow();
  });

  it('one source of truth for the worker count: the StatefulSet replicas reach the submitter', () => {
    expect(submitC.args).toContain('--workers=$(CODA_WORKERS)');
    const env = (objs: K8sObject[]): string => (find(objs, 'Job', 'coda-submit').spec.template.spec.containers[0].env as any[]).find((e) => e.name === 'CODA_WORKERS').value;
    expect(env(main)).toBe(String(workers.spec.replicas));
    const six = renderKustomization(copyWithToken((d) => writeFileSync(join(d, 'workers.yaml'), readFileSync(join(d, 'workers.yaml'), 'utf8').replace('replicas: 4', 'replicas: 6'))));
    expect(find(six, 'StatefulSet', 'coda-worker').spec.replicas).toBe(6);
    expect(env(six)).toBe('6');
  });

  it('the token is a generated Secret, required, mounted as a file for --token-file, never an env variable', () => {
    const secret = find(main, 'Secret', 'coda-token') as K8sObject & { data: Record<string, string>; spec: unknown };
    expect(Buffer.from(secret.data.token!, 'base64').toString()).toBe(TOKEN);
    for (const [id, spec] of [[objectId(master), master.spec.template.spec], [objectId(workers), workers.spec.template.spec], [objectId(submit), submit.spec.template.spec]] as const) {
      const c = spec.containers[0];
      const vol = spec.volumes.find((v: any) => v.secret);
      expect(vol?.secret.secretName, id).toBe(secret.metadata.name);
      expect(vol.secret.optional, `${id}: the token must not be optional`).toBeUndefined();
      const m = c.volumeMounts.find((x: any) => x.name === vol.name);
      expect(m.readOnly, id).toBe(true);
      expect(c.args, id).toContain(`--token-file=${m.mountPath}/token`);
      expect(JSON.stringify(c.env ?? []), id).not.toMatch(/CODA_TOKEN|secretKeyRef/);
    }
    // No token file, no deployment: kustomize refuses to render (the user's first step).
    const noToken = copyWithToken((d) => rmSync(join(d, 'token')));
    expect(() => renderKustomization(noToken)).toThrow(/token does not exist/);
    expect(readFileSync(join(repo, '.gitignore'), 'utf8').split('\n')).toContain('deploy/k8s/token');
  });

  it('generated names carry a content hash: an edited job reaches the submitter, a new token rolls master and workers', () => {
    const k = parse(readFileSync(join(k8s, 'kustomization.yaml'), 'utf8'));
    expect(k.generatorOptions?.disableNameSuffixHash).toBeUndefined();
    const edited = renderKustomization(copyWithToken((d) => writeFileSync(join(d, 'job.yaml'), `${readFileSync(join(d, 'job.yaml'), 'utf8')}seed: 2\n`)));
    const cm = find(edited, 'ConfigMap', 'coda-job').metadata.name;
    expect(cm).not.toBe(find(main, 'ConfigMap', 'coda-job').metadata.name);
    expect(find(edited, 'Job', 'coda-submit').spec.template.spec.volumes.find((v: any) => v.name === 'job').configMap.name).toBe(cm);
    const rekeyed = renderKustomization(copyWithToken((d) => writeFileSync(join(d, 'token'), 'another-token\n')));
    for (const [kind, name] of [['Deployment', 'coda-master'], ['StatefulSet', 'coda-worker']] as const) {
      expect(find(rekeyed, kind, name).spec.template, `${kind}/${name}`).not.toEqual(find(main, kind, name).spec.template);
    }
  });

  it('every pod: local images used as loaded (IfNotPresent), no service account token, Pod Security "restricted"', () => {
    const pods = [...podSpecs(main), ...podSpecs(renderKustomization(join(base, 'results')))];
    expect(pods.map(([id]) => id).sort()).toEqual(['Deployment/coda/coda-master', 'Job/coda/coda-submit', 'Pod/coda/coda-results', 'StatefulSet/coda/coda-worker']);
    for (const [id, spec] of pods) {
      expect(spec.automountServiceAccountToken, id).toBe(false);
      expect(spec.enableServiceLinks, id).toBe(false);
      expect(restrictedViolations(spec), id).toEqual([]);
      for (const c of spec.containers) {
        expect(c.image, id).toBe('coda:local');
        expect(c.imagePullPolicy, id).toBe('IfNotPresent');
        expect(c.securityContext.readOnlyRootFilesystem, id).toBe(true);
      }
    }
    // The checker is not blind either.
    const loose = structuredClone(master.spec.template.spec);
    delete loose.containers[0].securityContext.capabilities;
    loose.volumes.push({ name: 'host', hostPath: { path: '/' } });
    expect(restrictedViolations(loose)).toEqual(['volume host: type hostPath', 'container master: capabilities do not drop ALL']);
  });

  it('probes: a startup probe, gRPC health, timeouts that survive a busy event loop; workers are ready once registered', () => {
    for (const c of [masterC, workerC]) {
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        expect(c[probe]?.grpc?.port, `${c.name} ${probe}`).toBe(7070);
        expect(c[probe].timeoutSeconds, `${c.name} ${probe}`).toBeGreaterThanOrEqual(5);
      }
      // A minute to start, and a liveness restart only after a minute or more without answer.
      expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(60);
      expect(c.livenessProbe.periodSeconds * c.livenessProbe.failureThreshold).toBeGreaterThanOrEqual(60);
      expect(c.livenessProbe.grpc.service).toBeUndefined(); // "": the process serves
    }
    expect(workerC.readinessProbe.grpc.service).toBe('coda.v1.Worker');
    for (const w of [master, workers, submit]) expect(w.spec.template.spec.terminationGracePeriodSeconds, objectId(w)).toBeLessThanOrEqual(30);
  });

  it('workers prove who they are: ordinal as index, the pod\'s DNS name as address (IPv6-safe), checked by the master', () => {
    expect(workerC.args).toContain('--index=ordinal');
    const headless = find(main, 'Service', 'coda-worker');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(workers.spec.serviceName).toBe(headless.metadata.name);
    expect(workerC.args).toContain(`--advertise=$(POD_NAME).${headless.metadata.name}:7070`);
    expect(workerC.env.find((e: any) => e.name === 'POD_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    expect(masterC.args).toContain(`--worker-statefulset=${workers.metadata.name}`);
    // Both servers listen on every address family the pod has; no pod IP pasted into host:port
    // (breaks on IPv6) anywhere.
    for (const c of [masterC, workerC]) expect(c.args, c.name).toContain('--host=::');
    for (const [id, spec] of podSpecs(main)) expect(JSON.stringify(spec), id).not.toMatch(/POD_IP|status\.podIP/);
  });

  it('NetworkPolicies: master port from workers and the submitter, worker port from the master and the other workers, the workers\' bulk port from the master only, metrics from monitoring', () => {
    const policies = main.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicyObject[];
    const ns = find(main, 'Namespace', 'coda');
    const inCoda = (labels: Record<string, string>, ports?: any[]): PodRef => ({
      namespace: 'coda',
      // The API server adds kubernetes.io/metadata.name to every namespace.
      namespaceLabels: { ...ns.metadata.labels, 'kubernetes.io/metadata.name': 'coda' },
      labels,
      ...(ports ? { ports } : {}),
    });
    const pods = {
      master: inCoda(master.spec.template.metadata.labels, masterC.ports),
      worker: inCoda(workers.spec.template.metadata.labels, workerC.ports),
      submitter: inCoda(submit.spec.template.metadata.labels),
      results: inCoda((renderKustomization(join(base, 'results'))[0] as any).metadata.labels),
      stranger: inCoda({ app: 'something-else' }),
      prometheus: { namespace: 'monitoring', namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' }, labels: { 'app.kubernetes.io/name': 'prometheus' } },
      elsewhere: { namespace: 'default', namespaceLabels: { 'kubernetes.io/metadata.name': 'default' }, labels: { 'app.kubernetes.io/name': 'coda', 'app.kubernetes.io/component': 'worker' } },
    };
    const allowed = (from: keyof typeof pods, to: 'master' | 'worker', port: number): boolean => ingressAllowed(policies, pods[from], pods[to], port);
    const matrix: string[] = [];
    for (const from of Object.keys(pods) as (keyof typeof pods)[]) {
      for (const [to, port] of [['master', 7070], ['master', 9464], ['worker', 7070], ['worker', 7071], ['worker', 9464]] as const) {
        if (allowed(from, to, port)) matrix.push(`${from} -> ${to}:${port}`);
      }
    }
    expect(matrix.sort()).toEqual(
      ['master -> worker:7070', 'master -> worker:7071', 'prometheus -> master:9464', 'prometheus -> worker:9464', 'submitter -> master:7070', 'worker -> master:7070', 'worker -> worker:7070'].sort(),
    );
  });

  it('monitoring: a PodMonitor kube-prometheus-stack selects (release label), no scrape label that clashes with ours', () => {
    const [pm] = renderKustomization(join(base, 'monitoring')) as any[];
    expect(pm.kind).toBe('PodMonitor');
    expect(pm.metadata.labels.release).toBe('kube-prometheus-stack');
    const relabeled = (pm.spec.podMetricsEndpoints as any[]).flatMap((e) => (e.relabelings ?? []).map((r: any) => r.targetLabel));
    // The series carry role themselves; job and instance are Prometheus's.
    for (const l of ['role', 'job', 'instance', 'job_kind']) expect(relabeled).not.toContain(l);
    const jobs = parse(readFileSync(join(k8s, 'monitoring/prometheus-scrape.yaml'), 'utf8')) as any[];
    expect(jobs[0].kubernetes_sd_configs[0].role).toBe('pod');
    expect(jobs[0].relabel_configs.some((r: any) => r.source_labels.includes('__meta_kubernetes_pod_annotation_prometheus_io_scrape'))).toBe(true);
    for (const l of ['role', 'job', 'instance', 'job_kind']) expect(jobs[0].relabel_configs.map((r: any) => r.target_label)).not.toContain(l);
  });

  it.skipIf(!hasKubectl).each(DIRS)('equals `kubectl kustomize deploy/k8s/%s`', (dir) => {
    for (const root of [base, copyWithToken((d) => writeFileSync(join(d, 'token'), 'a token with <, > & é\n'))]) {
      const out = execFileSync('kubectl', ['kustomize', join(root, dir)], { encoding: 'utf8' });
      const theirs = new Map(parseAllDocuments(out).map((d) => d.toJS() as K8sObject).map((o) => [objectId(o), o]));
      const ours = new Map(renderKustomization(join(root, dir)).map((o) => [objectId(o), o]));
      expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
      for (const [id, o] of ours) expect(o, id).toEqual(theirs.get(id));
    }
  });
});

if (!hasKubectl) {
  console.warn('[deploy] kubectl not found: the comparison with `kubectl kustomize` is SKIPPED (the own renderer is still checked). Install kubectl to run it.');
}
