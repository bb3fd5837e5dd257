// `npm run test:e2e`: the extension, packaged, in a real VS Code.
// 1. scripts/setup-vscode.sh installs code-server + Node 24 (+ Chromium) into the cache (once);
// 2. `npm run package` builds perflab.vsix, unless PERFLAB_VSIX names an existing .vsix;
// 3. node's test runner runs test/e2e/*.test.mjs; screenshots and logs go to test-results/e2e/.
// Env: PERFLAB_CACHE (cache root, default ~/.cache/perflab), PERFLAB_VSIX, PERFLAB_E2E_DEBUG=1
// (stream code-server's output), PERFLAB_E2E_KEEP_TMP=1 (keep the user-data dirs for a look).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVsix, prepareVscode, VSCODE_CACHE } from '../test/e2e/prepare.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = VSCODE_CACHE;
const resultsDir = path.join(root, 'test-results/e2e');

const started = Date.now();
let vsix = process.env.PERFLAB_VSIX ? path.resolve(process.env.PERFLAB_VSIX) : '';
try {
  prepareVscode(cacheDir);
  if (vsix && !fs.existsSync(vsix)) {
    console.error(`e2e: PERFLAB_VSIX=${vsix} does not exist; packaging the extension instead`);
    vsix = '';
  }
  if (!vsix) vsix = packageVsix();
} catch (err) {
  console.error(`e2e: ${err.message}`);
  process.exit(1);
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
