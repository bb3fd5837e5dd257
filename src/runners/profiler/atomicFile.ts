/**
 * A file written piece by piece and published atomically: data goes to a temp file next to the
 * destination, and only `commit()` (fsync + rename) makes it visible under its name. A capture
 * cut short calls `keepPartial()` instead, which keeps the bytes under `<name>.partial`, so an
 * incomplete snapshot is never mistaken for a whole one.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/runStore';

export class AtomicFileWriter {
  private readonly stream: WriteStream;
  private readonly tmp: string;
  private failure: Error | undefined;
  private finished = false;
  bytes = 0;

  /** Creates the folder when needed and opens the temp file. */
  static async create(file: string): Promise<AtomicFileWriter> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    return new AtomicFileWriter(file);
  }

  private constructor(readonly file: string) {
    this.tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    this.stream = createWriteStream(this.tmp);
    this.stream.on('error', (err) => (this.failure ??= err));
  }

  /** Resolves once the stream can take more (backpressure): await it before the next write. */
  write(chunk: string | Uint8Array): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (this.stream.write(chunk)) return undefined;
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.stream.off('error', onError);
        resolve();
      };
      const onError = (err: Error) => {
        this.stream.off('drain', onDrain);
        reject(err);
      };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }

  /** Flushes, fsyncs and renames onto the destination. */
  async commit(): Promise<string> {
    await this.close();
    await fs.rename(this.tmp, this.file);
    return this.file;
  }

  /** Keeps what was written as `<file>.partial`; returns that path (undefined when nothing was written). */
  async keepPartial(): Promise<string | undefined> {
    try {
      await this.close();
    } catch {
      // Keep whatever reached the disk.
    }
    if (this.bytes === 0) {
      await fs.rm(this.tmp, { force: true });
      return undefined;
    }
    const partial = `${this.file}.partial`;
    await fs.rename(this.tmp, partial);
    return partial;
  }

  /** Drops the temp file. */
  async discard(): Promise<void> {
    try {
      await this.close();
    } catch {
      // Removing it anyway.
    }
    await fs.rm(this.tmp, { force: true });
  }

  private async close(): Promise<void> {
    if (this.finished) {
      if (this.failure) throw this.failure;
      return;
    }
    this.finished = true;
    await new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
    const handle = await fs.open(this.tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** Writes a whole value atomically (temp file + fsync + rename), creating the folder. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(value));
  return file;
}
