/**
 * The config subsystem: `perflab.config.json` parsed, validated and normalized.
 * VS Code-free; the editor and the CLI both go through {@link loadConfigFile}/{@link parseConfigText}.
 */

export type * from './types';
export { CONFIG_FILE_NAME, formatProblem, loadConfigFile, parseConfigBytes, parseConfigText, type FormatOptions, type LoadOptions } from './loader';
export { DurationError, formatDuration, parseDuration, tryParseDuration, type DurationOptions, type DurationResult } from './duration';
export {
  bindThreshold, compareThreshold, describeUnit, tryParseThresholdExpression,
  type ExpressionUnit, type MetricUnit, type ThresholdExpression, type ThresholdOp, type ThresholdResult,
} from './threshold';
export {
  LATENCY_STATS, METRIC_TEMPLATES, describeMetrics, lookupMetric, readThreshold, templatesFor, validMetricNames,
  type LatencyStat, type MetricContext, type MetricErrorCode, type MetricLookup, type MetricTemplate,
} from './metrics';
export { ECHO_CHARS, clipped, echo, quoted } from './echo';
export { own } from './own';
export { allowHostMatches, isLoopbackHost, isUrlAllowed } from './hosts';
export { PRESETS, PRESET_NAMES, presetPhases, type PresetPhase } from './presets';
export { starterConfig, type StarterOptions } from './starter';
export { DEFAULT_ITERATIONS, DEFAULT_JOBS, DEFAULT_TIMEOUT_MS } from './normalize';
