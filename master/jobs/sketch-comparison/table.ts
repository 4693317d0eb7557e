/** Renders Table I: one row per method, one column per step factor; cells are means over instances. */
export function formatTable(methods: readonly string[], stepFactors: readonly number[], cells: number[][], title: string): string {
  const head = ['method', ...stepFactors.map((f) => `ξ=${f}·ξ×`)];
  const rows = methods.map((m, i) => [m, ...cells[i]!.map((v) => (Number.isInteger(v) ? String(v) : Number.isFinite(v) ? v.toFixed(4) : String(v)))]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ');
  return [title, line(head), ...rows.map(line)].join('\n');
}
