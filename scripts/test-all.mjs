// `npm test`: build, type-check and lint, then the five test tiers in order. Every tier runs even
// when an earlier one fails; the summary names each tier with its counts.
// Set PERFLAB_TIERS=unit,integration to run a subset.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const results = path.join(root, 'test-results');
mkdirSync(results, { recursive: true });
const wanted = process.env.PERFLAB_TIERS?.split(',').map((s) => s.trim());

/** Runs a command with inherited output plus a copy of stdout for counting. */
function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d;
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

function vitestTier(name) {
  return async () => {
    const json = path.join(results, `${name}.json`);
    rmSync(json, { force: true });
    const serial = name === 'unit' ? [] : ['--no-file-parallelism'];
    const { code } = await run('npx', ['vitest', 'run', '--project', name, ...serial, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`]);
    try {
      const r = JSON.parse(readFileSync(json, 'utf8'));
      return { code, passed: r.numPassedTests, failed: r.numFailedTests + (code && !r.numFailedTests ? 1 : 0), skipped: r.numPendingTests + r.numTodoTests };
    } catch {
      return { code, passed: 0, failed: 1, skipped: 0 };
    }
  };
}

async function e2eTier() {
  const { code, out } = await run('node', ['scripts/e2e.mjs']);
  const count = (word) => Number(out.match(new RegExp(`^(?:ℹ|#) ${word} (\\d+)$`, 'm'))?.[1] ?? 0);
  const failed = count('fail') + count('cancelled');
  return { code, passed: count('pass'), failed: failed || (code ? 1 : 0), skipped: count('skipped') + count('todo') };
}

const steps = [
  ['build', async () => (await run('npm', ['run', '--silent', 'build'])).code],
  ['typecheck', async () => (await run('npm', ['run', '--silent', 'typecheck'])).code],
  ['lint', async () => (await run('npm', ['run', '--silent', 'lint'])).code],
];
const tiers = [
  ['unit', vitestTier('unit')],
  ['integration', vitestTier('integration')],
  ['fuzz', vitestTier('fuzz')],
  ['webview', vitestTier('webview')],
  ['e2e', e2eTier],
];

const summary = [];
let broken = false;
for (const [name, step] of steps) {
  console.log(`\n=== ${name} ===`);
  const code = await step();
  summary.push(`${name}: ${code === 0 ? 'ok' : 'FAILED'}`);
  if (code !== 0) broken = true;
}
let passed = 0;
let failed = 0;
for (const [name, tier] of tiers) {
  if (wanted && !wanted.includes(name)) continue;
  console.log(`\n=== ${name} tests ===`);
  const r = await tier();
  passed += r.passed;
  failed += r.failed;
  summary.push(`${name} tests: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
}
console.log('\n=== summary ===');
for (const line of summary) console.log(line);
if (broken) failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
