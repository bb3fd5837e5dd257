// `npm run bench`: runs every bench/*.bench.mjs and prints one table. Ratio = PerfLab / anchor;
// each row says whether lower or higher is better and whether the target is met.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

const dir = path.dirname(new URL(import.meta.url).pathname);
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs') && (!only.length || only.some((o) => f.includes(o)))).sort();

const rows = [];
for (const file of files) {
  process.stderr.write(`bench: ${file}…\n`);
  const { default: bench } = await import(path.join(dir, file));
  rows.push(...(await bench()));
}

const fmt = (n) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
const table = rows.map((r) => {
  const ratio = r.perflab / r.anchor;
  // `targetRatio: null`: a row shown for context, with no target of its own.
  const ok = r.targetRatio === null || (r.better === 'lower' ? ratio <= (r.targetRatio ?? 1) : ratio >= (r.targetRatio ?? 1));
  const verdict = r.targetRatio === null ? 'info' : ok ? 'ok' : 'MISSED';
  return [r.metric, fmt(r.perflab), `${fmt(r.anchor)} (${r.anchorLabel})`, `${ratio.toFixed(2)}× (${r.better} is better)`, verdict];
});
const head = ['metric', 'PerfLab', 'anchor', 'ratio', 'target'];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
process.exitCode = table.some((row) => row[4] === 'MISSED') ? 1 : 0;
