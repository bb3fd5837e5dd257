// `perflab run` with configs that are partly wrong or name things JavaScript knows: the built CLI,
// real files, a real target process. Every message is one clear line, never a stack trace.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliFolder, cliFolder, STACK_LINE } from '../helpers/cli';
import { freePort, type HttpTarget, startHttpTarget } from '../helpers/httpTargets';

let folder: CliFolder;
let target: HttpTarget;

beforeAll(async () => {
  target = await startHttpTarget();
});
afterAll(() => target.stop());
beforeEach(() => {
  folder = cliFolder();
});
afterEach(() => folder.remove());

const good = (targetName = 'api') => ({
  type: 'http', target: targetName,
  phases: [{ name: 'steady', duration: '1s', arrivalRate: 5 }],
  scenarios: [{ name: 'root', request: { path: '/' } }],
});

describe('profile names that are built-ins of JavaScript objects', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty'])('perflab run %s is "no profile", exit 2', (name) => {
    folder.write('perflab.config.json', { targets: { api: { baseUrl: target.url } }, profiles: { quick: good() } });
    const r = folder.run('run', name);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`perflab run: no profile "${name}" in perflab.config.json; it has quick`);
  });

  it('a profile named __proto__ is an error at its key, and does not run', () => {
    const text = `{
  "targets": { "api": { "baseUrl": "${target.url}" } },
  "profiles": {
    "__proto__": ${JSON.stringify(good())}
  }
}`;
    folder.write('perflab.config.json', text);
    const v = folder.run('validate');
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/^perflab\.config\.json:4:5 profiles\.__proto__: "__proto__" cannot be used as a name — rename it/m);
    const r = folder.run('run', '__proto__');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/profiles\.__proto__: "__proto__" cannot be used as a name/);
    expect(r.err).not.toMatch(STACK_LINE);
    expect(existsSync(path.join(folder.dir, '.perflab'))).toBe(false);
  });

  it('a target named constructor must be defined like any other', () => {
    folder.write('perflab.config.json', { targets: {}, profiles: { quick: good('constructor') } });
    const v = folder.run('validate');
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/profiles\.quick\.target: unknown target "constructor"/);
  });
});

describe('one invalid profile', () => {
  const config = () => ({
    targets: { api: { baseUrl: target.url } },
    profiles: {
      good: good(),
      bad: { ...good(), phases: [{ name: 'steady', duration: '2 minutes', arrivalRate: 5 }] },
    },
  });

  it('does not keep another profile from running: its problems are warnings', () => {
    folder.write('perflab.config.json', config());
    const r = folder.run('run', 'good');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^perflab\.config\.json:\d+:\d+ profiles\.bad\.phases\[0\]\.duration: warning: "2 minutes" is not a duration/m);
    expect(r.err).toMatch(/^warning: profile "bad" cannot run until its errors are fixed; running "good"$/m);
    expect(r.out).toMatch(/run record: \.perflab\/runs\/.+-good-.+\/run\.json/);
  });

  it('still fails validate (exit 2) and its own run', () => {
    folder.write('perflab.config.json', config());
    const v = folder.run('validate');
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/^perflab\.config\.json:\d+:\d+ profiles\.bad\.phases\[0\]\.duration: "2 minutes" is not a duration/m);
    expect(v.err).toMatch(/^1 error in perflab\.config\.json \(in profile "bad"; profile "good" can still run\)$/m);
    const r = folder.run('run', 'bad');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/profiles\.bad\.phases\[0\]\.duration: "2 minutes" is not a duration/);
    expect(r.err).toMatch(/fix the config first \(1 error\)/);
  });

  it('a problem outside the profiles still blocks every run', () => {
    folder.write('perflab.config.json', { ...config(), targets: { api: { baseUrl: 'ftp://127.0.0.1' } } });
    const r = folder.run('run', 'good');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/targets\.api\.baseUrl: "ftp:\/\/127\.0\.0\.1" is not an http:\/\/ or https:\/\/ URL/);
    expect(r.err).toMatch(/fix the config first \(2 errors\)/);
  });
});

describe('messages that name the config file', () => {
  it('the unreachable-target hint names the file given with --config', async () => {
    const port = await freePort();
    folder.write('other.json', { targets: { api: { baseUrl: `http://127.0.0.1:${port}` } }, profiles: { quick: good() } });
    const r = folder.run('run', 'quick', '--config', 'other.json');
    expect(r.code).toBe(3);
    expect(r.err + r.out).toMatch(/Check targets\.api\.baseUrl in other\.json/);
    expect(r.err + r.out).not.toMatch(/perflab\.config\.json/);
  });
});
