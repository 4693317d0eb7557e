/**
 * Vega-Lite spec -> standalone SVG string, in Node (vega's headless View, renderer 'none',
 * View.toSVG()). vega and vega-lite are ES modules; this CommonJS build loads them with a
 * dynamic import, which TypeScript keeps as import() under module node16.
 */
type Vega = typeof import('vega', { with: { 'resolution-mode': 'import' } });
type VegaLite = typeof import('vega-lite', { with: { 'resolution-mode': 'import' } });

let modules: Promise<[Vega, VegaLite]> | undefined;

function load(): Promise<[Vega, VegaLite]> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]);
  return modules;
}

/** Renders one Vega-Lite spec; ids inside the SVG (clip paths, gradients) get `prefix` so several SVGs can share a page. */
export async function renderSvg(spec: Record<string, unknown>, prefix: string): Promise<string> {
  const [vega, vl] = await load();
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return svg.replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`);
  } finally {
    view.finalize();
  }
}
