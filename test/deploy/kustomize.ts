import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/**
 * A small kustomize: renders a kustomization directory with the semantics of `kubectl kustomize`
 * for the fields Coda's manifests use (resources, namespace, labels / commonLabels, images,
 * configMapGenerator with files and literals, generatorOptions). Any other field is an error,
 * so a manifest change that needs more than this fails the deploy test instead of rendering
 * something else. The test compares its output with `kubectl kustomize` where kubectl exists.
 */

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

const SUPPORTED = new Set([
  'apiVersion', 'kind', 'namespace', 'labels', 'commonLabels', 'resources', 'images',
  'configMapGenerator', 'generatorOptions',
]);

/** Kinds that live outside namespaces (the namespace transformer leaves them alone). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume',
  'StorageClass', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
]);

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

interface LabelsEntry { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }
interface ImageEntry { name: string; newName?: string; newTag?: string; digest?: string }
interface ConfigMapGen { name: string; files?: string[]; literals?: string[]; behavior?: string }
interface Kustomization {
  namespace?: string;
  labels?: LabelsEntry[];
  commonLabels?: Record<string, string>;
  resources?: string[];
  images?: ImageEntry[];
  configMapGenerator?: ConfigMapGen[];
  generatorOptions?: { disableNameSuffixHash?: boolean; labels?: Record<string, string> };
}

function readKustomization(dir: string): Kustomization {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(dir, f)).find(existsSync);
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const k = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  for (const key of Object.keys(k)) {
    if (!SUPPORTED.has(key)) throw new Error(`${file}: field '${key}' is not supported by this renderer`);
  }
  if (k.kind !== 'Kustomization') throw new Error(`${file}: kind must be Kustomization`);
  const gen = k.generatorOptions as Kustomization['generatorOptions'];
  if (k.configMapGenerator && !gen?.disableNameSuffixHash) {
    throw new Error(`${file}: name suffix hashes are not implemented here; set generatorOptions.disableNameSuffixHash`);
  }
  return k as Kustomization;
}

function readResourceFile(path: string): K8sObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => {
      if (d.errors.length) throw new Error(`${path}: ${d.errors[0]!.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

function setLabels(target: Record<string, unknown>, key: string, pairs: Record<string, string>): void {
  target[key] = { ...((target[key] as Record<string, string> | undefined) ?? {}), ...pairs };
}

function podTemplate(o: K8sObject): Record<string, unknown> | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (POD_TEMPLATE_KINDS.has(o.kind)) return spec?.template as Record<string, unknown> | undefined;
  if (o.kind === 'CronJob') {
    const jobSpec = (spec?.jobTemplate as Record<string, Record<string, unknown>> | undefined)?.spec;
    return jobSpec?.template as Record<string, unknown> | undefined;
  }
  return undefined;
}

function applyLabels(o: K8sObject, entry: LabelsEntry): void {
  setLabels(o.metadata, 'labels', entry.pairs);
  const template = podTemplate(o);
  if (template && (entry.includeTemplates || entry.includeSelectors)) {
    template.metadata ??= {};
    setLabels(template.metadata as Record<string, unknown>, 'labels', entry.pairs);
  }
  if (entry.includeSelectors) {
    const spec = o.spec as Record<string, unknown> | undefined;
    if (o.kind === 'Service' && spec) setLabels(spec, 'selector', entry.pairs);
    else if (spec?.selector && POD_TEMPLATE_KINDS.has(o.kind)) setLabels(spec.selector as Record<string, unknown>, 'matchLabels', entry.pairs);
  }
}

function applyImages(o: K8sObject, images: ImageEntry[]): void {
  const podSpec = (podTemplate(o)?.spec ?? (o.kind === 'Pod' ? o.spec : undefined)) as Record<string, unknown> | undefined;
  if (!podSpec) return;
  for (const list of ['containers', 'initContainers'] as const) {
    for (const c of (podSpec[list] as Array<{ image?: string }> | undefined) ?? []) {
      if (!c.image) continue;
      const m = /^([^@:]+(?::\d+\/[^@:]+)?)(?::([^@]+))?(?:@(.+))?$/.exec(c.image);
      if (!m) continue;
      const img = images.find((i) => i.name === m[1]);
      if (!img) continue;
      const name = img.newName ?? m[1];
      c.image = img.digest ? `${name}@${img.digest}` : img.newTag ? `${name}:${img.newTag}` : m[2] ? `${name}:${m[2]}` : name;
    }
  }
}

function generateConfigMap(dir: string, g: ConfigMapGen, labels: Record<string, string> | undefined): K8sObject {
  if (g.behavior && g.behavior !== 'create') throw new Error(`configMapGenerator ${g.name}: behavior ${g.behavior} not supported`);
  const data: Record<string, string> = {};
  for (const f of g.files ?? []) {
    const [key, path] = f.includes('=') ? (f.split('=', 2) as [string, string]) : [basename(f), f];
    const abs = resolve(dir, path);
    if (!abs.startsWith(resolve(dir))) throw new Error(`configMapGenerator ${g.name}: ${path} is outside the kustomization root`);
    data[key] = readFileSync(abs, 'utf8');
  }
  for (const l of g.literals ?? []) {
    const i = l.indexOf('=');
    data[l.slice(0, i)] = l.slice(i + 1);
  }
  const metadata: K8sObject['metadata'] = { name: g.name };
  if (labels) metadata.labels = { ...labels };
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
}

/** Renders a kustomization directory to its list of objects (in resource order, generated last). */
export function renderKustomization(dir: string): K8sObject[] {
  const k = readKustomization(dir);
  const objects: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const path = resolve(dir, r);
    if (!existsSync(path)) throw new Error(`${dir}: resource ${r} not found`);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readResourceFile(path)));
  }
  for (const g of k.configMapGenerator ?? []) objects.push(generateConfigMap(dir, g, k.generatorOptions?.labels));

  const labelEntries: LabelsEntry[] = [...(k.labels ?? [])];
  if (k.commonLabels) labelEntries.push({ pairs: k.commonLabels, includeSelectors: true, includeTemplates: true });
  for (const o of objects) {
    if (!o?.kind || !o.metadata?.name) throw new Error(`${dir}: an object without kind or metadata.name`);
    if (k.namespace && !CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    for (const e of labelEntries) applyLabels(o, e);
    if (k.images) applyImages(o, k.images);
  }
  const seen = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (seen.has(id)) throw new Error(`${dir}: ${id} defined twice`);
    seen.add(id);
  }
  return objects;
}

export function objectId(o: K8sObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
