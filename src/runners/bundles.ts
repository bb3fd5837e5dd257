import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Path of a bundle of `dist/` (an entry of esbuild.mjs) that runs in a worker or a process of its
 * own: the nearest `dist/<file>` above `from`. Works from the bundles in `dist/` (CLI, extension)
 * and from the sources under vitest, once `npm run build` has run.
 */
export function findBundle(file: string, from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = basename(dir) === 'dist' ? join(dir, file) : join(dir, 'dist', file);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
