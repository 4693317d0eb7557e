import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { jobSchema } from '../../master/jobs';
import { renderKustomization, objectId, type K8sObject } from './kustomize';
import { isKnownKind, typeCheckObjects, validateSchemas } from './k8s-schema';
import { connectionAllowed, restrictedViolations, type NetworkPolicyObject, type PodRef } from './policies';

/**
 * The Kubernetes manifests in deploy/k8s (a base, the overlays kind and production, components
 * for results, monitoring and chaos), rendered with kustomize semantics and validated offline
 * against the API schemas (no cluster can run here), then read the way an operator would before
 * a week of `kubectl apply`, drains, image bumps and scale-outs: the image and the pull policy
 * set in one place, no immutable object an apply could trip over, the master's state on a
 * volume, workers whose kernel threads follow their CPU request and that spread over nodes,
 * disruption budgets that let drains through, the NetworkPolicies (ingress and egress) admitting
 * exactly the traffic Coda needs, Pod Security "restricted", and a kind overlay that fits a
 * 2-CPU machine. Where kubectl with kustomize 5 is installed, it renders the same directories and
 * the renderings must be equal. test/containers/k8s-manifests.test.ts runs the rendered pods on
 * Docker.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
const repo = resolve(__dirname, '../..');
const k8s = join(repo, 'deploy/k8s');
const TOKEN = 'deploy-test-token\n';
const KIND = 'overlays/kind';
const PRODUCTION = 'overlays/production';

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
  writeFileSync(join(dir, 'base/token'), TOKEN);
  edit?.(dir);
  return dir;
}

/** Replaces text in a file of a copy, insisting that the text is there. */
function editFile(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: ${String(from)} not found`);
  writeFileSync(path, next);
}

/** The kind overlay with every optional component listed, as a user would enable them. */
function withAllComponents(dir: string): void {
  editFile(dir, `${KIND}/kustomization.yaml`, '# - ../../components/monitoring', '- ../../components/monitoring');
  editFile(dir, `${KIND}/kustomization.yaml`, '# - ../../components/chaos', '- ../../components/chaos');
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject & { spec: any } {
  // Generated ConfigMaps and Secrets are found by their name before the hash suffix.
  const generated = /^(ConfigMap|Secret)$/.test(kind);
  const o = objects.find((x) => x.kind === kind && (x.metadata.name === name || (generated && /^[a-z0-9]{10}$/.test(x.metadata.name.slice(name.length + 1)) && x.metadata.name.startsWith(`${name}-`))));
  if (!o) throw new Error(`no ${kind}/${name} in the rendering`);
  return o as K8sObject & { spec: any };
}

/** The pod spec of a Pod, of a workload's template, or of a CronJob's Job template. */
function podSpecOf(o: K8sObject): any {
  const spec = o.spec as any;
  if (o.kind === 'Pod') return spec;
  if (o.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec;
  return spec?.template?.spec;
}

function podSpecs(objects: K8sObject[]): [string, any][] {
  return objects.flatMap((o): [string, any][] => (podSpecOf(o) ? [[objectId(o), podSpecOf(o)]] : []));
}

function cpuMillis(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000;
}

function memoryMiB(q: string | undefined): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(q ?? '0Mi');
  if (!m) throw new Error(`memory ${q}: not in Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

/** Every YAML file under a folder, as text (to check what the sources say, not only the rendering). */
function yamlSources(dir: string): [string, string][] {
  return readdirSync(dir).flatMap((f): [string, string][] => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return yamlSources(p);
    return p.endsWith('.yaml') ? [[relative(k8s, p), readFileSync(p, 'utf8')]] : [];
  });
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
// Components need kustomize 5 (kubectl 1.27 on); Debian's kubectl 1.20 has kustomize 2.
const hasKustomize5 = kubectl.status === 0 && /Kustomize Version: v5\./.test(kubectl.stdout);

describe('deploy/k8s', () => {
  const src = copyWithToken();
  const all = copyWithToken(withAllComponents);
  const kind = renderKustomization(join(src, KIND));
  const production = renderKustomization(join(src, PRODUCTION));
  const overlays: [string, K8sObject[]][] = [[KIND, kind], [PRODUCTION, production]];
  const master = find(kind, 'Deployment', 'coda-master');
  const workers = find(kind, 'StatefulSet', 'coda-worker');
  const submit = find(kind, 'CronJob', 'coda-submit');
  const masterC = master.spec.template.spec.containers[0];
  const workerC = workers.spec.template.spec.containers[0];
  const submitC = podSpecOf(submit).containers[0];
  const RENDERINGS: [string, string][] = [[src, KIND], [src, PRODUCTION], [all, KIND], [src, 'base']];

  it.each(RENDERINGS.map(([root, dir]) => [root === all ? `${dir} with every component` : dir, root, dir]))('renders and validates against the API schemas: %s', async (_name, root, dir) => {
    const objects = renderKustomization(join(root, dir));
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
    const noName = structuredClone(find(kind, 'Service', 'coda-master'));
    noName.spec.ports[0].port = undefined;
    expect((await validateSchemas([noName])).join('\n')).toMatch(/port/);
  });

  it('an overlay has what an operator expects, and no Job: applying it again can never meet an immutable pod template', () => {
    const ids = (objects: K8sObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '-<hash>')}`).sort();
    const expected = [
      'ConfigMap/coda-job-<hash>', 'CronJob/coda-submit', 'Deployment/coda-master', 'Deployment/coda-results', 'Namespace/coda',
      'NetworkPolicy/coda-default-deny', 'NetworkPolicy/coda-master-grpc', 'NetworkPolicy/coda-metrics', 'NetworkPolicy/coda-worker-bulk', 'NetworkPolicy/coda-worker-grpc',
      'PersistentVolumeClaim/coda-master-state', 'PersistentVolumeClaim/coda-results', 'PodDisruptionBudget/coda-master', 'PodDisruptionBudget/coda-worker',
      'Secret/coda-submit-token', 'Secret/coda-token-<hash>', 'Service/coda-master', 'Service/coda-worker', 'StatefulSet/coda-worker',
    ];
    expect(ids(kind)).toEqual(expected.sort());
    expect(ids(production)).toEqual([...expected, 'PodMonitor/coda'].sort());
    for (const [name, objects] of overlays) {
      for (const o of objects) {
        expect(['Job', 'Pod'], `${name}: ${objectId(o)}`).not.toContain(o.kind);
        if (o.kind !== 'Namespace') expect(o.metadata.namespace, `${name}: ${objectId(o)}`).toBe('coda');
        expect(o.metadata.labels?.['app.kubernetes.io/part-of'], `${name}: ${objectId(o)}`).toBe('coda');
      }
    }
    for (const w of [master, workers, find(kind, 'Deployment', 'coda-results')]) {
      // Selectors are left alone by the labels transformer (includeSelectors: false) and match the template.
      for (const [k, v] of Object.entries(w.spec.selector.matchLabels)) expect(w.spec.template.metadata.labels[k]).toBe(v);
    }
    for (const [svc, target] of [[find(kind, 'Service', 'coda-master'), master], [find(kind, 'Service', 'coda-worker'), workers]] as const) {
      for (const [k, v] of Object.entries(svc.spec.selector)) expect(target.spec.template.metadata.labels[k]).toBe(v);
    }
    const ns = find(kind, 'Namespace', 'coda');
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' });
  });

  it('what a day-two change touches is mutable: a new image, job, token or worker count changes no immutable field', () => {
    // The fields the API server refuses to change on update; an apply that changed one would fail
    // ("field is immutable") until someone deleted the object.
    const immutable = (objects: K8sObject[]): Record<string, unknown> =>
      Object.fromEntries(
        objects.flatMap((o): [string, unknown][] => {
          const s = o.spec as any;
          if (o.kind === 'Deployment') return [[objectId(o), s.selector]];
          if (o.kind === 'StatefulSet') return [[objectId(o), [s.selector, s.serviceName, s.podManagementPolicy, s.volumeClaimTemplates]]];
          if (o.kind === 'PersistentVolumeClaim') return [[objectId(o), [s.accessModes, s.storageClassName, s.volumeName]]];
          if (o.kind === 'Service') return [[objectId(o), s.clusterIP ?? null]];
          return [];
        }),
      );
    const edits: Record<string, (d: string) => void> = {
      image: (d) => editFile(d, `${KIND}/image/kustomization.yaml`, 'newTag: local', 'newTag: v2'),
      job: (d) => writeFileSync(join(d, 'base/job.yaml'), `${readFileSync(join(d, 'base/job.yaml'), 'utf8')}seed: 2\n`),
      token: (d) => writeFileSync(join(d, 'base/token'), 'another-token\n'),
      replicas: (d) => editFile(d, `${KIND}/kustomization.yaml`, 'count: 4', 'count: 6'),
    };
    for (const [what, edit] of Object.entries(edits)) {
      const after = renderKustomization(join(copyWithToken(edit), KIND));
      expect(immutable(after), what).toEqual(immutable(kind));
      const changed = after.filter((o) => JSON.stringify(o) !== JSON.stringify(kind.find((x) => objectId(x) === objectId(o))));
      expect(changed.length, what).toBeGreaterThan(0);
      for (const o of changed) expect(['Deployment', 'StatefulSet', 'CronJob', 'ConfigMap', 'Secret'], `${what}: ${objectId(o)}`).toContain(o.kind);
    }
  });

  it('the image and its pull policy are set in one place per overlay and reach every pod, the results reader and the submitters included', () => {
    // No pull policy in the base or the components: Kubernetes' default for a tagged image
    // (IfNotPresent) on kind, Always from the production overlay's image component.
    for (const [file, text] of yamlSources(join(k8s, 'base')).concat(yamlSources(join(k8s, 'components')))) expect(text, file).not.toMatch(/imagePullPolicy/);
    const images = (objects: K8sObject[]): [string, string, string | undefined][] =>
      podSpecs(objects).flatMap(([id, spec]) => spec.containers.map((c: any): [string, string, string | undefined] => [id, c.image, c.imagePullPolicy]));
    expect(images(kind).map(([id]) => id).sort()).toEqual(['CronJob/coda/coda-submit', 'Deployment/coda/coda-master', 'Deployment/coda/coda-results', 'StatefulSet/coda/coda-worker']);
    for (const [id, image, policy] of images(kind)) expect([id, image, policy]).toEqual([id, 'coda:local', undefined]);
    for (const [id, image, policy] of images(production)) expect([id, image, policy]).toEqual([id, 'registry.example.com/coda:0.1.0', 'Always']);
    // `kustomize edit set image` in the image component reaches every pod.
    const bumped = renderKustomization(join(copyWithToken((d) => editFile(d, `${PRODUCTION}/image/kustomization.yaml`, /newName: .*\n {4}newTag: .*/, 'newName: 123.dkr.ecr.eu-west-1.amazonaws.com/coda\n    newTag: 0.2.0')), PRODUCTION));
    for (const [id, image] of images(bumped)) expect([id, image]).toEqual([id, '123.dkr.ecr.eu-west-1.amazonaws.com/coda:0.2.0']);
    // The only images: lines of the overlays are in their image components.
    for (const overlay of [KIND, PRODUCTION]) {
      expect(readFileSync(join(k8s, overlay, 'kustomization.yaml'), 'utf8')).not.toMatch(/^images:/m);
    }
  });

  it('the master keeps its state on a ReadWriteOnce volume, is replaced (Recreate), and a drain waits for it (PodDisruptionBudget)', () => {
    expect(master.spec.replicas).toBe(1);
    expect(master.spec.strategy.type).toBe('Recreate');
    const stateArg = masterC.args.find((a: string) => a.startsWith('--state='));
    expect(stateArg).toBeDefined();
    const statePath = stateArg.slice('--state='.length);
    const mount = masterC.volumeMounts.find((m: any) => statePath.startsWith(`${m.mountPath}/`) || statePath === m.mountPath);
    const volume = master.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
    expect(mount.readOnly).toBeUndefined();
    const claim = find(kind, 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    // The pod's group (fsGroup) owns the volume: uid 1000 can write it.
    expect(master.spec.template.spec.securityContext.fsGroup).toBe(1000);
    const pdb = find(kind, 'PodDisruptionBudget', 'coda-master');
    expect(pdb.spec).toMatchObject({ minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(pdb.spec.selector.matchLabels).toEqual(master.spec.selector.matchLabels);
    // The master runs no job of its own: submitters do.
    expect(masterC.args.some((a: string) => a.startsWith('--job'))).toBe(false);
  });

  it('a submission is a Job created from a suspended CronJob: TTL, retries, re-attach across a master restart, the worker count at submission', () => {
    expect(submit.spec.suspend).toBe(true);
    const job = submit.spec.jobTemplate.spec;
    expect(job.ttlSecondsAfterFinished).toBeGreaterThan(0);
    expect(job.backoffLimit).toBeGreaterThan(0);
    // Bad input (exit 2) fails the Job at once; an eviction is not counted as a failure.
    expect(job.podFailurePolicy.rules.map((r: any) => r.action)).toEqual(['FailJob', 'Ignore']);
    expect(job.podFailurePolicy.rules[0].onExitCodes).toMatchObject({ containerName: 'submit', operator: 'In', values: [2] });
    expect(job.template.spec.restartPolicy).toBe('Never');
    const svc = find(kind, 'Service', 'coda-master');
    const grpcPort = svc.spec.ports.find((p: any) => p.name === 'grpc').port;
    expect(submitC.args.slice(0, 2)).toEqual(['run', '/etc/coda/job/job.yaml']);
    expect(submitC.args).toContain(`--master=coda-master:${grpcPort}`);
    expect(workerC.args).toContain(`--master=coda-master:${grpcPort}`);
    // The worker count: the pods behind the headless Service when the job is submitted.
    expect(submitC.args).toContain(`--workers-from-dns=${workers.spec.serviceName}`);
    expect(submitC.args.some((a: string) => a.startsWith('--workers='))).toBe(false);
    // Long enough a reconnect window for a restarted master whose volume moves to another node.
    const wait = Number(submitC.args.find((a: string) => a.startsWith('--wait=')).slice('--wait='.length));
    expect(wait).toBeGreaterThanOrEqual(600);
    expect(job.activeDeadlineSeconds).toBeGreaterThan(wait);
    // Each run its own folder on the results volume, named after its Job.
    expect(submitC.args).toContain('--out=/out/$(JOB_NAME)');
    expect(submitC.env.find((e: any) => e.name === 'JOB_NAME').valueFrom.fieldRef.fieldPath).toBe("metadata.labels['batch.kubernetes.io/job-name']");
    const spec = job.template.spec;
    expect(submitC.volumeMounts.find((m: any) => m.name === 'out').mountPath).toBe('/out');
    expect(spec.volumes.find((v: any) => v.name === 'out').persistentVolumeClaim.claimName).toBe('coda-results');
    expect(spec.volumes.find((v: any) => v.name === 'job').configMap.name).toBe(find(kind, 'ConfigMap', 'coda-job').metadata.name);
    // The results reader reads the same claim, read-only, and starts at 0 replicas.
    const reader = find(kind, 'Deployment', 'coda-results');
    expect(reader.spec.replicas).toBe(0);
    expect(reader.spec.template.spec.volumes[0].persistentVolumeClaim).toEqual({ claimName: 'coda-results', readOnly: true });
    // The job in the ConfigMap is a valid job file, with no worker count of its own.
    const jobText = (find(kind, 'ConfigMap', 'coda-job') as any).data['job.yaml'];
    expect(parse(jobText).workers).toBeUndefined();
    expect(() => jobSchema.parse(parse(jobText))).not.toThrow();
  });

  it('workers: kernel threads from the CPU request, no CPU limit to throttle them, spread over nodes, never rolled by an apply', () => {
    expect(workers.spec.updateStrategy).toEqual({ type: 'OnDelete' });
    expect(workers.spec.podManagementPolicy).toBe('Parallel');
    const threads = workerC.env.find((e: any) => e.name === 'CODA_THREADS');
    expect(threads.valueFrom.resourceFieldRef).toEqual({ containerName: workerC.name, resource: 'requests.cpu', divisor: '1' });
    for (const [name, objects] of overlays) {
      const c = find(objects, 'StatefulSet', 'coda-worker').spec.template.spec.containers[0];
      expect(cpuMillis(c.resources.requests.cpu), name).toBeGreaterThan(0);
      expect(c.resources.limits.cpu, name).toBeUndefined();
      expect(c.resources.limits.memory, name).toBeDefined();
    }
    const spread = (objects: K8sObject[]): any[] => find(objects, 'StatefulSet', 'coda-worker').spec.template.spec.topologySpreadConstraints;
    for (const [name, objects] of overlays) {
      expect(spread(objects), name).toHaveLength(1);
      expect(spread(objects)[0], name).toMatchObject({ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', nodeTaintsPolicy: 'Honor', labelSelector: { matchLabels: workers.spec.selector.matchLabels } });
    }
    expect(spread(kind)[0].whenUnsatisfiable).toBe('ScheduleAnyway'); // one node
    expect(spread(production)[0].whenUnsatisfiable).toBe('DoNotSchedule');
    const pdb = find(kind, 'PodDisruptionBudget', 'coda-worker');
    expect(pdb.spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect(pdb.spec.selector.matchLabels).toEqual(workers.spec.selector.matchLabels);
    // The worker count is the overlay's `replicas:`.
    expect(workers.spec.replicas).toBe(4);
    expect(find(renderKustomization(join(copyWithToken((d) => editFile(d, `${KIND}/kustomization.yaml`, 'count: 4', 'count: 7')), KIND)), 'StatefulSet', 'coda-worker').spec.replicas).toBe(7);
  });

  it('the kind overlay fits a 2-CPU machine beside the control plane; production asks for real cores', () => {
    // kind's own pods request 950m (apiserver 250, controller-manager 200, scheduler 100, etcd
    // 100, two CoreDNS 100 each, kindnet 100) and about 300 Mi: a 2-CPU node has 1050m left.
    const requests = (objects: K8sObject[], workersToo = true): { cpu: number; mem: number } => {
      let cpu = 0;
      let mem = 0;
      for (const o of objects) {
        const spec = podSpecOf(o);
        if (!spec) continue;
        const n = o.kind === 'StatefulSet' ? (workersToo ? (o.spec as any).replicas : 0) : o.kind === 'Deployment' ? (o.spec as any).replicas : 1;
        for (const c of spec.containers) {
          cpu += n * cpuMillis(c.resources.requests.cpu);
          mem += n * memoryMiB(c.resources.requests.memory);
        }
      }
      return { cpu, mem };
    };
    const k = requests(kind);
    expect(k.cpu).toBeLessThanOrEqual(1000);
    expect(k.mem).toBeLessThanOrEqual(1536);
    const p = find(production, 'StatefulSet', 'coda-worker').spec.template.spec.containers[0];
    expect(cpuMillis(p.resources.requests.cpu)).toBeGreaterThanOrEqual(1000);
  });

  it('production names the storage class of both volumes in one patch; the base and kind use the cluster default', () => {
    const classes = (objects: K8sObject[]): (string | undefined)[] => objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => (o.spec as any).storageClassName);
    expect(classes(kind)).toEqual([undefined, undefined]);
    expect(classes(production)).toEqual(['SET-ME', 'SET-ME']);
    // "SET-ME" is not a valid class name (the API server refuses it): an unedited overlay fails loudly.
    expect(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test('SET-ME')).toBe(false);
    const gp3 = renderKustomization(join(copyWithToken((d) => editFile(d, `${PRODUCTION}/kustomization.yaml`, 'value: SET-ME', 'value: gp3')), PRODUCTION));
    expect(classes(gp3)).toEqual(['gp3', 'gp3']);
  });

  it('the token is a generated Secret, required, mounted as a file for --token-file, never an env variable', () => {
    const secret = find(kind, 'Secret', 'coda-token') as K8sObject & { data: Record<string, string>; spec: unknown };
    expect(Buffer.from(secret.data.token!, 'base64').toString()).toBe(TOKEN);
    // The same token under a fixed name for what is created outside `kubectl apply`.
    const stable = find(kind, 'Secret', 'coda-submit-token') as any;
    expect(stable.metadata.name).toBe('coda-submit-token');
    expect(stable.data).toEqual(secret.data);
    for (const [id, spec] of podSpecs(kind).filter(([id]) => !id.includes('coda-results'))) {
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
    const noToken = copyWithToken((d) => rmSync(join(d, 'base/token')));
    expect(() => renderKustomization(join(noToken, KIND))).toThrow(/token does not exist/);
    expect(readFileSync(join(repo, '.gitignore'), 'utf8').split('\n')).toContain('deploy/k8s/base/token');
  });

  it('generated names carry a content hash: an edited job reaches the next submission, a new token rolls the master', () => {
    const edited = renderKustomization(join(copyWithToken((d) => writeFileSync(join(d, 'base/job.yaml'), `${readFileSync(join(d, 'base/job.yaml'), 'utf8')}seed: 2\n`)), KIND));
    const cm = find(edited, 'ConfigMap', 'coda-job').metadata.name;
    expect(cm).not.toBe(find(kind, 'ConfigMap', 'coda-job').metadata.name);
    expect(podSpecOf(find(edited, 'CronJob', 'coda-submit')).volumes.find((v: any) => v.name === 'job').configMap.name).toBe(cm);
    const rekeyed = renderKustomization(join(copyWithToken((d) => writeFileSync(join(d, 'base/token'), 'another-token\n')), KIND));
    expect(find(rekeyed, 'Deployment', 'coda-master').spec.template).not.toEqual(master.spec.template);
  });

  it('every pod: no service account token, no service links, Pod Security "restricted", a read-only root', () => {
    const pods = podSpecs(renderKustomization(join(all, KIND)));
    expect(pods.map(([id]) => id).sort()).toEqual(['CronJob/coda/coda-submit', 'Deployment/coda/coda-master', 'Deployment/coda/coda-results', 'StatefulSet/coda/coda-worker']);
    for (const [id, spec] of pods) {
      expect(spec.automountServiceAccountToken, id).toBe(false);
      expect(spec.enableServiceLinks, id).toBe(false);
      expect(restrictedViolations(spec), id).toEqual([]);
      for (const c of spec.containers) expect(c.securityContext.readOnlyRootFilesystem, id).toBe(true);
    }
    // The checker is not blind either.
    const loose = structuredClone(master.spec.template.spec);
    delete loose.containers[0].securityContext.capabilities;
    loose.volumes.push({ name: 'host', hostPath: { path: '/' } });
    expect(restrictedViolations(loose)).toEqual(['volume host: type hostPath', 'container master: capabilities do not drop ALL']);
  });

  it('probes: a startup probe, gRPC health, timeouts that survive a busy event loop; workers are ready while registered', () => {
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
    for (const w of [master, workers]) expect(w.spec.template.spec.terminationGracePeriodSeconds, objectId(w)).toBeLessThanOrEqual(30);
    expect(podSpecOf(submit).terminationGracePeriodSeconds).toBeLessThanOrEqual(30);
  });

  it('workers prove who they are: ordinal as index, the pod\'s name under the headless Service (IPv6-safe), checked by the master in full', () => {
    expect(workerC.args).toContain('--index=ordinal');
    const headless = find(kind, 'Service', 'coda-worker');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(workers.spec.serviceName).toBe(headless.metadata.name);
    expect(workerC.args).toContain(`--advertise=$(POD_NAME).${headless.metadata.name}:7070`);
    expect(workerC.env.find((e: any) => e.name === 'POD_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    expect(masterC.args).toContain(`--worker-statefulset=${workers.metadata.name}`);
    expect(masterC.args).toContain(`--worker-service=${headless.metadata.name}`);
    // The namespace, so the full names (….coda.svc.cluster.local) are checked too, and only in this namespace.
    expect(masterC.env.find((e: any) => e.name === 'POD_NAMESPACE').valueFrom.fieldRef.fieldPath).toBe('metadata.namespace');
    // Both servers listen on every address family the pod has; no pod IP pasted into host:port
    // (breaks on IPv6) anywhere.
    for (const c of [masterC, workerC]) expect(c.args, c.name).toContain('--host=::');
    for (const [id, spec] of podSpecs(kind)) expect(JSON.stringify(spec), id).not.toMatch(/POD_IP|status\.podIP/);
  });

  describe('NetworkPolicies', () => {
    const policiesOf = (objects: K8sObject[]): NetworkPolicyObject[] => objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicyObject[];
    const ns = find(kind, 'Namespace', 'coda');
    const inCoda = (labels: Record<string, string>, ports?: any[]): PodRef => ({
      namespace: 'coda',
      // The API server adds kubernetes.io/metadata.name to every namespace.
      namespaceLabels: { ...ns.metadata.labels, 'kubernetes.io/metadata.name': 'coda' },
      labels,
      ...(ports ? { ports } : {}),
    });
    const outside = (namespace: string, labels: Record<string, string>, ports?: any[]): PodRef => ({ namespace, namespaceLabels: { 'kubernetes.io/metadata.name': namespace }, labels, ...(ports ? { ports } : {}) });
    const pods = {
      master: inCoda(master.spec.template.metadata.labels, masterC.ports),
      worker: inCoda(workers.spec.template.metadata.labels, workerC.ports),
      submitter: inCoda(podSpecOf(submit) && submit.spec.jobTemplate.spec.template.metadata.labels),
      results: inCoda(find(kind, 'Deployment', 'coda-results').spec.template.metadata.labels),
      stranger: inCoda({ app: 'something-else' }),
      prometheus: outside('monitoring', { 'app.kubernetes.io/name': 'prometheus' }),
      grafana: outside('monitoring', { 'app.kubernetes.io/name': 'grafana' }),
      dns: outside('kube-system', { 'k8s-app': 'kube-dns' }, [{ name: 'dns', containerPort: 53 }]),
      elsewhere: outside('default', { 'app.kubernetes.io/name': 'coda', 'app.kubernetes.io/component': 'worker' }, [{ containerPort: 443 }]),
    };
    type Name = keyof typeof pods;
    const targets: [Name, number, string][] = [
      ['master', 7070, 'TCP'], ['master', 9464, 'TCP'], ['worker', 7070, 'TCP'], ['worker', 7071, 'TCP'], ['worker', 9464, 'TCP'],
      ['dns', 53, 'UDP'], ['dns', 53, 'TCP'], ['elsewhere', 443, 'TCP'],
    ];
    const matrix = (policies: NetworkPolicyObject[]): string[] => {
      const out: string[] = [];
      for (const from of Object.keys(pods) as Name[]) {
        for (const [to, port, proto] of targets) {
          if (from === to && from !== 'worker') continue; // a worker reaches the other workers
          if (connectionAllowed(policies, pods[from], pods[to], port, proto)) out.push(`${from} -> ${to}:${port}/${proto}`);
        }
      }
      return out.sort();
    };
    const codaToDns = ['master', 'worker', 'submitter', 'results', 'stranger'].flatMap((p) => [`${p} -> dns:53/TCP`, `${p} -> dns:53/UDP`]);
    // Outside the namespace nothing is isolated by Coda's policies: those pods' egress is their own.
    const outsideToOutside = ['prometheus', 'grafana', 'dns', 'elsewhere'].flatMap((p) => [
      ...(p !== 'dns' ? [`${p} -> dns:53/TCP`, `${p} -> dns:53/UDP`] : []), ...(p !== 'elsewhere' ? [`${p} -> elsewhere:443/TCP`] : []),
    ]);

    it('ingress and egress, default deny: each port for whom it serves, DNS and the namespace out, nothing else', () => {
      expect(matrix(policiesOf(kind))).toEqual(
        [
          'master -> worker:7070/TCP', 'master -> worker:7071/TCP', 'worker -> master:7070/TCP', 'worker -> worker:7070/TCP', 'submitter -> master:7070/TCP',
          'prometheus -> master:9464/TCP', 'prometheus -> worker:9464/TCP',
          ...codaToDns, ...outsideToOutside,
        ].sort(),
      );
    });

    it('metrics admit the scraper by its label, from a namespace the production overlay sets in one patch', () => {
      const moved = renderKustomization(join(copyWithToken((d) => editFile(d, `${PRODUCTION}/kustomization.yaml`, 'value: { kubernetes.io/metadata.name: monitoring }', 'value: { kubernetes.io/metadata.name: observability }')), PRODUCTION));
      const policies = policiesOf(moved);
      const prom = (namespace: string): PodRef => outside(namespace, { 'app.kubernetes.io/name': 'prometheus' });
      expect(connectionAllowed(policies, prom('observability'), pods.worker, 9464)).toBe(true);
      expect(connectionAllowed(policies, prom('monitoring'), pods.worker, 9464)).toBe(false);
      expect(connectionAllowed(policies, outside('observability', { 'app.kubernetes.io/name': 'grafana' }), pods.worker, 9464)).toBe(false);
      expect(matrix(policiesOf(production))).toEqual(matrix(policiesOf(kind)));
    });
  });

  it('monitoring: a PodMonitor kube-prometheus-stack selects (release label), no scrape label that clashes with ours', () => {
    const pm = find(production, 'PodMonitor', 'coda') as any;
    expect(pm.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(pm.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'coda' });
    const relabeled = (pm.spec.podMetricsEndpoints as any[]).flatMap((e) => (e.relabelings ?? []).map((r: any) => r.targetLabel));
    // The series carry role themselves; job and instance are Prometheus's.
    for (const l of ['role', 'job', 'instance', 'job_kind']) expect(relabeled).not.toContain(l);
    const jobs = parse(readFileSync(join(k8s, 'components/monitoring/prometheus-scrape.yaml'), 'utf8')) as any[];
    expect(jobs[0].kubernetes_sd_configs[0].role).toBe('pod');
    expect(jobs[0].relabel_configs.some((r: any) => r.source_labels.includes('__meta_kubernetes_pod_annotation_prometheus_io_scrape'))).toBe(true);
    for (const l of ['role', 'job', 'instance', 'job_kind']) expect(jobs[0].relabel_configs.map((r: any) => r.target_label)).not.toContain(l);
  });

  it('chaos: experiments pick workers by label (any replica count), in the namespace, never by a pod name', () => {
    const chaos = renderKustomization(join(all, KIND)).filter((o) => o.apiVersion === 'chaos-mesh.org/v1alpha1') as any[];
    expect(chaos.map((o) => o.kind).sort()).toEqual(['NetworkChaos', 'PodChaos']);
    for (const o of chaos) {
      expect(o.metadata.namespace).toBe('coda');
      expect(o.spec.selector.pods, o.metadata.name).toBeUndefined();
      expect(o.spec.selector.namespaces).toEqual(['coda']);
      expect(o.spec.selector.labelSelectors).toEqual(workers.spec.selector.matchLabels);
      expect(o.spec.mode).toBe('one');
    }
  });

  it.skipIf(!hasKustomize5).each(RENDERINGS.map(([root, dir]) => [root === all ? `${dir} with every component` : dir, root, dir]))('equals `kubectl kustomize deploy/k8s/%s`', (_name, root, dir) => {
    const roots = [root, copyWithToken((d) => { writeFileSync(join(d, 'base/token'), 'a token with <, > & é\n'); if (root === all) withAllComponents(d); })];
    for (const r of roots) {
      const out = execFileSync('kubectl', ['kustomize', join(r, dir)], { encoding: 'utf8' });
      const theirs = new Map(parseAllDocuments(out).map((d) => d.toJS() as K8sObject).map((o) => [objectId(o), o]));
      const ours = new Map(renderKustomization(join(r, dir)).map((o) => [objectId(o), o]));
      expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
      for (const [id, o] of ours) expect(o, id).toEqual(theirs.get(id));
    }
  });
});

if (!hasKustomize5) {
  console.warn('[deploy] no kubectl with kustomize 5: the comparison with `kubectl kustomize` is SKIPPED (the own renderer is still checked). Install a kubectl of 1.27 or later to run it.');
}
