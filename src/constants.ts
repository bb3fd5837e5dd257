/**
 * Every id the extension shares with package.json `contributes`: commands, views, the view
 * container, context keys and settings. A unit test checks these against package.json, so the
 * two cannot drift apart.
 */

export const VIEW_CONTAINER = 'perflab';

export const Commands = {
  initConfig: 'perflab.initConfig',
  openConfig: 'perflab.openConfig',
  validateConfig: 'perflab.validateConfig',
  refresh: 'perflab.refresh',
  openRun: 'perflab.openRun',
  revealRun: 'perflab.revealRun',
  deleteRun: 'perflab.deleteRun',
  setBaseline: 'perflab.setBaseline',
  clearBaseline: 'perflab.clearBaseline',
  compareRuns: 'perflab.compareRuns',
  compareWithBaseline: 'perflab.compareWithBaseline',
  compareWith: 'perflab.compareWith',
  openCpuProfile: 'perflab.openCpuProfile',
  compareCpuProfiles: 'perflab.compareCpuProfiles',
  findCapacity: 'perflab.findCapacity',
  startLiveMonitor: 'perflab.startLiveMonitor',
  stopLiveMonitor: 'perflab.stopLiveMonitor',
  showRunMonitor: 'perflab.showRunMonitor',
  runProfile: 'perflab.runProfile',
  runLastProfile: 'perflab.runLastProfile',
  stopRun: 'perflab.stopRun',
  refreshProcesses: 'perflab.refreshProcesses',
  refreshStack: 'perflab.refreshStack',
  attachProcess: 'perflab.attachProcess',
  detachProcess: 'perflab.detachProcess',
  captureCpuProfile: 'perflab.captureCpuProfile',
  captureHeapProfile: 'perflab.captureHeapProfile',
  takeHeapSnapshot: 'perflab.takeHeapSnapshot',
  findLeaks: 'perflab.findLeaks',
  profileUnderLoad: 'perflab.profileUnderLoad',
  showHotPaths: 'perflab.showHotPaths',
  hideHotPaths: 'perflab.hideHotPaths',
  startDemo: 'perflab.startDemo',
  stopDemo: 'perflab.stopDemo',
  setRedisPassword: 'perflab.setRedisPassword',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

export const Views = {
  profiles: 'perflab.profiles',
  runs: 'perflab.runs',
  processes: 'perflab.processes',
  stack: 'perflab.stack',
} as const;

export const ContextKeys = {
  /** True when the workspace has a PerfLab config file. */
  hasConfig: 'perflab.hasConfig',
  /** True while PerfLab holds an inspector session to a process (Attach to Node Process…). */
  attached: 'perflab.attached',
  /** True while hot-path decorations of a CPU profile are shown. */
  hotPathsShown: 'perflab.hotPathsShown',
  /** True while the demo stack started from the editor (Start Demo Stack) runs. */
  demoRunning: 'perflab.demoRunning',
  /** True while a live monitor of a process runs (Start Live Monitor). */
  monitoring: 'perflab.monitoring',
} as const;

/** Settings, without the `perflab.` section prefix, with their defaults. */
export const Settings = {
  configFile: { key: 'configFile', default: 'perflab.config.json' },
  runsDirectory: { key: 'runsDirectory', default: '.perflab/runs' },
} as const;
export const SETTINGS_SECTION = 'perflab';

/** Webview panel types (`createWebviewPanel` viewType). */
export const WebviewTypes = {
  run: 'perflab.run',
  /** A comparison of two runs (Compare Runs…): computed when opened, not restored after a reload. */
  compare: 'perflab.compare',
  flameDiff: 'perflab.flameDiff',
  /** The live monitor of a process or a run: not restored after a reload (what it watched has moved on). */
  monitor: 'perflab.monitor',
} as const;

/** Custom editors (package.json `customEditors`): PerfLab's views of profile files. */
export const CustomEditors = {
  cpuProfile: 'perflab.cpuProfile',
} as const;

/** `contextValue` of tree items, matched by `viewItem` in package.json menus. */
export const ItemContext = {
  runPassed: 'run.passed',
  runFailed: 'run.failed',
  runCancelled: 'run.cancelled',
  /** A run that did not complete because of an error (status `failed`). */
  runErrored: 'run.errored',
  profile: 'profile',
  /** A workspace folder heading its profiles or runs (a multi-root workspace with several configs). */
  profileFolder: 'profileFolder',
  runFolder: 'runFolder',
  configProblem: 'configProblem',
  process: 'process',
  processAttached: 'process.attached',
} as const;

/**
 * Added to a run's `contextValue` when it is its profile's saved baseline (`run.passed.baseline`),
 * so the Runs view offers Clear Baseline instead of Set as Baseline, and when its profile has
 * another run as its baseline (`run.failed.withBaseline`), so it offers Compare with Baseline.
 */
export const BaselineItemSuffix = {
  baseline: '.baseline',
  withBaseline: '.withBaseline',
} as const;

export const CONFIG_FILE_NAME = 'perflab.config.json';
