// Extension activation: load the production bundle and run activate(), each sample in a fresh
// process (a cold module cache, as in the editor). Also the size of the bundle the editor loads.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bundle = path.join(root, 'dist', 'extension.js');

const probe = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? ${JSON.stringify(path.join(root, 'bench', 'vscode-stub.cjs'))} : resolve.call(this, request, ...rest);
};
const { performance } = require('node:perf_hooks');
const t0 = performance.now();
const ext = require(${JSON.stringify(bundle)});
const secrets = { get: () => Promise.resolve(undefined), store: () => Promise.resolve(), delete: () => Promise.resolve(), onDidChange: () => ({ dispose() {} }) };
ext.activate({ subscriptions: [], secrets, extensionUri: { fsPath: ${JSON.stringify(root)} } });
process.stdout.write(String(performance.now() - t0));
`;

export default async function bench() {
  const samples = [];
  for (let i = 0; i < 15; i++) samples.push(Number(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })));
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  return [
    { metric: 'extension activation (median of 15, ms)', perflab: median, anchor: 50, anchorLabel: 'budget 50 ms', better: 'lower' },
    { metric: 'extension bundle size (KB)', perflab: statSync(bundle).size / 1024, anchor: 300, anchorLabel: 'budget 300 KB', better: 'lower' },
  ];
}
