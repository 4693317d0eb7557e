import { existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * Grafana in the compose file (profile grafana), checked offline: no Grafana image can be pulled
 * on this machine, so the provisioning is read the way Grafana reads it at start. The data
 * source must point at the compose Prometheus, the dashboard provider at the folder the compose
 * file mounts the dashboard into, and the dashboard's data-source variable must resolve to the
 * provisioned data source. The dashboard's queries are run against a real Prometheus in
 * test/monitoring.
 */
const repo = resolve(__dirname, '../..');
const compose = parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image?: string; profiles?: string[]; volumes?: string[]; environment?: Record<string, string>; command?: string[]; depends_on?: unknown }>;
};

// Grafana's provisioning formats (apiVersion 1), for the fields these files use; strict, so a
// misspelled key fails here as Grafana would ignore it.
const datasourceFile = z
  .object({
    apiVersion: z.literal(1),
    datasources: z.array(
      z
        .object({
          name: z.string().min(1),
          uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
          type: z.string(),
          access: z.enum(['proxy', 'direct']),
          url: z.string().url(),
          isDefault: z.boolean(),
          editable: z.boolean(),
          jsonData: z.object({ timeInterval: z.string().regex(/^\d+(ms|s|m)$/) }).strict(),
        })
        .strict(),
    ).min(1),
  })
  .strict();
const dashboardProviderFile = z
  .object({
    apiVersion: z.literal(1),
    providers: z.array(
      z
        .object({
          name: z.string().min(1),
          folder: z.string(),
          type: z.literal('file'),
          disableDeletion: z.boolean(),
          allowUiUpdates: z.boolean(),
          updateIntervalSeconds: z.number().int().positive(),
          options: z.object({ path: z.string().startsWith('/'), foldersFromFilesStructure: z.boolean() }).strict(),
        })
        .strict(),
    ).min(1),
  })
  .strict();

/** "host:container[:ro]" of a compose volume entry whose host side starts with ./ */
function mounts(service: string): { host: string; container: string }[] {
  return (compose.services[service]!.volumes ?? []).map((v) => {
    const [host, container] = v.split(':') as [string, string];
    return { host, container };
  });
}

describe('Grafana in docker-compose.yml (profile grafana), provisioned', () => {
  const grafana = compose.services.grafana!;
  const provisioning = join(repo, 'deploy/grafana/provisioning');
  const ds = datasourceFile.parse(parse(readFileSync(join(provisioning, 'datasources/prometheus.yaml'), 'utf8')));
  const dp = dashboardProviderFile.parse(parse(readFileSync(join(provisioning, 'dashboards/coda.yaml'), 'utf8')));

  it('is a profile of its own, bound to 127.0.0.1, with the provisioning folder and the dashboard mounted', () => {
    expect(grafana.profiles).toEqual(['grafana']);
    expect(grafana.image).toMatch(/^\$\{GRAFANA_IMAGE:-grafana\/grafana:\d+\.\d+\.\d+\}$/);
    expect((grafana as { ports?: string[] }).ports).toEqual(['127.0.0.1:${CODA_GRAFANA_PORT:-3000}:3000']);
    const m = mounts('grafana');
    expect(m).toContainEqual({ host: './deploy/grafana/provisioning', container: '/etc/grafana/provisioning' });
    for (const { host } of m) expect(existsSync(join(repo, host)), host).toBe(true);
    // Grafana's other services are the default profile's.
    for (const [name, s] of Object.entries(compose.services)) if (name !== 'grafana') expect(s.profiles, name).toBeUndefined();
  });

  it('the data source is the compose Prometheus, by service name and listening port, the default one', () => {
    const [source] = ds.datasources;
    expect(ds.datasources).toHaveLength(1);
    expect(source!.type).toBe('prometheus');
    expect(source!.isDefault).toBe(true);
    const url = new URL(source!.url);
    expect(Object.keys(compose.services)).toContain(url.hostname);
    const listen = compose.services[url.hostname]!.command!.find((c) => c.startsWith('--web.listen-address='))!;
    expect(listen.split(':').pop()).toBe(url.port);
    // The scrape interval Grafana assumes is Prometheus's.
    const prom = parse(readFileSync(join(repo, 'deploy/prometheus/prometheus.yml'), 'utf8')) as { global: { scrape_interval: string } };
    expect(source!.jsonData.timeInterval).toBe(prom.global.scrape_interval);
  });

  it('the dashboard provider reads the folder the dashboard is mounted into; the home dashboard is that file', () => {
    const [provider] = dp.providers;
    const dashboardMount = mounts('grafana').find((m) => m.host === './deploy/grafana/coda-dashboard.json');
    expect(dashboardMount).toBeDefined();
    expect(posix.dirname(dashboardMount!.container)).toBe(provider!.options.path);
    expect(grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(dashboardMount!.container);
  });

  it('every panel and variable of the dashboard queries through a data-source variable that resolves to the provisioned one', () => {
    const dash = JSON.parse(readFileSync(join(repo, 'deploy/grafana/coda-dashboard.json'), 'utf8')) as {
      uid: string;
      title: string;
      panels: { title: string; datasource?: { type: string; uid: string }; targets?: { expr: string }[] }[];
      templating: { list: { name: string; type: string; query: unknown; datasource?: { type: string; uid: string } }[] };
    };
    expect(dash.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    const variable = dash.templating.list.find((v) => v.type === 'datasource');
    expect(variable).toBeDefined();
    // A datasource variable of this plugin type picks the default data source of that type.
    expect(variable!.query).toBe(ds.datasources[0]!.type);
    expect(dash.panels.length).toBeGreaterThan(0);
    for (const p of dash.panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: `\${${variable!.name}}` });
      for (const t of p.targets ?? []) expect(t.expr, p.title).toMatch(/coda_/);
    }
    for (const v of dash.templating.list.filter((x) => x.type === 'query')) expect(v.datasource).toEqual({ type: 'prometheus', uid: `\${${variable!.name}}` });
  });

  it('the validators are not blind: a misspelled key or a relative path is refused', () => {
    expect(() => dashboardProviderFile.parse({ ...dp, providers: [{ ...dp.providers[0], options: { path: 'dashboards', foldersFromFilesStructure: false } }] })).toThrow();
    expect(() => datasourceFile.parse({ ...ds, datasources: [{ ...ds.datasources[0], isDefualt: true }] })).toThrow();
  });
});
