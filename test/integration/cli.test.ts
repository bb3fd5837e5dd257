// The built `perflab` CLI as a user runs it: real process, real files, exit codes as documented.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const CLI = path.resolve('dist/cli.js');
let dir: string;

function perflab(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
});
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'perflab-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('perflab CLI', () => {
  it('init writes a starter config that validates, and refuses to overwrite it', () => {
    const init = perflab('init');
    expect(init.code).toBe(0);
    expect(init.out).toMatch(/smoke, load, stress, spike, endurance/);
    const validate = perflab('validate');
    expect(validate.code).toBe(0);
    expect(validate.out).toMatch(/perflab\.config\.json is valid: 7 profiles/);
    const again = perflab('init');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already exists.*--force/);
  });

  it('validate names file, line, column, path and the fix, and exits 2', () => {
    perflab('init');
    const file = path.join(dir, 'perflab.config.json');
    const text = readFileSync(file, 'utf8');
    const broken = text.replace(/"duration": "[^"]+"/, '"duration": "2 minutes"');
    writeFileSync(file, broken);
    const line = broken.slice(0, broken.indexOf('"2 minutes"')).split('\n').length;
    const r = perflab('validate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^perflab\\.config\\.json:${line}:\\d+ profiles\\.smoke\\.phases\\[0\\]\\.duration: "2 minutes" is not a duration — write e\\.g\\.`, 'm'));
  });

  it('validate without a config says how to create one', () => {
    const r = perflab('validate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/perflab init/);
  });

  it('validate --config takes another file', () => {
    writeFileSync(path.join(dir, 'other.json'), '{ "profiles": { "x": { "type": "grpc" } } }');
    const r = perflab('validate', '--config', 'other.json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^other\.json:1:\d+ .*grpc/m);
  });

  it('rejects unknown commands and options with usage, exit 2', () => {
    expect(perflab('bogus')).toMatchObject({ code: 2 });
    expect(perflab('bogus').err).toMatch(/unknown command "bogus"/);
    const r = perflab('validate', '--nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unknown option '--nope'/);
    expect(perflab('--help').code).toBe(0);
    expect(perflab('--version').out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
