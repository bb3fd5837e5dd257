// A line break in a header value must never reach the wire, from either generator: validation
// stops it in the config, but a custom generator module builds requests at run time. A server on
// raw sockets keeps every byte it receives, so a header split into two would show.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/runRecord';
import { type CliFolder, cliFolder, STACK_LINE } from '../helpers/cli';
import { type RawHttpTarget, startRawHttpTarget } from '../helpers/httpTargets';

let folder: CliFolder;
let target: RawHttpTarget;

beforeAll(async () => {
  target = await startRawHttpTarget();
});
afterAll(() => target?.stop());
beforeEach(() => {
  folder = cliFolder('perflab-crlf-');
});
afterEach(() => folder.remove());

// The header, `"X-A": "a\r\nX-Injected: 1"`, on every third request (seq 3, 6, 9, …).
const EVERY_THIRD = `export function next(ctx) {
  if (ctx.seq % 3 !== 0) return undefined;
  return { path: '/poisoned', headers: { 'X-A': 'a\\r\\nX-Injected: 1' } };
}
`;
const ALWAYS = `export function next() {
  return { path: '/poisoned', headers: { 'X-A': 'a\\r\\nX-Injected: 1' } };
}
`;

function writeConfig(generator: string): void {
  folder.write('gen.mjs', generator);
  const profile = (phases: object[]) => ({ type: 'http', target: 'api', generator: './gen.mjs', phases, scenarios: [{ name: 'root', request: { path: '/' } }] });
  folder.write('perflab.config.json', {
    targets: { api: { baseUrl: target.url } },
    profiles: {
      open: profile([{ name: 'steady', duration: '2s', arrivalRate: 100 }]),
      closed: profile([{ name: 'saturate', duration: '1s', connections: 2 }]),
    },
  });
}

function recordOf(out: string): RunRecord {
  const file = /^run record: (.+)$/m.exec(out)![1]!;
  return JSON.parse(readFileSync(path.join(folder.dir, file), 'utf8')) as RunRecord;
}

describe('a custom generator that puts CRLF in a header value', () => {
  it('arrival rate: the poisoned requests are refused and counted as invalid-request, the others sent', async () => {
    writeConfig(EVERY_THIRD);
    const before = await target.received();
    const r = await folder.runAsync('run', 'open');
    const after = await target.received();
    const wire = after.text.slice(before.text.length);
    expect(wire).not.toMatch(/X-Injected/i);
    expect(wire).toMatch(/^GET \/ HTTP\/1\.1\r\n/);
    expect(r.code, r.out + r.err).toBe(0);
    const record = recordOf(r.out);
    const o = record.overall!;
    // 200 planned requests, seq 1…200: the 66 multiples of 3 refused, the other 134 sent and answered.
    expect(o.count).toBe(200);
    expect(o.errorsByKind).toEqual({ 'invalid-request': 66 });
    expect(after.requests - before.requests).toBe(134);
    expect(record.operations[0]).toMatchObject({ name: 'root', count: 200, errors: 66 });
    // One warning, naming the header and what was wrong with it.
    const warnings = r.err.split('\n').filter((l) => /invalid-request/.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warn: .*header "X-A".*line break \(CR\)/);
  });

  it('closed loop: the poisoned requests are refused and counted, the others sent', async () => {
    writeConfig(EVERY_THIRD);
    const before = await target.received();
    const r = await folder.runAsync('run', 'closed');
    const after = await target.received();
    const wire = after.text.slice(before.text.length);
    expect(wire).not.toMatch(/X-Injected/i);
    expect(r.code, r.out + r.err).toBe(0);
    const o = recordOf(r.out).overall!;
    const refused = o.errorsByKind?.['invalid-request'] ?? 0;
    const sent = after.requests - before.requests;
    expect(refused).toBeGreaterThan(0);
    expect(o.errors).toBe(refused);
    // Requests seq 1…n were built; every third was refused, the rest written. At the end of the
    // phase up to one request per connection (2) may have been written and not received.
    const built = sent + refused;
    expect(refused).toBeGreaterThanOrEqual(Math.floor(built / 3));
    expect(refused).toBeLessThanOrEqual(Math.floor((built + 2) / 3));
    expect(sent - (o.count - refused)).toBeGreaterThanOrEqual(0);
    expect(sent - (o.count - refused)).toBeLessThanOrEqual(2);
    expect(r.err.split('\n').filter((l) => /invalid-request/.test(l))).toHaveLength(1);
  });

  it.each(['open', 'closed'])('%s: a generator whose every request is invalid ends the run with the reason, nothing sent', async (profile) => {
    writeConfig(ALWAYS);
    const before = await target.received();
    const r = await folder.runAsync('run', profile);
    const after = await target.received();
    expect(after.requests - before.requests).toBe(0);
    expect(after.text.slice(before.text.length)).not.toMatch(/X-Injected/i);
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.out).toMatch(/^error: .*refused.*header "X-A".*line break \(CR\)/m);
    expect(r.err + r.out).not.toMatch(STACK_LINE);
  });
});
