// One build for everything: the extension and the CLI (Node, `vscode` external) and the webview
// bundles (browser). Usage: node esbuild.mjs [--watch] [--production] [--quiet]
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const quiet = process.argv.includes('--quiet');

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: quiet ? 'warning' : 'info',
  legalComments: 'none',
  define: { PERFLAB_VERSION: JSON.stringify(version) },
};

/** Node bundles. The extension stays small: heavy engines load lazily from their own bundles. */
const node = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  // jsonc-parser's `main` is a UMD build whose internal requires esbuild cannot follow.
  mainFields: ['module', 'main'],
  // Lazy modules load with require(): plain CommonJS, the same in the editor, the CLI and workers.
  supported: { 'dynamic-import': false },
};

/**
 * The extension loads the config subsystem (JSON schema validation) on first use from its own
 * bundle, `dist/config.js`, the engine of a run and of a comparison with a baseline
 * (`dist/run-profile.js`, from src/views/engine.ts) on the first run or comparison, and
 * the profiler (`dist/profiler.js`) on the first attach or capture, and the Stack view's reader
 * (`dist/stack.js`, with BullMQ) when that view first shows, so activation pays for none.
 */
const lazyConfig = {
  name: 'lazy-config',
  setup(build) {
    build.onResolve({ filter: /\/core\/config$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './config.js', external: true } : undefined,
    );
    build.onResolve({ filter: /\/runners\/runProfile$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './run-profile.js', external: true } : undefined,
    );
    build.onResolve({ filter: /^\.\/engine$/ }, (args) =>
      args.kind === 'dynamic-import' && /[\\/]src[\\/]views$/.test(args.resolveDir) ? { path: './run-profile.js', external: true } : undefined,
    );
    build.onResolve({ filter: /\/runners\/profiler\/api$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './profiler.js', external: true } : undefined,
    );
    build.onResolve({ filter: /\/runners\/stack$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './stack.js', external: true } : undefined,
    );
  },
};

/**
 * The engine of a run reads the stack's BullMQ queues for its evidence (src/runners/stackEvidence.ts)
 * with the Stack view's reader: in the editor it loads from that bundle, `dist/stack.js`, so the
 * engine carries no BullMQ of its own.
 */
const lazyStack = {
  name: 'lazy-stack',
  setup(build) {
    build.onResolve({ filter: /^\.\/stack$/ }, (args) =>
      args.kind === 'dynamic-import' && /[\\/]src[\\/]runners$/.test(args.resolveDir) ? { path: './stack.js', external: true } : undefined,
    );
  },
};

/**
 * Each kind of run (a folder of src/runners with a kind.ts) loads its runner when a run starts
 * (`load: () => import('./index')`). The CLI bundles them all; the extension and the config
 * checker load them from `dist/runners-<folder>.js`, so the editor's bundles carry no engine.
 */
const kindFolders = readdirSync('src/runners', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`src/runners/${d.name}/kind.ts`))
  .map((d) => d.name);
const lazyRunners = {
  name: 'lazy-runners',
  setup(build) {
    build.onResolve({ filter: /^\.\/index$/ }, (args) => {
      const folder = /[\\/]src[\\/]runners[\\/]([^\\/]+)[\\/]kind\.ts$/.exec(args.importer)?.[1];
      return args.kind === 'dynamic-import' && folder ? { path: `./runners-${folder}.js`, external: true } : undefined;
    });
    // The coordinator of distributed runs (and the BullMQ it needs) loads on the first such run.
    build.onResolve({ filter: /^\.\/distributed\/coordinator$/ }, (args) =>
      args.kind === 'dynamic-import' && /[\\/]src[\\/]runners$/.test(args.resolveDir) ? { path: './runners-distributed.js', external: true } : undefined,
    );
  },
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', plugins: [lazyConfig, lazyRunners] },
  { ...node, entryPoints: { config: 'src/core/config/index.ts' }, outdir: 'dist', plugins: [lazyRunners] },
  { ...node, entryPoints: { 'run-profile': 'src/views/engine.ts' }, outdir: 'dist', plugins: [lazyRunners, lazyStack] },
  { ...node, entryPoints: { profiler: 'src/runners/profiler/api.ts' }, outdir: 'dist', plugins: [lazyRunners] },
  { ...node, entryPoints: { stack: 'src/runners/stack.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { analysisWorker: 'src/runners/profiler/analysis/worker.ts' }, outdir: 'dist' },
  // The HTTP load generator runs in a worker thread from its own bundle. It keeps real import()
  // so a workspace generator module may be ESM.
  { ...node, entryPoints: { 'http-worker': 'src/runners/http/worker.ts' }, outdir: 'dist', supported: {} },
  // Each kind's runner, for the editor (see lazyRunners; `runners-http` is also the bench's).
  ...kindFolders.map((folder) => ({ ...node, entryPoints: { [`runners-${folder}`]: `src/runners/${folder}/index.ts` }, outdir: 'dist' })),
  { ...node, entryPoints: { 'runners-distributed': 'src/runners/distributed/coordinator.ts' }, outdir: 'dist' },
  // The editor's Redis and BullMQ runs go to a process of their own (src/runners/childRunner.ts).
  { ...node, entryPoints: { 'runner-child': 'src/runners/childMain.ts' }, outdir: 'dist', plugins: [lazyRunners] },
  // The key sweeper of BullMQ runs is a process of its own, so it outlives a crash of PerfLab.
  { ...node, entryPoints: { 'key-sweeper': 'src/runners/redis/sweeperMain.ts' }, outdir: 'dist' },
  // ioredis and bullmq for the demo stack, which keeps its own files unbundled so profiles of it
  // name examples/demo-stack/hot.js and its lines.
  { ...node, entryPoints: { 'demo-deps': 'src/cli/demoDeps.ts' }, outdir: 'dist' },
  {
    ...common,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    entryPoints: { run: 'webview/run/main.ts', flame: 'webview/flame/main.ts', compare: 'webview/compare/main.ts', monitor: 'webview/monitor/main.ts' },
    outdir: 'dist/webview',
    loader: { '.css': 'css' },
  },
];

// A production build starts clean, so nothing stale (source maps, old bundles) gets packaged.
if (production) rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
