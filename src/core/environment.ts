import * as os from 'node:os';
import type { RunEnvironment } from './runRecord';

declare const PERFLAB_VERSION: string | undefined;

/** The version baked in at build time; `dev` when running from sources (tests). */
export const perflabVersion: string = typeof PERFLAB_VERSION === 'string' ? PERFLAB_VERSION : 'dev';

/** Where a run happens, recorded with it so two runs can be compared honestly. */
export function captureEnvironment(): RunEnvironment {
  const cpus = os.cpus();
  return {
    perflabVersion,
    node: process.version,
    platform: process.platform,
    release: os.release(),
    arch: process.arch,
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: os.totalmem(),
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}
