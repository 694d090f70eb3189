// SECURITY.md's claims stay checkable: every requirement it marks met names the test that proves it (a test file
// that exists) or, for a documentation requirement, the section of SECURITY.md that is the documentation.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const security = readFileSync(new URL('SECURITY.md', ROOT), 'utf8');

/** The ASVS rows: id, status and the evidence cell. */
function rows(): Array<{ id: string; status: string; evidence: string; where: string }> {
  return security
    .split('\n')
    .filter((line) => line.startsWith('| V'))
    .map((line) => {
      const cells = line.split(' | ').map((cell) => cell.trim());
      return { id: (cells[0] ?? '').replace(/^\| /, ''), status: cells[3] ?? '', where: cells[4] ?? '', evidence: (cells.at(-1) ?? '').replace(/ \|$/, '') };
    });
}

/** The anchors of SECURITY.md's headings, as GitHub makes them. */
function anchors(): Set<string> {
  return new Set(
    security
      .split('\n')
      .filter((line) => line.startsWith('#'))
      .map((line) => line.replace(/^#+\s*/, '').toLowerCase().replace(/[^\w\s-]/g, '').replace(/\s/g, '-')),
  );
}

describe('SECURITY.md', () => {
  it('has its ASVS table', () => {
    expect(rows().length).toBeGreaterThan(80);
  });

  it('names, for every requirement marked met, a test that exists or the section that documents it', () => {
    const known = anchors();
    const all = rows();
    const byId = new Map(all.flatMap((row) => row.id.split(', ').map((id) => [id, row] as const)));
    const unproven: string[] = [];
    for (const row of all.filter((r) => r.status.includes('Met'))) {
      // "as V7.2.3": the evidence of that row.
      const evidence = row.evidence.replace(/^as (V[\d.]+)$/, (whole, id: string) => byId.get(id)?.evidence ?? whole);
      const tests = [...evidence.matchAll(/`([\w/.-]+\.test\.ts)`/g)].map((m) => m[1] ?? '');
      const workflows = [...evidence.matchAll(/`(\.github\/[\w/.-]+\.ya?ml)`/g)].map((m) => m[1] ?? '');
      if (workflows.some((path) => !existsSync(new URL(path, ROOT)))) unproven.push(`${row.id}: names a workflow that does not exist`);
      const sections = [...`${evidence} ${row.where}`.matchAll(/\]\(#([\w-]+)\)/g)].map((m) => m[1] ?? '');
      const missing = tests.filter((path) => !existsSync(new URL(`test/${path}`, ROOT)));
      if (missing.length > 0) unproven.push(`${row.id}: names ${missing.join(', ')}, which does not exist`);
      const documented = sections.length > 0 && sections.every((anchor) => known.has(anchor));
      if (tests.length === 0 && workflows.length === 0 && !documented) unproven.push(`${row.id}: names no test and no section (${evidence.slice(0, 60)})`);
    }
    expect(unproven).toEqual([]);
  });
});
