import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/**
 * A small kustomize: renders a kustomization directory with the semantics of `kubectl kustomize`
 * for the fields Coda's manifests use (resources, components, namespace, labels / commonLabels,
 * images, replicas, JSON 6902 patches with a target, configMapGenerator and secretGenerator
 * with files and literals, their content-hash name suffixes (or not, per generator) and the
 * references rewritten to them, generatorOptions, replacements). Any other field is an error,
 * so a manifest change that needs more than this fails the deploy test instead of rendering
 * something else. The test compares its output with `kubectl kustomize` where kubectl (with
 * kustomize 5) exists; Debian's kubectl 1.20 carries a kustomize too old for components.
 */

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

const SUPPORTED = new Set([
  'apiVersion', 'kind', 'namespace', 'labels', 'commonLabels', 'resources', 'components', 'images',
  'replicas', 'patches', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'replacements',
]);
/** What a Component may carry here: resources and transformers, no generators of its own. */
const COMPONENT_SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'components', 'images', 'replicas', 'patches']);

/** Kinds that live outside namespaces (the namespace transformer leaves them alone). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume',
  'StorageClass', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
]);

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
/** Kinds whose spec.replicas kustomize's `replicas` field sets. */
const REPLICA_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

interface LabelsEntry { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }
interface ImageEntry { name: string; newName?: string; newTag?: string; digest?: string }
interface ConfigMapGen { name: string; files?: string[]; literals?: string[]; behavior?: string; options?: { disableNameSuffixHash?: boolean } }
interface PatchEntry { target?: { group?: string; version?: string; kind?: string; name?: string; namespace?: string }; patch?: string; path?: string; options?: unknown }
type JsonPatchOp = { op: string; path: string; value?: unknown };
interface SecretGen extends ConfigMapGen { type?: string }
interface Replacement {
  source: { kind: string; name: string; fieldPath: string };
  targets: { select: { kind: string; name?: string }; fieldPaths: string[] }[];
}
interface Kustomization {
  kind: string;
  namespace?: string;
  components?: string[];
  replicas?: { name: string; count: number }[];
  patches?: PatchEntry[];
  labels?: LabelsEntry[];
  commonLabels?: Record<string, string>;
  resources?: string[];
  images?: ImageEntry[];
  configMapGenerator?: ConfigMapGen[];
  secretGenerator?: SecretGen[];
  generatorOptions?: { disableNameSuffixHash?: boolean; labels?: Record<string, string> };
  replacements?: Replacement[];
}

function readKustomization(dir: string, kind: 'Kustomization' | 'Component'): Kustomization {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(dir, f)).find(existsSync);
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const k = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const supported = kind === 'Component' ? COMPONENT_SUPPORTED : SUPPORTED;
  for (const key of Object.keys(k)) {
    if (!supported.has(key)) throw new Error(`${file}: field '${key}' is not supported by this renderer in a ${kind}`);
  }
  // kustomize's own messages: a component where a kustomization is expected, and the reverse.
  if (k.kind !== kind) throw new Error(`${file}: expected kind '${kind}' but got '${String(k.kind)}'`);
  const apiVersion = kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1';
  if (k.apiVersion !== apiVersion) throw new Error(`${file}: apiVersion must be ${apiVersion}`);
  for (const p of (k.patches as PatchEntry[] | undefined) ?? []) {
    if (p.path !== undefined || p.options !== undefined || p.patch === undefined) throw new Error(`${file}: only inline JSON 6902 patches (patch:, target:) are supported by this renderer`);
  }
  for (const r of (k.replacements as Record<string, unknown>[] | undefined) ?? []) {
    if ('path' in r) throw new Error(`${file}: replacements from a file are not supported by this renderer`);
    for (const t of (r.targets as Record<string, unknown>[] | undefined) ?? []) {
      if ('options' in t || 'reject' in t) throw new Error(`${file}: replacement target options/reject are not supported by this renderer`);
    }
  }
  return k as unknown as Kustomization;
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
    // A CronJob's Job template is labelled too.
    const jobTemplate = o.kind === 'CronJob' ? ((o.spec as Record<string, unknown>).jobTemplate as Record<string, unknown>) : undefined;
    if (jobTemplate) {
      jobTemplate.metadata ??= {};
      setLabels(jobTemplate.metadata as Record<string, unknown>, 'labels', entry.pairs);
    }
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

/** kustomize's target selector: each field an anchored regular expression. */
function selected(o: K8sObject, target: PatchEntry['target']): boolean {
  if (!target) return true;
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/', 2) as [string, string] : ['', o.apiVersion];
  const fields: [string | undefined, string][] = [
    [target.group, group], [target.version, version], [target.kind, o.kind], [target.name, o.metadata.name], [target.namespace, o.metadata.namespace ?? ''],
  ];
  return fields.every(([re, v]) => re === undefined || new RegExp(`^(?:${re})$`).test(v));
}

/** A JSON pointer's tokens (RFC 6901: ~1 is '/', ~0 is '~'). */
function pointer(path: string, where: string): string[] {
  if (!path.startsWith('/')) throw new Error(`${where}: path ${path} is not a JSON pointer`);
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 add, replace and remove on an object (the operations Coda's overlays use). */
function applyJsonPatch(o: K8sObject, ops: JsonPatchOp[], where: string): void {
  for (const op of ops) {
    const tokens = pointer(op.path, where);
    const last = tokens.pop()!;
    let node: unknown = o;
    for (const t of tokens) {
      node = Array.isArray(node) ? node[Number(t)] : (node as Record<string, unknown> | undefined)?.[t];
      if (node === undefined || node === null || typeof node !== 'object') throw new Error(`${where}: ${op.op} ${op.path}: no such parent`);
    }
    if (Array.isArray(node)) {
      const i = last === '-' ? node.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > node.length || (op.op !== 'add' && i === node.length)) throw new Error(`${where}: ${op.op} ${op.path}: index out of range`);
      if (op.op === 'add') node.splice(i, 0, structuredClone(op.value));
      else if (op.op === 'replace') node[i] = structuredClone(op.value);
      else if (op.op === 'remove') node.splice(i, 1);
      else throw new Error(`${where}: op ${op.op} is not supported by this renderer`);
      continue;
    }
    const parent = node as Record<string, unknown>;
    if (op.op === 'add') parent[last] = structuredClone(op.value);
    else if (op.op === 'replace' || op.op === 'remove') {
      if (!(last in parent)) throw new Error(`${where}: ${op.op} ${op.path}: no such field`);
      if (op.op === 'replace') parent[last] = structuredClone(op.value);
      else delete parent[last];
    } else throw new Error(`${where}: op ${op.op} is not supported by this renderer`);
  }
}

function applyPatches(objects: K8sObject[], patches: PatchEntry[], dir: string): void {
  for (const p of patches) {
    const ops = parse(p.patch!) as JsonPatchOp[];
    if (!Array.isArray(ops)) throw new Error(`${dir}: only JSON 6902 patches (a list of operations) are supported by this renderer`);
    for (const o of objects) if (selected(o, p.target)) applyJsonPatch(o, ops, `${dir}: patch of ${o.kind}/${o.metadata.name}`);
  }
}

function applyReplicas(objects: K8sObject[], replicas: { name: string; count: number }[]): void {
  for (const r of replicas) {
    for (const o of objects) {
      if (o.metadata.name === r.name && REPLICA_KINDS.has(o.kind)) (o.spec as Record<string, unknown>).replicas = r.count;
    }
  }
}

/** key -> text of a generator's files (key=path or the file's base name) and literals. */
function generatorData(dir: string, g: ConfigMapGen): Record<string, string> {
  if (g.behavior && g.behavior !== 'create') throw new Error(`generator ${g.name}: behavior ${g.behavior} not supported`);
  const data: Record<string, string> = {};
  for (const f of g.files ?? []) {
    const [key, path] = f.includes('=') ? (f.split('=', 2) as [string, string]) : [basename(f), f];
    const abs = resolve(dir, path);
    if (!abs.startsWith(resolve(dir))) throw new Error(`generator ${g.name}: ${path} is outside the kustomization root`);
    if (!existsSync(abs)) throw new Error(`generator ${g.name}: ${abs} does not exist`);
    data[key] = readFileSync(abs, 'utf8');
  }
  for (const l of g.literals ?? []) {
    const i = l.indexOf('=');
    data[l.slice(0, i)] = l.slice(i + 1);
  }
  return data;
}

/** Go's encoding/json as kustomize's hasher uses it: sorted keys, <, > and & escaped. */
function goJson(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${goJson(k)}:${goJson(o[k])}`).join(',')}}`;
}

/**
 * kustomize's content hash of a generated ConfigMap or Secret (api/hasher): sha256 of the JSON
 * of kind, data (and type), its first ten hex digits with 0, 1, 3, a, e spelled g, h, k, m, t.
 * The name in the hashed JSON is always "" (kustomize looks it up under a path that never
 * matches), so it is left empty here too.
 */
function contentHash(o: K8sObject): string {
  const fields: Record<string, unknown> = { kind: o.kind, name: '', data: o.data ?? {} };
  if (o.kind === 'Secret') fields.type = o.type;
  const hex = createHash('sha256').update(goJson(fields)).digest('hex').slice(0, 10);
  return hex.replace(/[013ae]/g, (c) => ({ '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' })[c]!);
}

function generated(kind: 'ConfigMap' | 'Secret', g: SecretGen, data: Record<string, string>, labels: Record<string, string> | undefined): K8sObject {
  const metadata: K8sObject['metadata'] = { name: g.name };
  if (labels) metadata.labels = { ...labels };
  if (kind === 'ConfigMap') return { apiVersion: 'v1', kind, metadata, data };
  const b64 = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { apiVersion: 'v1', kind, metadata, data: b64, type: g.type ?? 'Opaque' };
}

type PodSpec = {
  volumes?: { configMap?: { name?: string }; secret?: { secretName?: string }; projected?: { sources?: { configMap?: { name?: string }; secret?: { name?: string } }[] } }[];
  imagePullSecrets?: { name?: string }[];
  [list: string]: unknown;
};
type Container = {
  env?: { valueFrom?: { configMapKeyRef?: { name?: string }; secretKeyRef?: { name?: string } } }[];
  envFrom?: { configMapRef?: { name?: string }; secretRef?: { name?: string } }[];
};

/** Rewrites the pod-spec references kustomize's nameReference rewrites to renamed ConfigMaps and Secrets. */
function renameReferences(o: K8sObject, renamed: { ConfigMap: Map<string, string>; Secret: Map<string, string> }): void {
  const spec = (podTemplate(o)?.spec ?? (o.kind === 'Pod' ? o.spec : undefined)) as PodSpec | undefined;
  if (!spec) return;
  const cm = (r?: { name?: string }): void => {
    if (r?.name && renamed.ConfigMap.has(r.name)) r.name = renamed.ConfigMap.get(r.name)!;
  };
  const sec = (r?: { name?: string }): void => {
    if (r?.name && renamed.Secret.has(r.name)) r.name = renamed.Secret.get(r.name)!;
  };
  for (const v of spec.volumes ?? []) {
    cm(v.configMap);
    if (v.secret?.secretName && renamed.Secret.has(v.secret.secretName)) v.secret.secretName = renamed.Secret.get(v.secret.secretName)!;
    for (const src of v.projected?.sources ?? []) {
      cm(src.configMap);
      sec(src.secret);
    }
  }
  for (const r of spec.imagePullSecrets ?? []) sec(r);
  for (const list of ['containers', 'initContainers'] as const) {
    for (const c of (spec[list] as Container[] | undefined) ?? []) {
      for (const e of c.env ?? []) {
        cm(e.valueFrom?.configMapKeyRef);
        sec(e.valueFrom?.secretKeyRef);
      }
      for (const e of c.envFrom ?? []) {
        cm(e.configMapRef);
        sec(e.secretRef);
      }
    }
  }
}

/**
 * A replacement field path: dot-separated keys, a list index, or `[key=value]` for the list item
 * whose key has that value (kustomize's syntax). Returns the parent and the last key.
 */
function walkPath(root: unknown, fieldPath: string, where: string): { parent: Record<string, unknown> | unknown[]; key: string | number } {
  const parts = fieldPath.match(/\[[^\]]*\]|[^.]+/g) ?? [];
  let node: unknown = root;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    let key: string | number = p;
    if (Array.isArray(node)) {
      const sel = /^\[([^=]+)=(.*)\]$/.exec(p);
      key = sel ? node.findIndex((x) => (x as Record<string, unknown>)?.[sel[1]!] === sel[2]) : Number(p);
      if (typeof key === 'number' && !(key >= 0 && key < node.length)) throw new Error(`${where}: no item ${p} in ${fieldPath}`);
    } else if (typeof node !== 'object' || node === null || !(p in node)) {
      throw new Error(`${where}: no field ${p} in ${fieldPath}`);
    }
    if (i === parts.length - 1) return { parent: node as Record<string, unknown>, key };
    node = (node as Record<string | number, unknown>)[key];
  }
  throw new Error(`${where}: empty field path`);
}

function applyReplacements(objects: K8sObject[], replacements: Replacement[], dir: string): void {
  for (const r of replacements) {
    const src = objects.find((o) => o.kind === r.source.kind && o.metadata.name === r.source.name);
    if (!src) throw new Error(`${dir}: replacement source ${r.source.kind}/${r.source.name} not found`);
    const s = walkPath(src, r.source.fieldPath, `${dir}: replacement source`);
    const value = (s.parent as Record<string | number, unknown>)[s.key];
    for (const t of r.targets) {
      const targets = objects.filter((o) => o.kind === t.select.kind && (!t.select.name || o.metadata.name === t.select.name));
      if (targets.length === 0) throw new Error(`${dir}: replacement target ${t.select.kind}/${t.select.name ?? '*'} not found`);
      for (const o of targets) {
        for (const fp of t.fieldPaths) {
          const { parent, key } = walkPath(o, fp, `${dir}: replacement target ${o.kind}/${o.metadata.name}`);
          const p = parent as Record<string | number, unknown>;
          // A scalar lands in a string field as a string (an env value stays "4", not 4).
          p[key] = typeof p[key] === 'string' && typeof value !== 'object' ? String(value) : structuredClone(value);
        }
      }
    }
  }
}

/**
 * This kustomization's (or component's) transformers over what it has accumulated, in
 * kustomize's order: patches, namespace, labels, replicas, images, replacements.
 */
function transform(objects: K8sObject[], k: Kustomization, dir: string): void {
  applyPatches(objects, k.patches ?? [], dir);
  const labelEntries: LabelsEntry[] = [...(k.labels ?? [])];
  if (k.commonLabels) labelEntries.push({ pairs: k.commonLabels, includeSelectors: true, includeTemplates: true });
  for (const o of objects) {
    if (!o?.kind || !o.metadata?.name) throw new Error(`${dir}: an object without kind or metadata.name`);
    if (k.namespace && !CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    for (const e of labelEntries) applyLabels(o, e);
  }
  applyReplicas(objects, k.replicas ?? []);
  for (const o of objects) if (k.images) applyImages(o, k.images);
  applyReplacements(objects, k.replacements ?? [], dir);
}

/** Resources (each a file or a kustomization rendered whole), then components applied in order. */
function accumulate(objects: K8sObject[], k: Kustomization, dir: string): void {
  for (const r of k.resources ?? []) {
    const path = resolve(dir, r);
    if (!existsSync(path)) throw new Error(`${dir}: resource ${r} not found`);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readResourceFile(path)));
  }
  // A component is a kustomization run on its parent's objects: its resources join them, and its
  // transformers apply to all of them, so a component listed later sees what earlier ones added.
  for (const c of k.components ?? []) {
    const cdir = resolve(dir, c);
    const ck = readKustomization(cdir, 'Component');
    accumulate(objects, ck, cdir);
    transform(objects, ck, cdir);
  }
}

/** Renders a kustomization directory to its list of objects (in resource order, generated last). */
export function renderKustomization(dir: string): K8sObject[] {
  const k = readKustomization(dir, 'Kustomization');
  const objects: K8sObject[] = [];
  accumulate(objects, k, dir);
  const gen = k.generatorOptions;
  const made: { o: K8sObject; hash: boolean }[] = [];
  const hashed = (g: ConfigMapGen): boolean => !(g.options?.disableNameSuffixHash ?? gen?.disableNameSuffixHash ?? false);
  for (const g of k.configMapGenerator ?? []) made.push({ o: generated('ConfigMap', g, generatorData(dir, g), gen?.labels), hash: hashed(g) });
  for (const g of k.secretGenerator ?? []) made.push({ o: generated('Secret', g, generatorData(dir, g), gen?.labels), hash: hashed(g) });
  objects.push(...made.map((m) => m.o));
  transform(objects, k, dir);
  const renamed = { ConfigMap: new Map<string, string>(), Secret: new Map<string, string>() };
  for (const { o, hash } of made) {
    if (!hash) continue;
    const name = `${o.metadata.name}-${contentHash(o)}`;
    renamed[o.kind as 'ConfigMap' | 'Secret'].set(o.metadata.name, name);
    o.metadata.name = name;
  }
  if (renamed.ConfigMap.size + renamed.Secret.size) for (const o of objects) renameReferences(o, renamed);
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
