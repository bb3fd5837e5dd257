/**
 * Class names and per-class aggregates, as DevTools' Summary view computes them: constructor names
 * for objects (split by constructor location), `(system)`, `(compiled code)`, `(closure)`,
 * `(string)`… for the rest, plain objects named after their most common property sets (`{sku, qty}`), and the
 * class retained size as the sum over the objects not dominated by another object of the same class.
 */
import type { TypeIndexes } from './graph';
import type { ParsedSnapshot } from './model';

const MIN_INTERFACE_PROPERTY_COUNT = 1;
const MAX_INTERFACE_NAME_LENGTH = 120;
const MIN_OBJECT_COUNT_PER_INTERFACE = 2;
const MIN_OBJECT_PROPORTION_PER_INTERFACE = 1000;

/** A named property set that plain objects are grouped under. */
export interface InterfaceDefinition {
  name: string;
  properties: string[];
  count: number;
}

export interface ClassTable {
  /** Class id of each node. */
  classOf: Uint32Array;
  /** Public key per class id (`,Name` or `script,line,column,Name`), comparable across snapshots. */
  keys: string[];
  /** Display name per class id. */
  names: string[];
  /** Interface definitions used for plain objects (a diff applies the base snapshot's to the other). */
  interfaces: InterfaceDefinition[];
}

/** Escapes property names that would make `{a, b}` ambiguous, as DevTools does. */
function formatPropertyName(name: string): string {
  if (/[,'"{}]/.test(name)) {
    const json = JSON.stringify({ [name]: 0 });
    return json.substring(1, json.length - 3);
  }
  return name;
}

function objectNameIndexes(s: ParsedSnapshot): Set<number> {
  const set = new Set<number>();
  s.strings.forEach((str, i) => str === 'Object' && set.add(i));
  return set;
}

/** DevTools' inferInterfaceDefinitions: property sets shared by enough plain objects. */
export function inferInterfaces(s: ParsedSnapshot, t: TypeIndexes): InterfaceDefinition[] {
  const { nodeCount, nodeType, nodeName, firstEdge, edgeType, edgeName, strings } = s;
  const objectNames = objectNameIndexes(s);
  const candidates = new Map<string, InterfaceDefinition>();
  let total = 0;
  for (let node = 0; node < nodeCount; node++) {
    if (nodeType[node] !== t.object || !objectNames.has(nodeName[node]!)) continue;
    total++;
    let name = '{';
    const properties: string[] = [];
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      if (edgeType[e] !== t.property) continue;
      const prop = strings[edgeName[e]!]!;
      if (prop === '__proto__') continue;
      const formatted = formatPropertyName(prop);
      if (name.length > MIN_INTERFACE_PROPERTY_COUNT && name.length + formatted.length > MAX_INTERFACE_NAME_LENGTH) break;
      if (name.length !== 1) name += ', ';
      name += formatted;
      properties.push(prop);
    }
    if (!properties.length) continue;
    name += '}';
    const c = candidates.get(name);
    if (c) c.count++;
    else candidates.set(name, { name, properties, count: 1 });
  }
  const sorted = [...candidates.values()].sort((a, b) => b.count - a.count);
  const min = Math.max(MIN_OBJECT_COUNT_PER_INTERFACE, total / MIN_OBJECT_PROPORTION_PER_INTERFACE);
  const result: InterfaceDefinition[] = [];
  for (const c of sorted) {
    if (c.count < min) break;
    result.push(c);
  }
  return result;
}

interface Match {
  name: string;
  propertyCount: number;
  index: number;
}
interface TreeNode {
  next: Map<string, TreeNode>;
  match: Match | null;
  greatestNext: string | null;
}

function better(a: Match, b: Match | null): Match {
  if (!b || a.propertyCount > b.propertyCount) return a;
  if (b.propertyCount > a.propertyCount) return b;
  return a.index <= b.index ? a : b;
}

/** DevTools' applyInterfaceDefinitions: the best definition each plain object matches names it. */
function applyInterfaces(s: ParsedSnapshot, t: TypeIndexes, definitions: InterfaceDefinition[], classIndex: Uint32Array, addString: (str: string) => number): void {
  const tree: TreeNode = { next: new Map(), match: null, greatestNext: null };
  definitions.forEach((def, index) => {
    let current = tree;
    for (const prop of [...def.properties].sort()) {
      let next = current.next.get(prop);
      if (!next) {
        next = { next: new Map(), match: null, greatestNext: null };
        current.next.set(prop, next);
        if (current.greatestNext === null || current.greatestNext < prop) current.greatestNext = prop;
      }
      current = next;
    }
    current.match ??= { name: def.name, propertyCount: def.properties.length, index };
  });
  const initial: Match = { name: 'Object', propertyCount: 0, index: Infinity };
  const nameIndexes = new Map<string, number>();
  const { nodeCount, nodeType, nodeName, firstEdge, edgeType, edgeName, strings } = s;
  const objectNames = objectNameIndexes(s);
  for (let node = 0; node < nodeCount; node++) {
    if (nodeType[node] !== t.object || !objectNames.has(nodeName[node]!)) continue;
    const props: string[] = [];
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) if (edgeType[e] === t.property) props.push(strings[edgeName[e]!]!);
    props.sort();
    const states = new Set<TreeNode>([tree]);
    let match = better(initial, tree.match);
    for (const prop of props) {
      for (const state of Array.from(states)) {
        if (state.greatestNext === null || prop >= state.greatestNext) states.delete(state);
        const next = state.next.get(prop);
        if (next) {
          states.add(next);
          match = better(match, next.match);
        }
      }
    }
    if (match === initial) {
      classIndex[node] = nodeName[node]!;
      continue;
    }
    let index = nameIndexes.get(match.name);
    if (index === undefined) {
      index = addString(match.name);
      nameIndexes.set(match.name, index);
    }
    classIndex[node] = index;
  }
}

/** Class ids, keys and names for every node. `interfaces` defaults to the ones this snapshot suggests. */
export function classify(s: ParsedSnapshot, t: TypeIndexes, interfaces?: InterfaceDefinition[]): ClassTable {
  const { nodeCount, nodeType, nodeName, strings } = s;
  const added = new Map<string, number>();
  const addString = (str: string) => {
    let i = added.get(str);
    if (i === undefined) {
      i = strings.push(str) - 1;
      added.set(str, i);
    }
    return i;
  };
  const system = addString('(system)');
  const code = addString('(compiled code)');
  // DevTools calls functions `Function`, the name objects whose constructor is called Function
  // have too: two rows, one name, one key. `(closure)` (DevTools' older name) tells them apart.
  const fn = addString('(closure)');
  const regexp = addString('RegExp');
  const byType = s.meta.nodeTypes.map((type) => addString(`(${type})`));
  // DOM-like names `<div id="a">` group as `<div>`.
  const shortNames = new Map<number, number>();
  const classIndex = new Uint32Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) {
    const type = nodeType[node]!;
    let index: number;
    if (type === t.hidden) index = system;
    else if (type === t.object || type === t.native) {
      index = nodeName[node]!;
      const raw = strings[index]!;
      if (raw.charCodeAt(0) === 0x3c || raw.startsWith('Detached <')) {
        let short = shortNames.get(index);
        if (short === undefined) {
          const space = raw.indexOf(' ', raw.startsWith('<') ? 0 : 10);
          short = addString(space === -1 ? raw : raw.substring(0, space) + '>');
          shortNames.set(index, short);
        }
        index = short;
      }
    } else if (type === t.code) index = code;
    else if (type === t.closure) index = fn;
    else if (type === t.regexp) index = regexp;
    else index = byType[type]!;
    classIndex[node] = index;
  }
  const defs = interfaces ?? inferInterfaces(s, t);
  applyInterfaces(s, t, defs, classIndex, addString);

  // Objects whose constructor has a location are split by location, as DevTools does.
  const locationOf = new Int32Array(nodeCount).fill(-1);
  const locs = s.locations;
  for (let i = 0; i < locs.length; i += 4) locationOf[locs[i]!] = i;
  const classOf = new Uint32Array(nodeCount);
  const keys: string[] = [];
  const names: string[] = [];
  const byIndex = new Map<number, number>();
  const byKey = new Map<string, number>();
  for (let node = 0; node < nodeCount; node++) {
    const index = classIndex[node]!;
    const loc = nodeType[node] === t.object ? locationOf[node]! : -1;
    let id: number | undefined;
    if (loc === -1) {
      id = byIndex.get(index);
      if (id === undefined) {
        id = keys.push(',' + strings[index]) - 1;
        names.push(strings[index]!);
        byIndex.set(index, id);
      }
    } else {
      const key = `${locs[loc + 1]},${locs[loc + 2]},${locs[loc + 3]},${strings[index]}`;
      id = byKey.get(key);
      if (id === undefined) {
        id = keys.push(key) - 1;
        names.push(strings[index]!);
        byKey.set(key, id);
      }
    }
    classOf[node] = id;
  }
  return { classOf, keys, names, interfaces: defs };
}

export interface ClassAggregates {
  count: Float64Array;
  shallow: Float64Array;
  retained: Float64Array;
}

/**
 * Count and shallow size per class over nodes with a size, and retained size per class: a walk of
 * the dominator tree that adds an object's retained size unless an object of the same class
 * dominates it (DevTools' calculateClassesRetainedSize). `filter` limits both to some nodes.
 */
export function aggregate(
  s: ParsedSnapshot,
  classes: ClassTable,
  retained: Float64Array,
  firstDominated: Uint32Array,
  dominated: Uint32Array,
  filter?: Uint8Array,
): ClassAggregates {
  const n = classes.keys.length;
  const count = new Float64Array(n);
  const shallow = new Float64Array(n);
  const classRetained = new Float64Array(n);
  const { selfSize, nodeCount } = s;
  const { classOf } = classes;
  for (let node = 0; node < nodeCount; node++) {
    const size = selfSize[node]!;
    if (!size || (filter && !filter[node])) continue;
    const c = classOf[node]!;
    count[c]!++;
    shallow[c]! += size;
  }
  const seen = new Uint8Array(n);
  const list = new Uint32Array(nodeCount);
  let length = 0;
  list[length++] = s.meta.rootOrdinal;
  // Stack of (list length when a class was marked seen, that class).
  const marks: number[] = [-1];
  const marked: number[] = [];
  while (length) {
    const node = list[--length]!;
    const c = classOf[node]!;
    const from = firstDominated[node]!;
    const to = firstDominated[node + 1]!;
    if (!seen[c] && (!filter || filter[node]) && selfSize[node]) {
      classRetained[c]! += retained[node]!;
      if (from !== to) {
        seen[c] = 1;
        marks.push(length);
        marked.push(c);
      }
    }
    for (let i = from; i < to; i++) list[length++] = dominated[i]!;
    while (marks[marks.length - 1] === length) {
      marks.pop();
      seen[marked.pop()!] = 0;
    }
  }
  return { count, shallow, retained: classRetained };
}
