/**
 * The profiler engine: find Node processes, attach over the inspector, capture CPU profiles, heap
 * sampling profiles, heap snapshots and the monitor timeline, hunt leaks, profile under load.
 * VS Code-free; every capture returns a CaptureHandle (events, result, cancel()). Analysis of the
 * files lives in ./analysis.
 */
export { attach, enableInspector, portHeldError, type AttachOptions, type AttachSpec, type AttachedTarget, type EnabledInspector } from './attach';
export { defaultCaptureName } from './capture';
export { captureCpuProfile, cpuProfileStats, startCpuProfile, DEFAULT_CPU_INTERVAL_US } from './cpu';
export type { CpuCaptureOptions, CpuCaptureResult, CpuProfile, CpuProfileStats, CpuRecording } from './cpu';
export { DEFAULT_INSPECTOR_PORT, listNodeProcesses, parseInspectFlags, portHolder, type InspectFlags, type ListeningInspector, type NodeProcessInfo } from './discovery';
export { findNodeTarget, parseInspectorAddress, probeInspector, type InspectorAddress, type InspectorTarget } from './endpoint';
export { captureHeapProfile, startHeapSampling, DEFAULT_HEAP_SAMPLING_BYTES } from './heap';
export type { HeapCaptureOptions, HeapCaptureResult, HeapProfile, HeapSamplingOptions, HeapSamplingRecording } from './heap';
export { launchWithInspector, type LaunchOptions, type LaunchedProcess } from './launch';
export { findLeaks, formatResponses, httpRepeatAction, MAX_FAILED_SHARE, repeatAction } from './leaks';
export type { ActionRun, AllocationGrowth, HttpRepeatOptions, LeakAction, LeakMode, LeakOptions, LeakResult } from './leaks';
export { captureMonitor, startMonitor, timelineFile, DEFAULT_MONITOR_INTERVAL_MS, DEFAULT_PULL_EVERY_MS } from './monitor';
export type { MonitorCaptureOptions, MonitorCaptureResult, MonitorOptions, MonitorRecording, MonitorTimeline, TimelineFile } from './monitor';
export { attachSpecFor, describeProcessRef, findProcess } from './processRef';
export { processMetrics, slopePerMinute, summarizeTimeline } from './timelineSummary';
export { InspectorSession, withSession, type SessionState } from './session';
export { takeHeapSnapshot, type SnapshotOptions, type SnapshotResult } from './snapshot';
export { checkSnapshotMemory, SNAPSHOT_PEAK_FACTOR, type SnapshotMemoryCheck, type SnapshotMemoryOptions } from './snapshotMemory';
export { displayPath } from './analysis/format';
export { attributeLagSpikes, type LagSpike, type SpikeCulprit, type SpikeOptions } from './spikes';
export { CaptureHandle, ProfilerError, formatBytes, type CaptureEnd, type CaptureEvents, type MonitorSample, type ProfilerErrorReason } from './types';
export { loadProfileAction, profileUnderLoad, type UnderLoadOptions, type UnderLoadResult } from './underLoad';
