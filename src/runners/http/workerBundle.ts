import { findBundle } from '../bundles';

/** File name of the load-generator worker bundle in `dist/` (an entry of esbuild.mjs). */
export const WORKER_BUNDLE = 'http-worker.js';

/** Path of the worker bundle: the nearest `dist/http-worker.js` above `from` (see findBundle). */
export function findWorkerBundle(from: string = __dirname): string | undefined {
  return findBundle(WORKER_BUNDLE, from);
}
