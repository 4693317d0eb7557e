import { readFileSync } from 'node:fs';

/**
 * Just enough markdown for the docs tests: fenced code blocks with the marker comment above them,
 * headings and their GitHub anchors, and inline links outside code.
 */

/** What the line before a fenced block asks of it: `<!-- run -->` or `<!-- file: NAME -->`. */
export type BlockMarker = { kind: 'run' } | { kind: 'file'; name: string };

export interface FencedBlock {
  /** The info string's first word (`bash`, `python`, `yaml`, ...); '' when there is none. */
  lang: string;
  /** The block's text, ending in a newline (empty for an empty block). */
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
  marker: BlockMarker | null;
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const MARKER = /^<!--\s*(run|file:\s*([A-Za-z0-9._-]+))\s*-->$/;

export function fencedBlocks(text: string): FencedBlock[] {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j]!.trim().startsWith(fence) && lines[j]!.trim().replace(/[`~]/g, '') === '')) body.push(lines[j++]!);
    const prev = i > 0 ? lines[i - 1]!.trim() : '';
    const m = MARKER.exec(prev);
    const marker: BlockMarker | null = m ? (m[2] ? { kind: 'file', name: m[2] } : { kind: 'run' }) : null;
    blocks.push({ lang: open[3]!.trim().split(/\s+/)[0] ?? '', body: body.length ? `${body.join('\n')}\n` : '', line: i + 1, marker });
    i = j;
  }
  return blocks;
}

/** The text with fenced blocks and inline code spans blanked out (line numbers kept), so links inside code are not links. */
export function proseOnly(text: string, opts: { keepInlineCode?: boolean } = {}): string {
  const lines = text.split('\n');
  let fence: string | null = null;
  return lines
    .map((line) => {
      const open = FENCE.exec(line);
      if (fence === null && open) {
        fence = open[2]!;
        return '';
      }
      if (fence !== null) {
        if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = null;
        return '';
      }
      // Indented code blocks (4 spaces after a blank line) are rare here; inline code spans are common.
      return opts.keepInlineCode ? line.replace(/`/g, '') : line.replace(/`[^`]*`/g, '');
    })
    .join('\n');
}

/**
 * GitHub's anchor for a heading: lower case, punctuation dropped (letters, marks, digits,
 * connector punctuation, hyphens and spaces stay), spaces to hyphens; a repeated anchor gets -1,
 * -2, ... (github-slugger's rule).
 */
export function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of proseOnly(text, { keepInlineCode: true }).split('\n')) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const title = h[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading keeps its text
      .replace(/<[^>]+>/g, '')
      .replace(/\*{1,2}([^*]+)\*{1,2}/g, '$1');
    let slug = title
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    if (n > 0) slug = `${slug}-${n}`;
    out.add(slug);
  }
  // Explicit anchors: <a id="..."> or <a name="...">.
  for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]!);
  return out;
}

export interface Link {
  target: string;
  line: number;
}

/** Inline links and images `[text](target)` in the prose (not in code), and reference definitions `[x]: target`. */
export function links(text: string): Link[] {
  const out: Link[] = [];
  proseOnly(text)
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1]!, line: i + 1 });
      const def = /^\s{0,3}\[[^\]]+\]:\s*(\S+)/.exec(line);
      if (def) out.push({ target: def[1]!, line: i + 1 });
    });
  return out;
}

export const readText = (path: string): string => readFileSync(path, 'utf8');
