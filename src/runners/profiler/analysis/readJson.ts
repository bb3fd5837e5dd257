import { readFile } from 'node:fs/promises';
import { badFile, ioError } from './errors';
import { explainJsonError } from './jsonError';
import { type ContentKind, KIND_LABEL, sniffFile } from './sniff';

/** Profiles are read whole; past this a file is no profile V8 wrote. */
const MAX_PROFILE_BYTES = 512 << 20;

/**
 * Reads a JSON profile of the given kind: refuses files that are obviously something else from
 * their first bytes, then explains parse failures by byte position.
 */
export async function readJsonProfile(file: string, want: ContentKind, label: string): Promise<unknown> {
  const { size, kind } = await sniffFile(file);
  if (kind === 'empty') throw badFile(file, 'empty file (0 bytes); the profile was not written');
  if (kind === 'heapsnapshot' || kind === 'cpuprofile' || kind === 'heapprofile') {
    if (kind !== want) throw badFile(file, `is ${KIND_LABEL[kind]}, not ${label}`);
  } else if (kind !== 'json') {
    throw badFile(file, `is ${KIND_LABEL[kind]}, not ${label}`);
  }
  if (size > MAX_PROFILE_BYTES) throw badFile(file, `is ${(size / 2 ** 20).toFixed(0)} MB, too large for ${label}`);
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw ioError(file, err);
  }
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw badFile(file, explainJsonError(buf) ?? 'is not valid JSON');
  }
}
