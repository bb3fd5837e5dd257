/**
 * A minimal HTTP/1.1 response parser for the open-model generator: status, `Content-Length`,
 * chunked bodies, `Connection: close`, bodies delimited by the connection closing, 1xx interim
 * responses. It only keeps the body when an expect check needs it.
 */

const CRLF = 0x0a;
const MAX_HEAD_BYTES = 64 * 1024;
/** Enough to check `bodyContains` on any reasonable API response. */
const MAX_BODY_BYTES = 1024 * 1024;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

/** A parsed response. */
export interface ParsedResponse {
  status: number;
  /** False when the server asked to close (or spoke HTTP/1.0 without keep-alive). */
  keepAlive: boolean;
  /** Only when the parser was told to keep it. */
  body?: string;
}

export class ResponseParser {
  private state = State.Done;
  private head: Buffer | undefined;
  private remaining = 0;
  private status = 0;
  private keepAlive = true;
  private noBody = false;
  private keepBody = false;
  private bodyParts: Buffer[] = [];
  private bodyBytes = 0;
  /** Bytes that arrived after the end of the response. */
  leftover: Buffer | undefined;

  /** Prepares for the next response. `noBody` for HEAD requests; `keepBody` to read the body. */
  expect(noBody: boolean, keepBody: boolean): void {
    this.state = State.Head;
    this.head = undefined;
    this.noBody = noBody;
    this.keepBody = keepBody;
    this.bodyParts = [];
    this.bodyBytes = 0;
    this.status = 0;
    this.keepAlive = true;
    this.leftover = undefined;
  }

  /** True while a response is expected and not complete. */
  get busy(): boolean {
    return this.state !== State.Done;
  }

  /** True when the body runs until the connection closes, so a close completes the response. */
  get endsAtClose(): boolean {
    return this.state === State.UntilClose;
  }

  /**
   * Feeds bytes; returns the response once complete (extra bytes go to {@link leftover}).
   * Throws on a malformed response.
   */
  execute(chunk: Buffer): ParsedResponse | undefined {
    if (this.state === State.Done) {
      this.leftover = this.leftover ? Buffer.concat([this.leftover, chunk]) : chunk;
      return undefined;
    }
    let pos = 0;
    while (pos < chunk.length) {
      switch (this.state) {
        case State.Head: {
          pos = this.readHead(chunk, pos);
          break;
        }
        case State.Length: {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.keep(chunk, pos, pos + n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = State.Done;
          break;
        }
        case State.ChunkSize:
        case State.ChunkDataEnd:
        case State.Trailers: {
          const eol = chunk.indexOf(CRLF, pos);
          const end = eol < 0 ? chunk.length : eol + 1;
          this.head = this.head ? Buffer.concat([this.head, chunk.subarray(pos, end)]) : chunk.subarray(pos, end);
          pos = end;
          if (eol < 0) {
            if (this.head.length > MAX_HEAD_BYTES) throw new Error('chunked response line too long');
            break;
          }
          const line = this.head.toString('latin1').trim();
          this.head = undefined;
          this.lineDone(line);
          break;
        }
        case State.ChunkData: {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.keep(chunk, pos, pos + n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = State.ChunkDataEnd;
          break;
        }
        case State.UntilClose: {
          this.keep(chunk, pos, chunk.length);
          pos = chunk.length;
          break;
        }
      }
      if (this.state === State.Done) {
        if (pos < chunk.length) this.leftover = chunk.subarray(pos);
        return this.result();
      }
    }
    return undefined;
  }

  /** The connection closed: completes a body that runs until close, else returns undefined. */
  close(): ParsedResponse | undefined {
    if (this.state !== State.UntilClose) return undefined;
    this.state = State.Done;
    return this.result();
  }

  private result(): ParsedResponse {
    const out: ParsedResponse = { status: this.status, keepAlive: this.keepAlive };
    if (this.keepBody) out.body = Buffer.concat(this.bodyParts).toString('utf8');
    this.bodyParts = [];
    return out;
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    if (!this.keepBody || this.bodyBytes >= MAX_BODY_BYTES || to <= from) return;
    const slice = chunk.subarray(from, Math.min(to, from + MAX_BODY_BYTES - this.bodyBytes));
    this.bodyParts.push(slice);
    this.bodyBytes += slice.length;
  }

  /** Reads header bytes from `pos`; returns the position after what it consumed. */
  private readHead(chunk: Buffer, pos: number): number {
    let buf: Buffer;
    let base: number;
    if (this.head) {
      buf = Buffer.concat([this.head, chunk.subarray(pos)]);
      base = this.head.length;
    } else {
      buf = pos ? chunk.subarray(pos) : chunk;
      base = 0;
    }
    const end = buf.indexOf('\r\n\r\n', Math.max(0, base - 3), 'latin1');
    if (end < 0) {
      if (buf.length > MAX_HEAD_BYTES) throw new Error('response head too large');
      this.head = buf;
      return chunk.length;
    }
    this.head = undefined;
    this.parseHead(buf.toString('latin1', 0, end));
    return pos + (end + 4 - base);
  }

  private parseHead(text: string): void {
    const lines = text.split('\r\n');
    const statusLine = lines[0]!;
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(statusLine);
    if (!m) throw new Error(`not an HTTP/1.x response: ${JSON.stringify(statusLine.slice(0, 40))}`);
    const status = Number(m[2]);
    let keepAlive = m[1] === '1';
    let length = -1;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (name === 'content-length') length = Number(line.slice(colon + 1).trim());
      else if (name === 'transfer-encoding') chunked = /\bchunked\b/i.test(line.slice(colon + 1));
      else if (name === 'connection') {
        const v = line.slice(colon + 1).toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      }
    }
    // 1xx (except 101) is an interim response: the real one follows.
    if (status >= 100 && status < 200 && status !== 101) {
      this.state = State.Head;
      return;
    }
    this.status = status;
    this.keepAlive = keepAlive;
    if (this.noBody || status === 204 || status === 304) this.state = State.Done;
    else if (chunked) this.state = State.ChunkSize;
    else if (length >= 0) {
      if (!Number.isSafeInteger(length)) throw new Error('invalid Content-Length');
      this.remaining = length;
      this.state = length === 0 ? State.Done : State.Length;
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
  }

  private lineDone(line: string): void {
    if (this.state === State.ChunkSize) {
      const size = parseInt(line, 16);
      if (!Number.isFinite(size) || size < 0) throw new Error(`invalid chunk size ${JSON.stringify(line.slice(0, 20))}`);
      if (size === 0) this.state = State.Trailers;
      else {
        this.remaining = size;
        this.state = State.ChunkData;
      }
    } else if (this.state === State.ChunkDataEnd) {
      if (line !== '') throw new Error('missing CRLF after chunk data');
      this.state = State.ChunkSize;
    } else if (line === '') {
      this.state = State.Done; // end of trailers
    }
  }
}
