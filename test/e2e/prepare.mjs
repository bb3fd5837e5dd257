// What a run in a real VS Code needs before it starts, for the e2e suite (scripts/e2e.mjs) and the
// editor benchmark (bench/editor-responsiveness.bench.mjs): code-server and Node 24 in the cache
// (scripts/setup-vscode.sh, once), and the extension packaged as perflab.vsix.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The cache folder VS Code goes to: `<PERFLAB_CACHE or ~/.cache/perflab>/vscode`. */
export const VSCODE_CACHE = path.join(process.env.PERFLAB_CACHE || path.join(os.homedir(), '.cache/perflab'), 'vscode');

/** The environment without what npm adds to a script's: installers run from here must not see the outer npm. */
export function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
}

/** Runs a step with the clean environment and its output shown; throws with `what` when it fails. */
function step(cmd, args, what) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: cleanEnv() });
  if (res.error) throw new Error(`${what}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${what} failed (exit ${res.status ?? res.signal})`);
}

/** Installs code-server + Node 24 (+ Chromium) into the cache when missing; instant when there. */
export function prepareVscode(cacheDir = VSCODE_CACHE) {
  step('bash', [path.join(root, 'scripts/setup-vscode.sh'), cacheDir], 'setting up VS Code');
}

/** Builds perflab.vsix (`npm run package`; stdin closed, so a vsce question fails instead of hanging) and returns its path. */
export function packageVsix() {
  step('npm', ['run', '--silent', 'package'], 'packaging the extension (npm run package)');
  return path.join(root, 'perflab.vsix');
}
