import { open, readFile } from 'node:fs/promises';
import { constants } from 'node:buffer';
import { badFile, ioError } from './errors';
import { JsonScanner } from './jsonError';
import type { JsonFormat } from './profileShapes';
import type { Progress } from './progress';
import { KIND_LABEL, sniffFile } from './sniff';

/** Profiles are parsed whole, as one string: past this a file is no profile V8 wrote. */
const MAX_PROFILE_BYTES = Math.min(512 << 20, constants.MAX_STRING_LENGTH);
const CHUNK = 4 << 20;

/**
 * Reads a JSON profile of the given kind. Files that are obviously something else are refused
 * from their first bytes; then the file streams through a check of its JSON and its structure
 * (`shape`), which stops at the first byte that is wrong. Only a file that passes is parsed, so
 * what JSON.parse builds stays within a small multiple of the file's size.
 */
export async function readJsonProfile(file: string, format: JsonFormat, progress?: Progress): Promise<unknown> {
  const { kind: want, label } = format;
  const { size, kind } = await sniffFile(file);
  if (kind === 'empty') throw badFile(file, 'empty file (0 bytes); the profile was not written');
  if (kind === 'heapsnapshot' || kind === 'cpuprofile' || kind === 'heapprofile') {
    if (kind !== want) throw badFile(file, `is ${KIND_LABEL[kind]}, not ${label}`);
  } else if (kind !== 'json') {
    throw badFile(file, `is ${KIND_LABEL[kind]}, not ${label}`);
  }
  if (size > MAX_PROFILE_BYTES) throw badFile(file, `is ${(size / 2 ** 20).toFixed(0)} MB, too large for ${label} (at most ${MAX_PROFILE_BYTES >> 20} MB)`);

  // First the check, through one small buffer: a bad file costs no more memory than that.
  const scanner = new JsonScanner(format.shape, format.name);
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, size)));
  let read = 0;
  let handle;
  try {
    handle = await open(file, 'r');
    while (read < size) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - read), read);
      if (bytesRead === 0) break;
      scanner.write(chunk.subarray(0, bytesRead));
      read += bytesRead;
      progress?.((read / size) * 0.5, 'checking');
    }
  } catch (err) {
    throw ioError(file, err);
  } finally {
    await handle?.close();
  }
  const problem = scanner.end();
  if (problem !== undefined) throw badFile(file, problem);
  let text: string;
  try {
    const buf = await readFile(file);
    // A byte-order mark is fine in a file, not in JSON.parse. The buffer is dropped before parsing.
    text = buf.toString('utf8', buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0);
  } catch (err) {
    throw ioError(file, err);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badFile(file, 'changed while it was read; analyze it again once it is written');
  }
}
