import { ioError } from '../errors';
import type { Progress } from '../progress';
import type { ParsedSnapshot } from './model';
import { openForReading } from '../sniff';
import { type ParseOptions, SnapshotParser } from './parser';

const CHUNK = 4 << 20;

/**
 * Streams `file` through the parser. `share` is the part of the overall progress that parsing
 * takes (it reports `fraction * share`).
 */
export async function readSnapshot(file: string, opts: ParseOptions = {}, progress?: Progress, share = 1): Promise<ParsedSnapshot> {
  const { handle, size } = await openForReading(file);
  try {
    const parser = new SnapshotParser(file, size, opts);
    const buffer = Buffer.allocUnsafe(CHUNK);
    let read = 0;
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(buffer, 0, CHUNK, null));
      } catch (err) {
        throw ioError(file, err);
      }
      if (n === 0) break;
      parser.write(buffer.subarray(0, n));
      read += n;
      progress?.((read / Math.max(1, size)) * share, 'parsing');
    }
    return parser.end();
  } finally {
    await handle.close();
  }
}
