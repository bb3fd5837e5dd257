/** What a file holds, judged from its first bytes, so a wrong file is refused before it is read whole. */
import { type FileHandle, open } from 'node:fs/promises';
import { ioError } from './errors';

export type ContentKind = 'heapsnapshot' | 'cpuprofile' | 'heapprofile' | 'json' | 'json-array' | 'empty' | 'gzip' | 'binary' | 'text';

export const KIND_LABEL: Record<ContentKind, string> = {
  heapsnapshot: 'a heap snapshot (.heapsnapshot)',
  cpuprofile: 'a CPU profile (.cpuprofile)',
  heapprofile: 'a heap sampling profile (.heapprofile)',
  json: 'JSON of another kind',
  'json-array': 'a JSON array',
  empty: 'empty (0 bytes)',
  gzip: 'gzip-compressed (decompress it first)',
  binary: 'binary data',
  text: 'text, not JSON',
};

export function sniffContent(head: Uint8Array): ContentKind {
  if (head.length === 0) return 'empty';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  let text = Buffer.from(head).toString('latin1');
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  const body = text.trimStart();
  if (!body) return 'text';
  let control = 0;
  for (let i = 0; i < head.length; i++) if (head[i]! < 0x09 || (head[i]! > 0x0d && head[i]! < 0x20)) control++;
  if (control > 0) return 'binary';
  if (body.startsWith('[')) return 'json-array';
  if (!body.startsWith('{')) return 'text';
  const key = /^\{\s*"([^"]*)"\s*:\s*(.)/.exec(body);
  if (!key) return 'json';
  const [, name, next] = key;
  if (name === 'snapshot') return 'heapsnapshot';
  if (name === 'head') return 'heapprofile';
  if (name === 'nodes' && next === '[' && /^\{\s*"nodes"\s*:\s*\[\s*(\]|\{)/.test(body)) return 'cpuprofile';
  if (name === 'startTime' || name === 'endTime' || name === 'timeDeltas') return 'cpuprofile';
  if (name === 'profile' && /^\{\s*"profile"\s*:\s*\{\s*"nodes"/.test(body)) return 'cpuprofile';
  return 'json';
}

/**
 * Opens `file` for reading: its handle and size, or an AnalysisError saying in one line why it
 * cannot be read (missing, not allowed, a folder). The caller closes the handle.
 */
export async function openForReading(file: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw ioError(file, err);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    return { handle, size: stat.size };
  } catch (err) {
    await handle.close();
    throw ioError(file, err);
  }
}

/** Size and content kind of `file`, reading only its first bytes. */
export async function sniffFile(file: string): Promise<{ size: number; kind: ContentKind }> {
  const { handle, size } = await openForReading(file);
  try {
    const head = Buffer.alloc(Math.min(512, size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { size, kind: sniffContent(head.subarray(0, bytesRead)) };
  } catch (err) {
    throw ioError(file, err);
  } finally {
    await handle.close();
  }
}
