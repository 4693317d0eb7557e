import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { jobSchema } from '../../shared/config/job-schema';
import { renderKustomization, objectId, type K8sObject } from './kustomize';
import { isKnownKind, typeCheckObjects, validateSchemas } from './k8s-schema';

/**
 * The Kubernetes manifests in deploy/k8s, rendered with kustomize semantics and validated
 * offline against the API schemas (no cluster can run here). Where kubectl is installed, its
 * own kustomize renders the same directories and the two renderings must be equal.
 */
const repo = resolve(__dirname, '../..');
const k8s = join(repo, 'deploy/k8s');
const DIRS = ['', 'chaos', 'monitoring'];

function byId(objects: K8sObject[]): Map<string, K8sObject> {
  return new Map(objects.map((o) => [objectId(o), o]));
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject & { spec: any } {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} in the rendering`);
  return o as K8sObject & { spec: any };
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const hasKubectl = kubectl.status === 0;

describe('deploy/k8s', () => {
  const main = renderKustomization(k8s);

  it.each(DIRS)('renders and validates against the API schemas: deploy/k8s/%s', async (dir) => {
    const objects = renderKustomization(join(k8s, dir));
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect(isKnownKind(o), `${o.apiVersion} ${o.kind}`).toBe(true);
    expect(await validateSchemas(objects)).toEqual([]);
    expect(typeCheckObjects(objects, repo)).toEqual([]);
  });

  it('catches a misspelled field, a wrong type and a missing name (the validators are not blind)', async () => {
    const bad = structuredClone(find(main, 'Deployment', 'coda-master'));
    bad.spec.template.spec.containers[0].livenesProbe = bad.spec.template.spec.containers[0].livenessProbe;
    delete bad.spec.template.spec.containers[0].livenessProbe;
    expect(typeCheckObjects([bad], repo).join('\n')).toMatch(/livenesProbe/);
    const wrongType = structuredClone(find(main, 'StatefulSet', 'coda-worker'));
    wrongType.spec.replicas = 'four';
    expect((await validateSchemas([wrongType])).join('\n')).toMatch(/replicas must be integer/);
    const noName = structuredClone(find(main, 'Service', 'coda-master'));
    noName.spec.ports[0].port = undefined;
    expect((await validateSchemas([noName])).join('\n')).toMatch(/port/);
  });

  it('has what the design asks for: namespace, master, worker StatefulSet, job ConfigMap, gRPC probes, scraping', () => {
    for (const o of main) {
      if (o.kind !== 'Namespace') expect(o.metadata.namespace, objectId(o)).toBe('coda');
      expect(o.metadata.labels?.['app.kubernetes.io/part-of'], objectId(o)).toBe('coda');
    }
    const master = find(main, 'Deployment', 'coda-master');
    const workers = find(main, 'StatefulSet', 'coda-worker');
    const headless = find(main, 'Service', 'coda-worker');
    const masterSvc = find(main, 'Service', 'coda-master');
    const job = find(main, 'ConfigMap', 'coda-job') as K8sObject & { data: Record<string, string> };

    expect(master.spec.replicas).toBe(1);
    expect(headless.spec.clusterIP).toBe('None');
    expect(workers.spec.serviceName).toBe('coda-worker');
    for (const w of [master, workers]) {
      const pod = w.spec.template;
      // Selectors are left alone by the labels transformer (includeSelectors: false) and match the template.
      for (const [k, v] of Object.entries(w.spec.selector.matchLabels)) expect(pod.metadata.labels[k]).toBe(v);
      expect(pod.metadata.labels['app.kubernetes.io/part-of']).toBe('coda');
      expect(pod.metadata.annotations['prometheus.io/scrape']).toBe('true');
      expect(pod.metadata.annotations['prometheus.io/port']).toBe('9464');
      expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
      const c = pod.spec.containers[0];
      expect(c.image).toBe('coda:latest');
      expect(c.readinessProbe.grpc.port).toBe(7070);
      expect(c.livenessProbe.grpc.port).toBe(7070);
    }
    for (const svc of [masterSvc, headless]) {
      for (const [k, v] of Object.entries(svc.spec.selector)) {
        const target = svc === masterSvc ? master : workers;
        expect(target.spec.template.metadata.labels[k]).toBe(v);
      }
    }
    // The worker asks for its StatefulSet ordinal as its index, and dials the master's Service.
    const workerArgs: string[] = workers.spec.template.spec.containers[0].args;
    expect(workerArgs).toContain('--index=ordinal');
    expect(workerArgs).toContain('--master=coda-master:7070');
    expect(workerArgs).toContain('--advertise=$(POD_IP):7070');
    // The master mounts the job ConfigMap and runs it with as many workers as the StatefulSet has.
    const args: string[] = master.spec.template.spec.containers[0].args;
    expect(args).toContain('--job=/etc/coda/job.yaml');
    expect(args).toContain(`--min-workers=${workers.spec.replicas}`);
    expect(master.spec.template.spec.volumes.find((v: any) => v.name === 'job').configMap.name).toBe('coda-job');
    // The job in the ConfigMap is a valid job file for the same number of workers.
    const jobSpec = jobSchema.parse(parse(job.data['job.yaml']!));
    expect(jobSpec.workers).toBe(workers.spec.replicas);
  });

  it('scrape configuration for plain Prometheus is well formed', () => {
    const jobs = parse(readFileSync(join(k8s, 'monitoring/prometheus-scrape.yaml'), 'utf8')) as any[];
    expect(jobs[0].kubernetes_sd_configs[0].role).toBe('pod');
    expect(jobs[0].relabel_configs.some((r: any) => r.source_labels.includes('__meta_kubernetes_pod_annotation_prometheus_io_scrape'))).toBe(true);
  });

  it.skipIf(!hasKubectl).each(DIRS)('equals `kubectl kustomize deploy/k8s/%s`', (dir) => {
    const out = execFileSync('kubectl', ['kustomize', join(k8s, dir)], { encoding: 'utf8' });
    const theirs = parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
    const ours = renderKustomization(join(k8s, dir));
    const a = byId(ours);
    const b = byId(theirs);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [id, o] of a) expect(o, id).toEqual(b.get(id));
  });
});

if (!hasKubectl) {
  console.warn('[deploy] kubectl not found: the comparison with `kubectl kustomize` is SKIPPED (the own renderer is still checked). Install kubectl to run it.');
}
