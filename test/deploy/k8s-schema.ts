import { join } from 'node:path';
import ts from 'typescript';
import { z } from 'zod';
import type { K8sObject } from './kustomize';

/**
 * Offline validation of Kubernetes objects against the API schemas, two ways:
 * - the OpenAPI schemas compiled into kubernetes-models (types, required fields, enums, formats);
 * - the same models' TypeScript interfaces with excess-property checks, which catch what the
 *   OpenAPI schemas let through, like a misspelled field (`livenesProbe`), as the API server's
 *   strict field validation would.
 * Chaos Mesh has no published models package: its resources get a zod schema of the CRD
 * fields these examples use.
 */

interface ModelRef { module: string; name: string }

const MODELS: Record<string, ModelRef> = {
  'v1/Namespace': { module: 'kubernetes-models/v1/Namespace', name: 'Namespace' },
  'v1/ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', name: 'ConfigMap' },
  'v1/Service': { module: 'kubernetes-models/v1/Service', name: 'Service' },
  'v1/Secret': { module: 'kubernetes-models/v1/Secret', name: 'Secret' },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', name: 'Deployment' },
  'apps/v1/StatefulSet': { module: 'kubernetes-models/apps/v1/StatefulSet', name: 'StatefulSet' },
  'v1/Pod': { module: 'kubernetes-models/v1/Pod', name: 'Pod' },
  'v1/PersistentVolumeClaim': { module: 'kubernetes-models/v1/PersistentVolumeClaim', name: 'PersistentVolumeClaim' },
  'batch/v1/Job': { module: 'kubernetes-models/batch/v1/Job', name: 'Job' },
  'batch/v1/CronJob': { module: 'kubernetes-models/batch/v1/CronJob', name: 'CronJob' },
  'policy/v1/PodDisruptionBudget': { module: 'kubernetes-models/policy/v1/PodDisruptionBudget', name: 'PodDisruptionBudget' },
  'networking.k8s.io/v1/NetworkPolicy': { module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy', name: 'NetworkPolicy' },
  'monitoring.coreos.com/v1/PodMonitor': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor',
    name: 'PodMonitor',
  },
};

const selector = z
  .object({
    namespaces: z.array(z.string()).optional(),
    labelSelectors: z.record(z.string()).optional(),
    pods: z.record(z.array(z.string())).optional(),
  })
  .strict()
  .refine((s) => s.labelSelectors || s.pods, 'a selector needs labelSelectors or pods');
const duration = z.string().regex(/^\d+(ms|s|m|h)$/);
const chaosMeta = z.object({ name: z.string(), namespace: z.string() }).passthrough();
const mode = z.enum(['one', 'all', 'fixed', 'fixed-percent', 'random-max-percent']);

const CHAOS_MESH: Record<string, z.ZodTypeAny> = {
  NetworkChaos: z.object({
    apiVersion: z.literal('chaos-mesh.org/v1alpha1'), kind: z.literal('NetworkChaos'), metadata: chaosMeta,
    spec: z.object({
      action: z.enum(['netem', 'delay', 'loss', 'duplicate', 'corrupt', 'partition', 'bandwidth']),
      mode, value: z.string().optional(), selector, duration: duration.optional(),
      direction: z.enum(['to', 'from', 'both']).optional(),
      delay: z.object({ latency: duration, jitter: duration.optional(), correlation: z.string().optional() }).strict().optional(),
      loss: z.object({ loss: z.string(), correlation: z.string().optional() }).strict().optional(),
      bandwidth: z.object({ rate: z.string(), limit: z.number().int(), buffer: z.number().int() }).strict().optional(),
    }).strict().refine((s) => s.action !== 'delay' || s.delay, 'action delay needs spec.delay'),
  }).strict(),
  PodChaos: z.object({
    apiVersion: z.literal('chaos-mesh.org/v1alpha1'), kind: z.literal('PodChaos'), metadata: chaosMeta,
    spec: z.object({
      action: z.enum(['pod-failure', 'pod-kill', 'container-kill']),
      mode, value: z.string().optional(), selector, duration: duration.optional(),
      containerNames: z.array(z.string()).optional(), gracePeriod: z.number().int().optional(),
    }).strict(),
  }).strict(),
};

function modelKey(o: K8sObject): string {
  return `${o.apiVersion}/${o.kind}`;
}

export function isKnownKind(o: K8sObject): boolean {
  return modelKey(o) in MODELS || (o.apiVersion === 'chaos-mesh.org/v1alpha1' && o.kind in CHAOS_MESH);
}

/** Validates each object against its OpenAPI schema; returns one message per invalid object. */
export async function validateSchemas(objects: K8sObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata.name}`;
    if (o.apiVersion === 'chaos-mesh.org/v1alpha1') {
      const schema = CHAOS_MESH[o.kind];
      const r = schema ? schema.safeParse(o) : { success: false as const, error: new Error(`unknown Chaos Mesh kind ${o.kind}`) };
      if (!r.success) errors.push(`${where}: ${r.error.message}`);
      continue;
    }
    const ref = MODELS[modelKey(o)];
    if (!ref) {
      errors.push(`${where}: no schema for ${modelKey(o)}`);
      continue;
    }
    const mod = (await import(ref.module)) as Record<string, new (d: unknown) => { validate(): void }>;
    try {
      new mod[ref.name]!(o).validate();
    } catch (e) {
      errors.push(`${where}: ${(e as Error).message}`);
    }
  }
  return errors;
}

/**
 * Type-checks each object as an object literal of its model's interface: unknown fields,
 * wrong types and missing required fields become TypeScript diagnostics.
 */
export function typeCheckObjects(objects: K8sObject[], repoRoot: string): string[] {
  const lines: string[] = [];
  const checked = objects.filter((o) => MODELS[modelKey(o)]);
  checked.forEach((o, i) => {
    const ref = MODELS[modelKey(o)]!;
    lines.push(`import type { I${ref.name} as T${i} } from '${ref.module}';`);
    lines.push(`export const o${i}: T${i} = ${JSON.stringify(o)};`);
  });
  const file = join(repoRoot, 'test', 'deploy', '__rendered_manifests__.ts');
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true, types: [],
  };
  const host = ts.createCompilerHost(options);
  const source = lines.join('\n');
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError) =>
    name === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, onError);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? source : readFile(name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const obj = line >= 0 ? checked[Math.floor(line / 2)] : undefined;
    return `${obj ? `${obj.kind}/${obj.metadata.name}` : '?'}: ${msg}`;
  });
}
