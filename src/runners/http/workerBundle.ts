import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** File name of the load-generator worker bundle in `dist/` (an entry of esbuild.mjs). */
export const WORKER_BUNDLE = 'http-worker.js';

/**
 * Path of the worker bundle: the nearest `dist/http-worker.js` above `from`. Works from the bundles
 * in `dist/` (CLI, extension) and from the sources under vitest, once `npm run build` has run.
 */
export function findWorkerBundle(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidates = basename(dir) === 'dist' ? [join(dir, WORKER_BUNDLE)] : [join(dir, 'dist', WORKER_BUNDLE)];
    const found = candidates.find((c) => existsSync(c));
    if (found) return found;
    if (dirname(dir) === dir) return undefined;
  }
}
