// Hostile and unlucky config files through the built CLI: each gets one located line with the fix
// (exit 2), never a stack trace, an echo of a huge value or a pass that `run` would then refuse.
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliFolder, cliFolder, STACK_LINE } from '../helpers/cli';

let folder: CliFolder;
beforeEach(() => {
  folder = cliFolder();
});
afterEach(() => folder.remove());

/** A valid config with one http profile `p`; `over` is merged into the profile. */
function httpConfig(over: Record<string, unknown> = {}, request: Record<string, unknown> = { path: '/' }) {
  return {
    targets: { api: { baseUrl: 'http://127.0.0.1:3000' } },
    profiles: {
      p: { type: 'http', target: 'api', phases: [{ name: 'steady', duration: '1s', arrivalRate: 1 }], scenarios: [{ name: 's', request }], ...over },
    },
  };
}

/** Writes `content` as perflab.config.json and validates it: exit 2 and every line bounded. */
function invalid(content: string | Buffer | object) {
  folder.write('perflab.config.json', content);
  const r = folder.run('validate');
  expect(r.code, r.out + r.err).toBe(2);
  expect(r.err).not.toMatch(STACK_LINE);
  for (const line of (r.out + r.err).split('\n')) expect(line.length).toBeLessThan(1_200);
  return r.err;
}

/** The line and column of the first `needle` in `text`, 1-based. */
function at(text: string, needle: string): string {
  const before = text.slice(0, text.indexOf(needle));
  const lines = before.split('\n');
  return `${lines.length}:${lines[lines.length - 1]!.length + 1}`;
}

describe('file encodings', () => {
  const text = JSON.stringify(httpConfig());

  it.each([
    ['UTF-16 LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16 LE without BOM', Buffer.from(text, 'utf16le')],
    ['UTF-16 BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
    ['UTF-16 BE without BOM', Buffer.from(text, 'utf16le').swap16()],
  ])('%s: "the file is UTF-16; save it as UTF-8"', (_name, bytes) => {
    expect(invalid(bytes)).toMatch(/^perflab\.config\.json:1:1 the file is UTF-16 — save it as UTF-8/m);
  });

  it('a UTF-8 BOM is read silently', () => {
    folder.write('perflab.config.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const r = folder.run('validate');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/is valid: 1 profile/);
  });

  it('Latin-1 text is located and named', () => {
    const latin = Buffer.from(JSON.stringify(httpConfig({ description: 'café' })), 'latin1');
    expect(invalid(latin)).toMatch(/^perflab\.config\.json:1:\d+ the file is not valid UTF-8 here — save it as UTF-8/m);
  });
});

describe('sizes and shapes no config has', () => {
  it('20,000 nested arrays: "nested too deeply" at the bracket, not a RangeError', () => {
    const text = `{\n  "profiles": {\n    "p": ${'['.repeat(20_000)}${']'.repeat(20_000)}\n  }\n}\n`;
    const err = invalid(text);
    expect(err).toMatch(/^perflab\.config\.json:3:72 nested too deeply: more than 64 levels of \{ \} and \[ \] — /m);
    expect(err).not.toMatch(/RangeError|please report/);
  });

  it('a 5 MB string is quoted by its first 60 characters and its size', () => {
    const huge = 'x'.repeat(5 << 20);
    const err = invalid(httpConfig({ target: huge }));
    const echoed = `"${'x'.repeat(60)}…" (5 MB)`;
    expect(err).toContain(`profiles.p.target: unknown target ${echoed}`);
    expect(err.length).toBeLessThan(2_000);
  });

  it('a 5 MB key and a 5 MB unquoted word are bounded too', () => {
    expect(invalid(`{ "profiles": { "p": { "type": "redis", "${'k'.repeat(5 << 20)}": 1 } } }`)).toMatch(/unknown property "k{60}…" \(5 MB\)/);
    expect(invalid(`{ "profiles": ${'w'.repeat(5 << 20)} }`)).toMatch(/unexpected "w{60}…" \(5 MB\)/);
  });
});

/** Validates a config written as text and returns its error lines; `run p` must refuse it the same way. */
function refused(config: object, profile = 'p') {
  const text = JSON.stringify(config, null, 2);
  const err = invalid(text);
  const run = folder.run('run', profile);
  expect(run.code, run.err).toBe(2);
  expect(run.err).not.toMatch(STACK_LINE);
  return { err, text, run: run.err };
}

describe('what run would refuse, validate reports with its place and fix', () => {
  it('an unclosed {{phone', () => {
    const { err, text, run } = refused(httpConfig({}, { path: '/messages/{{phone' }));
    const line = `perflab.config.json:${at(text, '"/messages/{{phone"')} profiles.p.scenarios[0].request.path: "{{" without a closing "}}" in "/messages/{{phone" — close the helper with "}}"`;
    expect(err).toContain(line);
    expect(run).toContain(line);
  });

  it('{{int(100,1)}}: min above max', () => {
    const { err, text } = refused(httpConfig({}, { path: '/', json: { n: '{{int(100,1)}}' } }));
    expect(err).toContain(`perflab.config.json:${at(text, '"{{int(100,1)}}"')} profiles.p.scenarios[0].request.json.n: {{int(100,1)}}: min is greater than max — write the smaller bound first: {{int(1,100)}}`);
  });

  it('a generator module that does not exist', () => {
    const { err, text } = refused(httpConfig({ generator: './nope.mjs' }));
    expect(err).toContain(`perflab.config.json:${at(text, '"./nope.mjs"')} profiles.p.generator: the generator module "./nope.mjs" was not found`);
    expect(err).toMatch(/— create it, or fix the path: it is relative to the folder of the config file/);
  });
});

describe('workspace code stays inside the config folder', () => {
  it.each(['../outside.mjs', '/tmp/perflab-outside.mjs'])('a generator at %s is refused by validate and by run', (generator) => {
    const outside = path.resolve(folder.dir, generator);
    writeFileSync(outside, 'export function next() {}');
    try {
      const { err, text } = refused(httpConfig({ generator }));
      expect(err).toContain(`perflab.config.json:${at(text, JSON.stringify(generator))} profiles.p.generator: the generator module ${JSON.stringify(generator)} is outside the config's folder`);
      expect(err).toMatch(/— move the module into the folder of the config file/);
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it('a link inside the folder that leads out of it is refused too', () => {
    const outside = path.join(tmpdir(), `perflab-outside-${process.pid}.mjs`);
    writeFileSync(outside, 'export function next() {}');
    try {
      symlinkSync(outside, path.join(folder.dir, 'gen.mjs'));
      const { err } = refused(httpConfig({ generator: './gen.mjs' }));
      expect(err).toMatch(/profiles\.p\.generator: the generator module "\.\/gen\.mjs" is outside the config's folder/);
    } finally {
      rmSync(outside, { force: true });
    }
  });
});

describe('control characters where HTTP reads structure', () => {
  it('CRLF in a header value: the exact input of the issue', () => {
    const { err, text } = refused(httpConfig({}, { path: '/', headers: { 'X-A': 'a\r\nX-Injected: 1' } }));
    expect(err).toContain(`perflab.config.json:${at(text, '"a\\r\\nX-Injected: 1"')} profiles.p.scenarios[0].request.headers.X-A: header value contains a line break (CR) at character 2 — remove it`);
  });

  it.each([
    ['a header name with a line break', { headers: { 'X-A\r\nX-B': '1' } }, /request\.headers\["X-A\\r\\nX-B"\]: header name "X-A\\r\\nX-B" contains a line break \(CR\) at character 4/],
    ['a header name with a space', { headers: { 'X A': '1' } }, /request\.headers\["X A"\]: header name "X A" is not a valid HTTP header name/],
    ['NUL in a header value', { headers: { 'X-A': 'a\u0000b' } }, /request\.headers\.X-A: header value contains NUL at character 2/],
    ['DEL in a header value', { headers: { 'X-A': 'a\u007f' } }, /request\.headers\.X-A: header value contains DEL at character 2/],
    ['LF in a path', { path: '/a\nHost: evil' }, /request\.path: path contains a line break \(LF\) at character 3/],
    ['a control character in a path', { path: '/a\u0001' }, /request\.path: path contains the control character U\+0001 at character 3/],
    ['CRLF in a method', { path: '/', method: 'GET /x HTTP/1.1\r\nX: 1\r\n' }, /request\.method: unknown HTTP method "GET \/x HTTP\/1\.1\\r\\nX: 1\\r\\n"/],
  ])('%s', (_name, request, message) => {
    expect(refused(httpConfig({}, { path: '/', ...request })).err).toMatch(message);
  });

  it('in a target header', () => {
    const config = httpConfig();
    (config.targets.api as Record<string, unknown>).headers = { Authorization: 'Bearer x\r\nX-Injected: 1' };
    expect(refused(config).err).toMatch(/targets\.api\.headers\.Authorization: header value contains a line break \(CR\)/);
  });
});

describe('sizes and rates past what the runners can do', () => {
  const redis = (over: Record<string, unknown>) => ({ stack: { redis: { url: 'redis://127.0.0.1:1' } }, profiles: { p: { type: 'redis', operations: ['set'], ...over } } });
  const bullmq = (over: Record<string, unknown>) => ({ stack: { redis: { url: 'redis://127.0.0.1:1' } }, profiles: { p: { type: 'bullmq', queue: 'q', ...over } } });

  it.each([9_999_999_999, 600_000_000])('valueSize %i', (valueSize) => {
    const { err, text } = refused(redis({ valueSize }));
    expect(err).toContain(`perflab.config.json:${at(text, String(valueSize))} profiles.p.valueSize: valueSize ${valueSize.toLocaleString('en-US')} is more than 67,108,864 bytes (64 MB), the largest value PerfLab builds — use at most 67108864`);
  });

  it('valueSize times the commands in flight', () => {
    expect(refused(redis({ valueSize: 32 << 20 })).err).toMatch(/valueSize 33,554,432 × 50 commands in flight \(concurrency\) is 1600 MB in flight, more than 1024 MB — lower valueSize to at most 21,474,836, or the commands in flight \(concurrency\)/);
  });

  it.each([9_999_999_999, 600_000_000])('payloadSize %i', (payloadSize) => {
    expect(refused(bullmq({ payloadSize })).err).toMatch(/profiles\.p\.payloadSize: payloadSize [\d,]+ is more than 67,108,864 bytes \(64 MB\)/);
  });

  it('arrivalRate 1e308', () => {
    const { err, text } = refused(httpConfig({ phases: [{ name: 'steady', duration: '1s', arrivalRate: 1e308 }] }));
    expect(err).toContain(`perflab.config.json:${at(text, '1e+308')} profiles.p.phases[0].arrivalRate: arrivalRate 1e+308 is more than the 100,000 requests per second one generator can send — use at most 100000`);
  });

  it('a ramp, a preset scale and a BullMQ rate past the generator', () => {
    expect(refused(httpConfig({ phases: [{ name: 'steady', duration: '1s', arrivalRate: 1, rampTo: 1e9 }] })).err).toMatch(/phases\[0\]\.rampTo: rampTo 1,000,000,000 is more than the 100,000/);
    const { phases: _phases, ...withoutPhases } = httpConfig().profiles.p;
    expect(refused({ ...httpConfig(), profiles: { p: { ...withoutPhases, preset: 'smoke', scale: 1e6 } } }).err).toMatch(/profiles\.p\.scale: scale 1000000 takes the preset's peak of 100\/s to 100,000,000\/s/);
    expect(refused(bullmq({ arrivalRate: 1e308 })).err).toMatch(/profiles\.p\.arrivalRate: arrivalRate 1e\+308 is more than/);
  });

  it.each([
    ['"1e20h"', '1e20h', /"1e20h" is not a duration/],
    ['"100000000000000000000h"', '100000000000000000000h', /"100000000000000000000h" is longer than 24h, the longest duration PerfLab runs — use at most "24h"/],
    ['1e20 (seconds)', 1e20, /100000000000000000000 s is longer than 24h/],
  ])('a %s duration', (_name, duration, message) => {
    expect(refused(httpConfig({ phases: [{ name: 'steady', duration, arrivalRate: 1 }] })).err).toMatch(message);
  });

  it('connections: 10000000', () => {
    const { err, text } = refused(httpConfig({ phases: [{ name: 'steady', duration: '1s', connections: 10_000_000 }] }));
    expect(err).toContain(`perflab.config.json:${at(text, '10000000')} profiles.p.phases[0].connections: connections 10,000,000 is more than the 10,000 connections one closed-loop phase can hold — use at most 10000`);
  });
});

describe('thresholds', () => {
  it('a unit-less ratio asks for %', () => {
    const { err, text } = refused(httpConfig({ thresholds: { 'errors.rate': '< 0.1' } }));
    expect(err).toContain(`perflab.config.json:${at(text, '"< 0.1"')} profiles.p.thresholds["errors.rate"]: "< 0.1" has no unit, but errors.rate is a ratio: 0.1 could mean 0.1% or 10% — write a percentage: "< 0.1%", or "< 10%" for a fraction of 0.1`);
  });

  it('"== 0" needs no unit', () => {
    folder.write('perflab.config.json', httpConfig({ thresholds: { 'errors.rate': '== 0' } }));
    expect(folder.run('validate').code).toBe(0);
  });
});
