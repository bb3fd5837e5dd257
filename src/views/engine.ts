/**
 * What the editor loads on its first run or comparison, from one bundle of its own
 * (dist/run-profile.js, esbuild.mjs): the run engine and the comparison engine, whose statistics
 * and histograms the extension's own bundle must not carry. Import it only with `await import('./engine')`
 * (a static import would bundle it into the extension); `import type` is fine.
 */
export { runProfile } from '../runners/runProfile';
export { historyOf, resolveRuns, withSamples } from '../core/compare/baseline';
export { compareRuns } from '../core/compare/compare';
export { settingsWith } from '../core/compare/rules';
export { cpuProfileOf, withCpuGrowers } from '../runners/profiler/cpuGrowth';
export { compareWithSavedBaseline } from './autoCompare';
export { comparisonView } from './comparisonView';
export { runMessage } from './runMessage';
