/**
 * The layer rules of DESIGN.md ("Layout: the tree shows the architecture"), checked by
 * `npm run lint:deps` (run first by `npm test`, so CI checks them). Arrows point down:
 *
 *   cli -> {experiments, client, launcher} -> master -> algorithms -> core -> shared -> (nothing of ours)
 *   worker -> shared;  bench/ and test/ may import anything.
 *
 * Type imports count (tsPreCompilationDeps): a cycle through `import type` is still a cycle.
 */
const LAYERS = ['shared', 'core', 'algorithms', 'master', 'client', 'launcher', 'experiments', 'worker', 'cli', 'bench', 'test'];

/** `layer` may import only `allowed` (besides itself, node built-ins, packages and proto/generated). */
function only(layer, allowed, why) {
  const others = LAYERS.filter((l) => l !== layer && !allowed.includes(l));
  return {
    name: `${layer}-imports-only-${allowed.length ? allowed.join('-') : 'itself'}`,
    comment: why,
    severity: 'error',
    from: { path: `^${layer}/` },
    to: { path: `^(${others.join('|')})/` },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type imports included: split the shared type out, or invert with an interface.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    only('shared', [], 'shared/ is what every role uses: it imports nothing of ours but the generated contract.'),
    only('core', ['shared'], 'core/ is pure (no I/O, no clock, no gRPC): schemes, policy, runtime distributions, the round state machine.'),
    {
      name: 'core-is-pure',
      comment: 'core/ does no I/O and reads no clock: no Node built-in (fs, net, perf_hooks, ...), no gRPC, no logger or metrics.',
      severity: 'error',
      from: { path: '^core/' },
      to: { dependencyTypesNot: ['type-only'], dependencyTypes: ['core'] },
    },
    {
      name: 'core-has-no-io-packages',
      comment: 'core/ does no I/O: no gRPC, logger, metrics or process packages.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: 'node_modules/(@grpc|pino|prom-client|commander|cli-progress|yaml|protobufjs)/' },
    },
    only('algorithms', ['core', 'shared'], 'algorithms see the cluster only through algorithms/compute-cluster.ts, never master/.'),
    only('master', ['algorithms', 'core', 'shared'], 'master/ never imports the worker (local clusters start workers as processes), nor the launcher, client or CLI above it.'),
    only('client', ['master', 'algorithms', 'core', 'shared'], 'client/ submits jobs to a master; it starts no cluster.'),
    only('launcher', ['master', 'algorithms', 'core', 'shared'], 'launcher/ starts local clusters and runs chaos; it does not submit jobs.'),
    only('experiments', ['client', 'launcher', 'master', 'algorithms', 'core', 'shared'], 'experiments sit beside client/ and launcher/, below the CLI.'),
    only('worker', ['shared'], 'The worker never imports the master, nor the master the worker.'),
    only('cli', ['experiments', 'client', 'launcher', 'master', 'algorithms', 'core', 'worker', 'shared'], 'Nothing of ours imports the CLI but bench/ and test/.'),
    {
      name: 'no-import-of-test-or-bench',
      comment: 'bench/ and test/ may import anything; nothing imports them.',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|build)/' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
