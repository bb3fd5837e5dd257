import { describe, expect, it } from 'vitest';
import type { NodeProcessInfo } from './discovery';
import { attachable, processLabel } from './processList';

const proc = (pid: number, ppid: number, argv: string[]): NodeProcessInfo => ({ pid, ppid, argv, command: argv.join(' ') });

describe('the processes the editor offers', () => {
  // 10 editor server → 20 extension host (this one) → 21 key sweeper
  //                  → 30 another extension host, 40 terminal host (not node) → 41 bash → 42 npm → 43 server.js
  // 50 a service started elsewhere
  const list = [
    proc(10, 1, ['node', 'out/server-main.js']),
    proc(20, 10, ['node', 'bootstrap-fork', '--type=extensionHost']),
    proc(21, 20, ['node', 'dist/key-sweeper.js']),
    proc(30, 10, ['node', 'bootstrap-fork', '--type=extensionHost']),
    proc(42, 41, ['node', '/usr/bin/npm', 'run', 'dev']),
    proc(43, 42, ['node', '--enable-source-maps', 'src/server.js']),
    proc(50, 1, ['/usr/bin/node', 'worker.js']),
  ];

  it("leaves out the editor's own: itself, the processes above it and their children", () => {
    expect(attachable(list, { pid: 20, ppid: 10 }).map((p) => p.pid)).toEqual([42, 43, 50]);
  });

  it('leaves out everything under this extension host, however deep (a language server and its helpers)', () => {
    const tsserver = proc(23, 20, ['node', 'tsserver.js']);
    const typings = proc(24, 23, ['node', 'typingsInstaller.js']);
    expect(attachable([...list, tsserver, typings], { pid: 20, ppid: 10 }).map((p) => p.pid)).toEqual([42, 43, 50]);
  });

  it('keeps a service the editor started for the user (its demo stack) listed', () => {
    const demo = proc(22, 20, ['node', 'examples/demo-stack/server.js']);
    const worker = proc(25, 22, ['node', 'worker.js']);
    expect(attachable([...list, demo, worker], { pid: 20, ppid: 10 }, [22]).map((p) => p.pid)).toEqual([42, 43, 50, 22, 25]);
  });

  it('names a process by its script, past the flags', () => {
    expect(processLabel(list[5]!)).toBe('server.js');
    expect(processLabel(list[4]!)).toBe('npm');
    expect(processLabel(proc(60, 1, ['node']))).toBe('node');
  });
});
