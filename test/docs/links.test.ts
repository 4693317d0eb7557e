import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fencedBlocks, headingAnchors, links, readText } from './markdown';

/**
 * Every relative link in the README, docs/ and the examples' READMEs resolves: the file (or
 * folder) exists in the checkout, and a #anchor names a heading of the file it points to.
 */
const ROOT = join(__dirname, '..', '..');

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  const examples = ['examples/README.md', 'examples/traces/README.md', 'clients/python/README.md'].filter((f) => existsSync(join(ROOT, f)));
  return ['README.md', ...docs, ...examples];
}

const anchorsOf = new Map<string, Set<string>>();
function anchors(path: string): Set<string> {
  let a = anchorsOf.get(path);
  if (!a) anchorsOf.set(path, (a = headingAnchors(readText(path))));
  return a;
}

/** What is wrong with one link, or null. External links (a scheme, or mailto) are not checked. */
function problem(from: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null;
  const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
  const file = pathPart === '' ? from : resolve(dirname(from), decodeURIComponent(pathPart));
  if (!file.startsWith(ROOT)) return `points outside the checkout (${target})`;
  if (!existsSync(file)) return `no such file: ${relative(ROOT, file)}`;
  if (anchor === undefined || anchor === '') return null;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `an anchor into ${relative(ROOT, file)}, which is not a markdown file`;
  return anchors(file).has(anchor) ? null : `no heading with anchor #${anchor} in ${relative(ROOT, file)}`;
}

describe('docs: every relative link resolves', () => {
  const files = markdownFiles();

  it('finds the pages', () => {
    expect(files).toContain('README.md');
    expect(files.length).toBeGreaterThan(10);
  });

  for (const f of files) {
    it(f, () => {
      const path = join(ROOT, f);
      const found = links(readText(path));
      const bad = found.flatMap((l) => {
        const p = problem(path, l.target);
        return p ? [`${f}:${l.line}: [..](${l.target}): ${p}`] : [];
      });
      expect(bad).toEqual([]);
    });
  }
});

describe('the link checker itself', () => {
  it('makes GitHub anchors (punctuation dropped, spaces to hyphens, repeats numbered)', () => {
    const a = headingAnchors('# Coda\n## `job: least-squares`\n## Delays and faults (`chaos`)\n## What survives what\n## Notes\n## Notes\n```\n# not a heading\n```\n## Concepts in ten lines\n## OverSketched Newton’s claim, reproduced\n');
    expect([...a]).toEqual(['coda', 'job-least-squares', 'delays-and-faults-chaos', 'what-survives-what', 'notes', 'notes-1', 'concepts-in-ten-lines', 'oversketched-newtons-claim-reproduced']);
  });

  it('ignores links inside code and finds them in prose, images and reference definitions included', () => {
    const md = 'See [a](a.md) and ![img](img/x.png).\n`[not](code.md)`\n```\n[nor](block.md)\n```\n[ref]: docs/ref.md\n';
    expect(links(md).map((l) => l.target)).toEqual(['a.md', 'img/x.png', 'docs/ref.md']);
  });

  it('reads the marker above a fenced block', () => {
    const md = '<!-- run -->\n```bash\necho hi\n```\n\n<!-- file: x.yaml -->\n```yaml\na: 1\n```\n```text\nout\n```\n';
    expect(fencedBlocks(md)).toEqual([
      { lang: 'bash', body: 'echo hi\n', line: 2, marker: { kind: 'run' } },
      { lang: 'yaml', body: 'a: 1\n', line: 7, marker: { kind: 'file', name: 'x.yaml' } },
      { lang: 'text', body: 'out\n', line: 10, marker: null },
    ]);
  });
});
