/**
 * The profiler engine as the editor uses it: finding processes, attaching, the captures and
 * profile under load. The extension loads this module on first use from its own bundle
 * (dist/profiler.js, see esbuild.mjs), so activation does not pay for the engine.
 */
export { attach, type AttachedTarget } from './attach';
export { listNodeProcesses, type NodeProcessInfo } from './discovery';
export { captureCpuProfile, type CpuCaptureResult } from './cpu';
export { captureHeapProfile, type HeapCaptureResult } from './heap';
export { takeHeapSnapshot, type SnapshotResult } from './snapshot';
export { checkSnapshotMemory } from './snapshotMemory';
export { defaultCaptureName } from './capture';
export { loadProfileAction, profileUnderLoad, type UnderLoadResult } from './underLoad';
export { findLeaks, type LeakResult } from './leaks';
export { captureMonitor, type MonitorCaptureResult } from './monitor';
export { type CaptureHandle, ProfilerError } from './types';
