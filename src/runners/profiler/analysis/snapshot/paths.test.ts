import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { retainerPathLine } from '../format';
import { HeapSnapshot } from './heapSnapshot';

const dir = mkdtempSync(path.join(tmpdir(), 'perflab-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Edge = [type: 'context' | 'element' | 'property' | 'internal' | 'hidden' | 'shortcut', name: string | number, to: string];
interface Node {
  key: string;
  type: 'synthetic' | 'object' | 'closure' | 'code' | 'array';
  name: string;
  edges?: Edge[];
  /** Constructor location: script id. */
  script?: number;
}

/** Writes a V8-format snapshot of `nodes` (the first is the root); ids are 1, 3, 5… in order. */
function snapshotFile(name: string, nodes: Node[]): string {
  const nodeTypes = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'];
  const edgeTypes = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
  const strings: string[] = [];
  const str = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  const ordinal = new Map(nodes.map((n, i) => [n.key, i]));
  const flat: number[] = [];
  const edges: number[] = [];
  const locations: number[] = [];
  nodes.forEach((n, i) => {
    flat.push(nodeTypes.indexOf(n.type), str(n.name), 2 * i + 1, 16, n.edges?.length ?? 0);
    for (const [type, edgeName, to] of n.edges ?? []) {
      edges.push(edgeTypes.indexOf(type), typeof edgeName === 'number' ? edgeName : str(edgeName), ordinal.get(to)! * 5);
    }
    if (n.script !== undefined) locations.push(i * 5, n.script, 0, 0);
  });
  const meta = {
    node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
    node_types: [nodeTypes, 'string', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [edgeTypes, 'string_or_number', 'node'],
    location_fields: ['object_index', 'script_id', 'line', 'column'],
  };
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify({ snapshot: { meta, node_count: nodes.length, edge_count: edges.length / 3 }, nodes: flat, edges, locations, strings }));
  return file;
}

/**
 * A session cache that only a timer's callback closes over, as Node lays it out: the global
 * `clearInterval` (node:timers) → its context → the timer list → the Timeout → the callback.
 */
const timerHeld: Node[] = [
  { key: 'root', type: 'synthetic', name: '', edges: [['shortcut', 'global', 'global']] },
  { key: 'global', type: 'object', name: 'global', edges: [['property', 'clearInterval', 'clearInterval'], ['property', 'helper', 'fnObject']] },
  { key: 'clearInterval', type: 'closure', name: 'clearInterval', script: 2, edges: [['internal', 'shared', 'sfi1'], ['internal', 'context', 'timersContext']] },
  { key: 'sfi1', type: 'code', name: 'clearInterval', edges: [['internal', 'script_or_debug_info', 'timersScript']] },
  { key: 'timersScript', type: 'code', name: 'node:timers' },
  { key: 'timersContext', type: 'object', name: 'system / Context', edges: [['context', 'timerListMap', 'list']] },
  { key: 'list', type: 'object', name: 'TimersList', script: 2, edges: [['property', '_idleNext', 'timeout']] },
  { key: 'timeout', type: 'object', name: 'Timeout', script: 2, edges: [['property', '_onTimeout', 'sweep']] },
  { key: 'sweep', type: 'closure', name: 'sweepSessions', script: 1, edges: [['internal', 'shared', 'sfi2'], ['internal', 'context', 'appContext']] },
  { key: 'sfi2', type: 'code', name: 'sweepSessions', edges: [['internal', 'script_or_debug_info', 'appScript']] },
  { key: 'appScript', type: 'code', name: '/app/server.js' },
  { key: 'appContext', type: 'object', name: 'system / Context', edges: [['context', 'sessionCache', 'map']] },
  { key: 'map', type: 'object', name: 'Map', edges: [['internal', 'table', 'table']] },
  { key: 'table', type: 'array', name: '', edges: [['hidden', 3, 'record']] },
  { key: 'record', type: 'object', name: 'SessionRecord', script: 1 },
  // An object whose constructor is called Function: not a function.
  { key: 'fnObject', type: 'object', name: 'Function' },
];

describe('retainer paths', () => {
  it('count the runtime hops before the application part of the path', async () => {
    const snap = await HeapSnapshot.load(snapshotFile('timer.heapsnapshot', timerHeld));
    const p = snap.retainerPath('SessionRecord');
    expect(p.text).toEqual([
      'global.clearInterval',
      'clearInterval(){context}',
      'system / Context->timerListMap',
      'TimersList._idleNext',
      'Timeout._onTimeout',
      'sweepSessions(){context}',
      'system / Context->sessionCache',
      'Map{table}',
      '(array){3}',
      'SessionRecord @29',
    ]);
    // global says nothing by itself; clearInterval is node:timers', its context and the timer
    // objects follow it; sweepSessions is the application's, and so is what it holds.
    expect(p.runtimeHops).toBe(5);
    expect(retainerPathLine(p.text, p.runtimeHops)).toBe(
      '… 5 internal hops via Timeout._onTimeout → sweepSessions(){context} → system / Context->sessionCache → Map{table} → (array){3} → SessionRecord @29',
    );
    expect(retainerPathLine(p.text, p.runtimeHops, true)).toBe(p.text.join(' → '));
  });

  it('leave a path with no runtime step whole', async () => {
    const snap = await HeapSnapshot.load(snapshotFile('global.heapsnapshot', timerHeld));
    const p = snap.retainerPath('Function');
    expect(p.text).toEqual(['global.helper', 'Function @31']);
    expect(p.runtimeHops).toBe(0);
    expect(retainerPathLine(p.text, p.runtimeHops)).toBe('global.helper → Function @31');
  });

  it('keep the object itself when the runtime owns it too', async () => {
    const snap = await HeapSnapshot.load(snapshotFile('timeout.heapsnapshot', timerHeld));
    const p = snap.retainerPath('Timeout');
    expect(p.runtimeHops).toBe(p.text.length - 1);
    expect(retainerPathLine(p.text, p.runtimeHops)).toBe('… 4 internal hops via TimersList._idleNext → Timeout @15');
  });
});

describe('class names', () => {
  it('tell closures apart from objects whose constructor is called Function', async () => {
    const snap = await HeapSnapshot.load(snapshotFile('classes.heapsnapshot', timerHeld));
    const byName = Object.fromEntries(snap.analysis().classes.map((c) => [c.name, c]));
    expect(byName['(closure)']).toMatchObject({ key: ',(closure)', count: 2 });
    expect(byName.Function).toMatchObject({ key: ',Function', count: 1 });
  });
});
