/**
 * What the runners can carry out, checked at validation: a plan past these limits would spin,
 * eat the machine's memory or overflow a timer instead of measuring anything. Each limit says
 * why it is where it is; the README's config reference lists them.
 */

import { formatDuration } from './duration';
import type { ProblemInput, Segment } from './locate';

type Obj = Record<string, unknown>;

/**
 * Requests (or jobs) per second of one generator. The HTTP generator is one worker thread on
 * raw sockets, which sends some tens of thousands of requests per second; a higher rate would
 * make the phase measure PerfLab rather than the target (and 1e308 would never finish a tick).
 */
export const MAX_ARRIVAL_RATE = 100_000;

/**
 * Connections of a closed-loop phase. Each is a socket with its own buffers in the generator
 * (tens of KB): 10,000 stays within a few hundred MB and under the usual file-descriptor limits.
 */
export const MAX_CONNECTIONS = 10_000;

/** Requests in flight per closed-loop connection (HTTP pipelining); servers stop far earlier. */
export const MAX_PIPELINING = 1_000;

/**
 * Any duration: a phase, a run, a timeout, a delay. Node's timers stop at 2^31 − 1 ms (24.8
 * days) and fire at once past it; a day is more than any single run needs (longer soaks are
 * several runs).
 */
export const MAX_DURATION_MS = 24 * 3_600_000;

/**
 * Bytes of one Redis value (`valueSize`) or BullMQ job payload (`payloadSize`). Redis takes
 * strings up to 512 MB (proto-max-bulk-len) and V8 strings stop at 2^29 − 24 characters, but the
 * runner builds the value as one string and encodes it again for each command in flight: 64 MB
 * keeps a value and its copies within a developer machine's memory.
 */
export const MAX_VALUE_BYTES = 64 << 20;

/** Bytes of values in flight at once (value size × commands or jobs in flight). */
export const MAX_IN_FLIGHT_BYTES = 1 << 30;

const MB = (bytes: number) => `${Math.round(bytes / (1 << 20))} MB`;

/** A rate, a number of connections or pipelining past what the generator can do. */
export function checkPhaseLimits(out: ProblemInput[], at: Segment[], phase: Obj | undefined): void {
  if (!phase) return;
  for (const key of ['arrivalRate', 'rampTo'] as const) checkRate(out, [...at, key], phase[key]);
  checkAtMost(out, [...at, 'connections'], phase.connections, MAX_CONNECTIONS, 'connections one closed-loop phase can hold',
    `use at most ${MAX_CONNECTIONS}; to load harder, use an arrival-rate phase ("arrivalRate")`);
  checkAtMost(out, [...at, 'pipelining'], phase.pipelining, MAX_PIPELINING, 'requests in flight per connection',
    `use at most ${MAX_PIPELINING}, usually 1 to 10; add connections for more concurrency`);
}

/** A preset's highest rate times `scale`. */
export function checkScaledPreset(out: ProblemInput[], at: Segment[], peakRate: number, scale: unknown): void {
  if (typeof scale !== 'number' || peakRate * scale <= MAX_ARRIVAL_RATE) return;
  out.push({
    path: [...at, 'scale'], code: 'limit', message: `scale ${scale} takes the preset's peak of ${peakRate}/s to ${fmt(peakRate * scale)}/s, more than one generator can send (${fmt(MAX_ARRIVAL_RATE)}/s)`,
    hint: `use a scale of at most ${fmt(Math.floor(MAX_ARRIVAL_RATE / peakRate))}`,
  });
}

/** An arrival rate (requests or jobs per second). */
export function checkRate(out: ProblemInput[], path: Segment[], value: unknown): void {
  checkAtMost(out, path, value, MAX_ARRIVAL_RATE, 'requests per second one generator can send',
    `use at most ${MAX_ARRIVAL_RATE} (per second); for more load, run several generators`);
}

/** A parsed duration past {@link MAX_DURATION_MS}. */
export function durationTooLong(ms: number, shown: string): { message: string; hint: string } | undefined {
  if (ms <= MAX_DURATION_MS) return undefined;
  return {
    message: `${shown} is longer than ${formatDuration(MAX_DURATION_MS)}, the longest duration PerfLab runs`,
    hint: `use at most "${formatDuration(MAX_DURATION_MS)}"; make a longer soak several runs`,
  };
}

/** `valueSize` or `payloadSize`, alone and times what is in flight. */
export function checkValueSize(out: ProblemInput[], path: Segment[], size: unknown, inFlight: number, inFlightWhat: string): void {
  if (typeof size !== 'number' || !Number.isFinite(size)) return;
  const name = String(path[path.length - 1]);
  if (size > MAX_VALUE_BYTES) {
    out.push({
      path, code: 'limit', message: `${name} ${fmt(size)} is more than ${fmt(MAX_VALUE_BYTES)} bytes (${MB(MAX_VALUE_BYTES)}), the largest value PerfLab builds`,
      hint: `use at most ${MAX_VALUE_BYTES}, e.g. 1024; Redis itself stops at 512 MB, and a benchmark of values this large measures the network`,
    });
  } else if (size * inFlight > MAX_IN_FLIGHT_BYTES) {
    out.push({
      path, code: 'limit', message: `${name} ${fmt(size)} × ${fmt(inFlight)} ${inFlightWhat} is ${MB(size * inFlight)} in flight, more than ${MB(MAX_IN_FLIGHT_BYTES)}`,
      hint: `lower ${name} to at most ${fmt(Math.floor(MAX_IN_FLIGHT_BYTES / inFlight))}, or the ${inFlightWhat}`,
    });
  }
}

function checkAtMost(out: ProblemInput[], path: Segment[], value: unknown, max: number, what: string, hint: string): void {
  if (typeof value !== 'number' || value <= max) return;
  out.push({ path, code: 'limit', message: `${String(path[path.length - 1])} ${fmt(value)} is more than the ${fmt(max)} ${what}`, hint });
}

function fmt(n: number): string {
  return Math.abs(n) < 1e15 ? n.toLocaleString('en-US') : String(n);
}
