// One rule for every path flag of `perflab run`: relative to the current directory, like any
// command-line tool (the config's own paths, such as a generator module, stay relative to it).
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliFolder, cliFolder } from '../helpers/cli';
import { type HttpTarget, startHttpTarget } from '../helpers/httpTargets';

let folder: CliFolder;
let target: HttpTarget;

beforeAll(async () => {
  target = await startHttpTarget();
});
afterAll(() => target?.stop());
beforeEach(() => {
  folder = cliFolder('perflab-paths-');
  folder.write('perflab.config.json', 'not this one');
  mkdirSync(path.join(folder.dir, 'project'));
  folder.write('project/perflab.config.json', {
    targets: { api: { baseUrl: target.url } },
    profiles: { quick: { type: 'http', target: 'api', phases: [{ name: 'p', duration: '500ms', arrivalRate: 10 }], scenarios: [{ name: 'root', request: { path: '/' } }] } },
  });
});
afterEach(() => folder.remove());

const runs = (dir: string) => (existsSync(path.join(folder.dir, dir)) ? readdirSync(path.join(folder.dir, dir)) : []);

describe('perflab run path flags', () => {
  it('--runs-dir, --json and --markdown are relative to the current directory, not the config', async () => {
    const r = await folder.runAsync('run', 'quick', '--config', 'project/perflab.config.json', '--runs-dir', 'records', '--json', 'out.json', '--markdown', 'out.md');
    expect(r.code, r.out + r.err).toBe(0);
    expect(runs('records')).toHaveLength(1);
    expect(existsSync(path.join(folder.dir, 'project', 'records'))).toBe(false);
    expect(r.out).toMatch(new RegExp(`^run record: records/${runs('records')[0]}/run\\.json$`, 'm'));
    expect(existsSync(path.join(folder.dir, 'out.json'))).toBe(true);
    expect(existsSync(path.join(folder.dir, 'out.md'))).toBe(true);
  });

  it('without --runs-dir the records go to .perflab/runs next to the config', async () => {
    const r = await folder.runAsync('run', 'quick', '--config', 'project/perflab.config.json');
    expect(r.code, r.out + r.err).toBe(0);
    expect(runs('project/.perflab/runs')).toHaveLength(1);
    expect(runs('.perflab/runs')).toHaveLength(0);
  });
});
