/**
 * The analysis worker (bundled as dist/analysisWorker.js): parses and analyses profiles and
 * snapshots off the caller's thread and answers with plain data.
 */
import { parentPort } from 'node:worker_threads';
import { analyzeCpu } from './cpu/cpuProfile';
import { validateCpuProfile } from './cpu/validate';
import { AnalysisError, serializeError } from './errors';
import { analyzeHeapProfileData, heapProfileUrls, validateHeapProfile } from './heapProfile';
import { throttledProgress } from './progress';
import type { WorkerReply, WorkerRequest } from './protocol';
import { CPU_PROFILE_FORMAT, HEAP_PROFILE_FORMAT } from './profileShapes';
import { readJsonProfile } from './readJson';
import { diffSnapshotFiles, leakReportFiles } from './snapshot/compare';
import { HeapSnapshot } from './snapshot/heapSnapshot';
import { SourceMapper } from './sourceMaps';

let kept: HeapSnapshot | undefined;

async function handle(req: WorkerRequest, post: (reply: WorkerReply) => void): Promise<unknown> {
  const progress = throttledProgress((p) => post({ id: req.id, type: 'progress', progress: p }));
  switch (req.op) {
    case 'cpu': {
      const json = await readJsonProfile(req.file, CPU_PROFILE_FORMAT, progress);
      const profile = validateCpuProfile(req.file, json);
      let mapper: SourceMapper | undefined;
      if (req.sourceMaps) {
        mapper = new SourceMapper();
        await mapper.prepare(profile.nodes.map((n) => n.callFrame.url).filter(Boolean));
      }
      return analyzeCpu(req.file, profile, mapper, req.top);
    }
    case 'heapProfile': {
      const json = await readJsonProfile(req.file, HEAP_PROFILE_FORMAT, progress);
      const { head, sampleCount } = validateHeapProfile(req.file, json);
      let mapper: SourceMapper | undefined;
      if (req.sourceMaps) {
        mapper = new SourceMapper();
        await mapper.prepare(heapProfileUrls(head));
      }
      return analyzeHeapProfileData(req.file, head, sampleCount, mapper, req.top);
    }
    case 'snapshot': {
      kept = undefined;
      const snap = await HeapSnapshot.load(req.file, progress);
      if (req.keep) kept = snap;
      return snap.analysis(req.top);
    }
    case 'retainerPath':
      if (!kept) throw new AnalysisError('no snapshot is open in this worker', 'internal');
      return kept.retainerPath(req.query);
    case 'diff':
      return diffSnapshotFiles(req.before, req.after, progress, req.top);
    case 'leaks':
      return leakReportFiles(req.baseline, req.target, req.final, req, progress);
  }
}

const port = parentPort;
if (port) {
  const post = (reply: WorkerReply) => port.postMessage(reply);
  port.on('message', (req: WorkerRequest) => {
    handle(req, post).then(
      (value) => post({ id: req.id, type: 'result', value }),
      (err: unknown) => post({ id: req.id, type: 'error', error: serializeError(err) }),
    );
  });
}
