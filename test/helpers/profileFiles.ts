// Profiles and snapshots written to order: valid files whose every byte costs the analysis as
// much memory as the format allows (the smallest nodes, samples and strings), for the memory bound.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';

const CALL_FRAME = '{"functionName":"","url":"","lineNumber":0,"columnNumber":0}';

/** Writes `parts()` to `file` in large pieces. */
function stream(file: string, parts: (write: (s: string) => void) => void): string {
  const fd = openSync(file, 'w');
  let pending = '';
  const write = (s: string) => {
    pending += s;
    if (pending.length > 1 << 20) {
      writeSync(fd, pending);
      pending = '';
    }
  };
  try {
    parts(write);
    writeSync(fd, pending);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** The shapes of worst case, by name; each writes about `bytes` bytes into `dir`. */
export const WORST_CASES: Record<string, (dir: string, bytes: number) => string> = {
  /** One node and millions of one-character samples, out of order (the sorting path). */
  'cpu-samples': (dir, bytes) => {
    const n = Math.floor(bytes / 5);
    return stream(path.join(dir, 'samples.cpuprofile'), (w) => {
      w(`{"nodes":[{"id":1,"callFrame":${CALL_FRAME}}],"startTime":0,"endTime":${2 * n},"samples":[1`);
      for (let i = 1; i < n; i++) w(',1');
      w('],"timeDeltas":[2');
      for (let i = 1; i < n; i++) w(i % 2 ? ',-1' : ',3');
      w(']}');
    });
  },
  /** Millions of the smallest nodes a CPU profile can have, all children of the root. */
  'cpu-nodes': (dir, bytes) => {
    const n = Math.floor(bytes / 100);
    return stream(path.join(dir, 'nodes.cpuprofile'), (w) => {
      w(`{"nodes":[{"id":1,"callFrame":${CALL_FRAME},"children":[`);
      for (let i = 2; i <= n; i++) w(`${i > 2 ? ',' : ''}${i}`);
      w(']}');
      for (let i = 2; i <= n; i++) w(`,{"id":${i},"callFrame":{"functionName":"f${i}","url":"","lineNumber":0,"columnNumber":0}}`);
      w('],"startTime":0,"endTime":1000,"samples":[],"timeDeltas":[]}');
    });
  },
  /** A heap sampling profile whose root has a huge number of children. */
  'heap-nodes': (dir, bytes) => {
    const n = Math.floor(bytes / 100);
    return stream(path.join(dir, 'nodes.heapprofile'), (w) => {
      w(`{"head":{"callFrame":${CALL_FRAME},"selfSize":0,"id":1,"children":[`);
      for (let i = 2; i <= n; i++) w(`${i > 2 ? ',' : ''}{"callFrame":{"functionName":"f${i}","url":"","lineNumber":0,"columnNumber":0},"selfSize":1,"id":${i}}`);
      w(']},"samples":[]}');
    });
  },
  /** A heap sampling profile with millions of the smallest samples. */
  'heap-samples': (dir, bytes) => {
    const n = Math.floor(bytes / 22);
    return stream(path.join(dir, 'samples.heapprofile'), (w) => {
      w(`{"head":{"callFrame":${CALL_FRAME},"selfSize":0,"id":1,"children":[]},"samples":[`);
      for (let i = 0; i < n; i++) w(`${i ? ',' : ''}{"size":1,"nodeId":1}`);
      w(']}');
    });
  },
  /** A heap snapshot of short strings. */
  'snapshot-strings': (dir, bytes) => {
    const n = Math.floor(bytes / 6);
    return stream(path.join(dir, 'strings.heapsnapshot'), (w) => {
      w(`${snapshotHeader(1, 0)},"nodes":[9,0,1,0,0,0,0],"edges":[],"strings":[""`);
      for (let i = 0; i < n; i++) w(`,"${i % 1000}"`);
      w(']}');
    });
  },
  /** A heap snapshot of many small objects, each held by the root. */
  'snapshot-nodes': (dir, bytes) => {
    const n = Math.floor(bytes / 30);
    return stream(path.join(dir, 'nodes.heapsnapshot'), (w) => {
      w(`${snapshotHeader(n + 1, n)},"nodes":[9,0,1,0,${n},0,0`);
      for (let i = 0; i < n; i++) w(`,3,0,${2 * i + 3},1,0,0,0`);
      w('],"edges":[');
      for (let i = 0; i < n; i++) w(`${i ? ',' : ''}1,${i},${(i + 1) * 7}`);
      w('],"strings":[""]}');
    });
  },
};

/** `{"snapshot":{…}` (unclosed) with the tiny fixture's meta and these counts. */
function snapshotHeader(nodes: number, edges: number): string {
  const { meta } = JSON.parse(readFileSync(path.resolve('test/fixtures/analysis/tiny.heapsnapshot'), 'utf8')).snapshot;
  return JSON.stringify({ snapshot: { meta, node_count: nodes, edge_count: edges } }).slice(0, -1);
}
