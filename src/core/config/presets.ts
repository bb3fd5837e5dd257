/**
 * Built-in phase shapes for `"preset"` in http profiles; the starter config writes the same
 * shapes out as explicit phases. All phases are open-model (arrival rate), so the offered load
 * does not drop when the target slows down.
 */

import { parseDuration } from './duration';
import type { OpenPhase, PresetName } from './types';

/** A phase as written in the config: rates in requests per second. */
export interface PresetPhase {
  name: string;
  duration: string;
  arrivalRate: number;
  rampTo?: number;
}

const p = (name: string, duration: string, arrivalRate: number, rampTo?: number): PresetPhase =>
  rampTo === undefined ? { name, duration, arrivalRate } : { name, duration, arrivalRate, rampTo };

/**
 * `load` is the reference shape: warm-up, ramp-up, sustained, peak, stress, cool-down (12 min).
 * `smoke` is the same shape in 10 s; `stress` and `spike` are shorter and steeper; `endurance`
 * holds the sustained rate for an hour to surface leaks and drift.
 */
export const PRESETS: Readonly<Record<PresetName, readonly PresetPhase[]>> = {
  smoke: [
    p('warm-up', '1s', 10), p('ramp-up', '2s', 10, 50), p('sustained', '3s', 50),
    p('peak', '2s', 50, 100), p('stress', '1s', 100), p('cool-down', '1s', 100, 10),
  ],
  load: [
    p('warm-up', '60s', 10), p('ramp-up', '120s', 10, 50), p('sustained', '300s', 50),
    p('peak', '120s', 50, 100), p('stress', '60s', 100), p('cool-down', '60s', 100, 10),
  ],
  stress: [
    p('warm-up', '10s', 10), p('ramp-up', '20s', 10, 100), p('sustained', '30s', 100),
    p('peak', '30s', 100, 300), p('stress', '30s', 300), p('cool-down', '10s', 300, 10),
  ],
  spike: [
    p('warm-up', '10s', 10), p('spike', '5s', 10, 300), p('hold', '20s', 300),
    p('drop', '5s', 300, 10), p('recovery', '30s', 10),
  ],
  endurance: [
    p('warm-up', '60s', 10), p('ramp-up', '120s', 10, 50), p('sustained', '1h', 50), p('cool-down', '60s', 50, 10),
  ],
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** The preset's phases with rates multiplied by `scale` (durations unchanged). */
export function presetPhases(preset: PresetName, scale = 1): OpenPhase[] {
  return PRESETS[preset].map((ph) => {
    const phase: OpenPhase = {
      model: 'open',
      name: ph.name,
      duration: ph.duration,
      durationMs: parseDuration(ph.duration),
      arrivalRate: ph.arrivalRate * scale,
    };
    if (ph.rampTo !== undefined) phase.rampTo = ph.rampTo * scale;
    return phase;
  });
}
