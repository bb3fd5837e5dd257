// `npm run test:e2e`: the extension, packaged, in a real VS Code.
// 1. scripts/setup-vscode.sh installs code-server + Node 24 (+ Chromium) into the cache (once);
// 2. `npm run package` builds perflab.vsix, unless PERFLAB_VSIX names an existing .vsix;
// 3. node's test runner runs test/e2e/*.test.mjs; screenshots and logs go to test-results/e2e/.
// Env: PERFLAB_CACHE (cache root, default ~/.cache/perflab), PERFLAB_VSIX, PERFLAB_E2E_DEBUG=1
// (stream code-server's output), PERFLAB_E2E_KEEP_TMP=1 (keep the user-data dirs for a look).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(process.env.PERFLAB_CACHE || path.join(os.homedir(), '.cache/perflab'), 'vscode');
const resultsDir = path.join(root, 'test-results/e2e');

/** The environment without what npm adds to a script's: installers run from here must not see the outer npm. */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
}

function run(cmd, args, what) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: cleanEnv() });
  if (res.error) {
    console.error(`e2e: ${what}: ${res.error.message}`);
    process.exit(1);
  }
  if (res.status !== 0) {
    console.error(`e2e: ${what} failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status || 1);
  }
}

const started = Date.now();
run('bash', [path.join(root, 'scripts/setup-vscode.sh'), cacheDir], 'setting up VS Code');

let vsix = process.env.PERFLAB_VSIX ? path.resolve(process.env.PERFLAB_VSIX) : '';
if (vsix && !fs.existsSync(vsix)) {
  console.error(`e2e: PERFLAB_VSIX=${vsix} does not exist; packaging the extension instead`);
  vsix = '';
}
if (!vsix) {
  vsix = path.join(root, 'perflab.vsix');
  // stdin closed: a vsce question (e.g. a missing LICENSE) fails the run instead of hanging it.
  run('npm', ['run', '--silent', 'package'], 'packaging the extension (npm run package)');
}
console.log(`e2e: ready in ${((Date.now() - started) / 1000).toFixed(1)} s; testing ${path.relative(root, vsix) || vsix}`);

fs.rmSync(resultsDir, { recursive: true, force: true });
fs.mkdirSync(resultsDir, { recursive: true });

// The same files `node --test test/e2e/` picks up, listed here because newer Node versions
// take glob patterns rather than directories.
const testDir = path.join(root, 'test/e2e');
const files = fs
  .readdirSync(testDir)
  .filter((f) => /\.test\.m?js$/.test(f))
  .map((f) => path.join('test/e2e', f));

const res = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PERFLAB_VSCODE_DIR: cacheDir,
    PERFLAB_VSIX: vsix,
    PERFLAB_E2E_RESULTS: resultsDir,
  },
});
console.log(`e2e: screenshots and logs in ${path.relative(root, resultsDir)}/`);
process.exit(res.status ?? 1);
