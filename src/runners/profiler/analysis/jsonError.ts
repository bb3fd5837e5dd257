/**
 * Checks JSON as it streams, chunk by chunk, holding only the current nesting: the byte where a
 * file stops being JSON, or where it ends too early and what was expected there. Given a
 * {@link Shape}, it also checks that the JSON has the structure of a profile (which keys hold
 * lists, objects or numbers, which keys an object must have), so a malformed 300 MB file is
 * refused at its first wrong byte instead of being parsed into gigabytes of objects. It accepts
 * exactly what JSON.parse accepts.
 */

/** The structure a JSON value must have. */
export interface Shape {
  /** What belongs there, for messages: `a node object`. */
  what: string;
  type: 'any' | 'scalar' | 'number' | 'string' | 'array' | 'object';
  /** Array: the shape of every item. */
  items?: Shape;
  /** Object: the shapes of known keys (looked up as own keys only). */
  keys?: Readonly<Record<string, Shape>>;
  /** Object: the shape of any other key's value; without it, other keys are refused. */
  other?: Shape;
  /** Object: keys it must have; a missing one is reported as `nodes[2].callFrame is missing`. */
  required?: readonly string[];
  /** Values here are not part of the format: together they may take at most {@link MAX_EXTRA_BYTES}. */
  extra?: boolean;
}

/** JSON of any structure, as the default shape. */
export const ANY: Shape = { what: 'a value', type: 'any' };

/** Bytes a profile may hold outside its format (metadata a tool added), in all. */
export const MAX_EXTRA_BYTES = 1 << 20;
/** Nesting inside values outside the format. */
const MAX_EXTRA_DEPTH = 64;

const enum S {
  Value,
  KeyOrEnd,
  Key,
  Colon,
  After,
  ValueOrEnd,
  End,
}

/** Token states that may span chunks. */
const enum T {
  None,
  String,
  Number,
  Literal,
}

/** Number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
const enum N {
  Sign,
  Zero,
  Int,
  Dot,
  Frac,
  E,
  ESign,
  Exp,
}

interface Frame {
  array: boolean;
  shape: Shape;
  /** The current key (objects), for messages and shape lookup. */
  key: string | undefined;
  /** Items so far (arrays), for paths such as `nodes[2]`. */
  index: number;
  /** Required keys seen so far. */
  seen: Set<string> | undefined;
}

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const MAX_KEY_BYTES = 256;

function describe(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** An error found while scanning; `message` says where and what. */
class ScanError extends Error {}

/**
 * Feed it with `write`, then call `end`: undefined when the input was valid JSON of the shape,
 * else one line saying what is wrong (`invalid JSON at byte 9: …`, `truncated: …`).
 * `label` names the format in structure messages (`invalid CPU profile at byte 10: …`).
 */
export class JsonScanner {
  private readonly stack: Frame[] = [];
  private state = S.Value;
  private token = T.None;
  private base = 0;
  private error: string | undefined;
  // Strings.
  private escape = false;
  private hex = 0;
  private isKey = false;
  private keyBytes: number[] = [];
  // Numbers and literals.
  private num = N.Sign;
  private word = '';
  private wordAt = 0;
  // Values outside the format: the nesting level where the current one started (-1: none).
  private extraLevel = -1;
  private extraFrom = 0;
  private extraBytes = 0;

  constructor(
    private readonly shape: Shape = ANY,
    private readonly label = 'JSON',
  ) {}

  /** Scans the next chunk; stops at the first error (later chunks are ignored). */
  write(buf: Uint8Array): void {
    if (this.error !== undefined) return;
    try {
      this.scan(buf);
    } catch (err) {
      if (!(err instanceof ScanError)) throw err;
      this.error = err.message;
    }
    this.base += buf.length;
  }

  /** The first error, or what the input lacks at its end; undefined when it was complete and valid. */
  end(): string | undefined {
    if (this.error !== undefined) return this.error;
    if (this.token === T.Number && this.num !== N.Sign && this.num !== N.Dot && this.num !== N.E && this.num !== N.ESign) {
      this.token = T.None;
      this.valueDone(this.base);
    }
    if (this.token === T.None && this.state === S.End) return undefined;
    if (this.base === 0) return 'empty file (0 bytes)';
    const what = this.token === T.String ? (this.isKey ? 'the end of a key' : 'the end of a string')
      : this.token === T.Number ? 'the rest of a number'
        : this.token === T.Literal ? `the rest of "${this.word}"`
          : this.expected();
    return `truncated: ends at byte ${this.base}, expected ${what}${this.where()}`;
  }

  private where(): string {
    for (let k = this.stack.length - 1; k >= 0; k--) {
      const key = this.stack[k]!.key;
      if (key !== undefined) return ` in "${key.length > 60 ? `${key.slice(0, 60)}…` : key}"`;
    }
    return '';
  }

  private expected(): string {
    const top = this.stack[this.stack.length - 1];
    switch (this.state) {
      case S.Value: return 'a value';
      case S.ValueOrEnd: return "a value or ']'";
      case S.KeyOrEnd: return "a key or '}'";
      case S.Key: return 'a key';
      case S.Colon: return "':'";
      case S.After: return top ? (top.array ? "',' or ']'" : "',' or '}'") : 'the end of the file';
      default: return 'the end of the file';
    }
  }

  private bad(at: number, what?: string, wanted?: string): never {
    throw new ScanError(`invalid JSON at byte ${at}: ${what ?? 'unexpected byte'}${this.where()}, expected ${wanted ?? this.expected()}`);
  }

  private unexpected(c: number, at: number): never {
    this.bad(at, `unexpected ${describe(c)}`);
  }

  /** A value that is JSON but not where the format has it. */
  private misplaced(c: number, at: number, slot: Shape): never {
    throw new ScanError(`invalid ${this.label} at byte ${at}: unexpected ${describe(c)}${this.where()}, expected ${slot.what}`);
  }

  /** The shape of the value about to start. */
  private slot(): Shape {
    const top = this.stack[this.stack.length - 1];
    if (!top) return this.shape;
    if (top.shape.type === 'any') return top.shape;
    if (top.array) return top.shape.items ?? ANY;
    const key = top.key!;
    const keys = top.shape.keys;
    if (keys && Object.hasOwn(keys, key)) return keys[key]!;
    return top.shape.other ?? ANY;
  }

  private scan(buf: Uint8Array): void {
    const len = buf.length;
    let i = 0;
    if (this.base === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    while (i < len) {
      if (this.token === T.String) {
        i = this.stringBody(buf, i);
        continue;
      }
      if (this.token === T.Number) {
        i = this.numberBody(buf, i);
        continue;
      }
      if (this.token === T.Literal) {
        i = this.literalBody(buf, i);
        continue;
      }
      const c = buf[i]!;
      const at = this.base + i;
      if (WS(c)) {
        i++;
        continue;
      }
      switch (this.state) {
        case S.End:
          return this.bad(at, `unexpected ${describe(c)} after the end of the JSON value`);
        case S.Colon:
          if (c !== 0x3a) this.unexpected(c, at);
          this.state = S.Value;
          break;
        case S.After: {
          const top = this.stack[this.stack.length - 1]!;
          if (c === 0x2c) {
            this.state = top.array ? S.Value : S.Key;
            if (top.array) top.index++;
          } else if (c === (top.array ? 0x5d : 0x7d)) this.close(at);
          else this.unexpected(c, at);
          break;
        }
        case S.Key:
        case S.KeyOrEnd:
          if (c === 0x7d && this.state === S.KeyOrEnd) this.close(at);
          else if (c !== 0x22) this.unexpected(c, at);
          else this.startString(true);
          break;
        default:
          if (c === 0x5d && this.state === S.ValueOrEnd) this.close(at);
          else this.startValue(c, at);
      }
      i++;
    }
    if (this.extraLevel >= 0 && this.extraBytes + (this.base + len - this.extraFrom) > MAX_EXTRA_BYTES) this.tooMuchExtra(this.base + len);
  }

  private startValue(c: number, at: number): void {
    const slot = this.slot();
    if (slot.extra && this.extraLevel < 0) {
      this.extraLevel = this.stack.length;
      this.extraFrom = at;
    }
    if (c === 0x7b || c === 0x5b) {
      const array = c === 0x5b;
      if (slot.type !== 'any' && slot.type !== (array ? 'array' : 'object')) this.misplaced(c, at, slot);
      if (this.extraLevel >= 0 && this.stack.length - this.extraLevel >= MAX_EXTRA_DEPTH) this.bad(at, `nested more than ${MAX_EXTRA_DEPTH} levels deep`, 'a flatter value');
      this.stack.push({ array, shape: slot, key: undefined, index: 0, seen: slot.required ? new Set() : undefined });
      this.state = array ? S.ValueOrEnd : S.KeyOrEnd;
      return;
    }
    if (c === 0x22) {
      if (slot.type === 'number' || slot.type === 'array' || slot.type === 'object') this.misplaced(c, at, slot);
      this.startString(false);
      return;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      if (slot.type === 'string' || slot.type === 'array' || slot.type === 'object') this.misplaced(c, at, slot);
      this.token = T.Number;
      this.num = c === 0x2d ? N.Sign : c === 0x30 ? N.Zero : N.Int;
      return;
    }
    const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : '';
    if (!word) this.bad(at, c === 0x4e || c === 0x49 ? 'NaN and Infinity are not JSON' : `unexpected ${describe(c)}`);
    if (slot.type !== 'any' && slot.type !== 'scalar') this.misplaced(c, at, slot);
    this.token = T.Literal;
    this.word = word;
    this.wordAt = 1;
  }

  private startString(isKey: boolean): void {
    this.token = T.String;
    this.isKey = isKey;
    this.escape = false;
    this.hex = 0;
    this.keyBytes = [];
  }

  private stringBody(buf: Uint8Array, i: number): number {
    const len = buf.length;
    for (; i < len; i++) {
      const c = buf[i]!;
      if (this.hex > 0) {
        const isHex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
        if (!isHex) this.bad(this.base + i, 'bad \\u escape in a string', 'four hex digits');
        this.hex--;
      } else if (this.escape) {
        if (c === 0x75) this.hex = 4;
        else if (!'"\\/bfnrt'.includes(String.fromCharCode(c))) this.bad(this.base + i - 1, 'bad escape in a string');
        this.escape = false;
      } else if (c === 0x5c) {
        this.escape = true;
      } else if (c === 0x22) {
        this.token = T.None;
        if (this.isKey) this.endKey();
        else this.valueDone(this.base + i + 1);
        return i + 1;
      } else if (c < 0x20) {
        this.bad(this.base + i, 'bad escape in a string');
      }
      if (this.isKey && this.keyBytes.length < MAX_KEY_BYTES) this.keyBytes.push(c);
    }
    return i;
  }

  private endKey(): void {
    const top = this.stack[this.stack.length - 1]!;
    // Escapes in keys are rare in profiles; the raw bytes name the key well enough for shapes.
    top.key = Buffer.from(this.keyBytes).toString('utf8');
    top.seen?.add(top.key);
    this.state = S.Colon;
  }

  private numberBody(buf: Uint8Array, i: number): number {
    const len = buf.length;
    for (; i < len; i++) {
      const c = buf[i]!;
      const digit = c >= 0x30 && c <= 0x39;
      switch (this.num) {
        case N.Sign:
          if (!digit) return this.badNumber(c, i);
          this.num = c === 0x30 ? N.Zero : N.Int;
          continue;
        case N.Zero:
          if (digit) return this.badNumber(c, i);
          break;
        case N.Int:
          if (digit) continue;
          break;
        case N.Dot:
          if (!digit) return this.badNumber(c, i);
          this.num = N.Frac;
          continue;
        case N.Frac:
          if (digit) continue;
          if (c === 0x2e) return this.badNumber(c, i);
          break;
        case N.E:
        case N.ESign:
          if (this.num === N.E && (c === 0x2b || c === 0x2d)) this.num = N.ESign;
          else if (!digit) return this.badNumber(c, i);
          else this.num = N.Exp;
          continue;
        case N.Exp:
          if (digit) continue;
          if (c === 0x2e || c === 0x65 || c === 0x45) return this.badNumber(c, i);
          this.token = T.None;
          this.valueDone(this.base + i);
          return i;
      }
      // After the integer part (or the fraction): a dot, an exponent, or the end of the number.
      if (c === 0x2e && (this.num === N.Zero || this.num === N.Int)) this.num = N.Dot;
      else if (c === 0x65 || c === 0x45) this.num = N.E;
      else {
        this.token = T.None;
        this.valueDone(this.base + i);
        return i;
      }
    }
    return i;
  }

  private badNumber(c: number, i: number): never {
    this.bad(this.base + i, `unexpected ${describe(c)} in a number`, 'a digit');
  }

  private literalBody(buf: Uint8Array, i: number): number {
    const len = buf.length;
    for (; i < len && this.wordAt < this.word.length; i++, this.wordAt++) {
      if (buf[i] !== this.word.charCodeAt(this.wordAt)) this.unexpected(buf[i]!, this.base + i);
    }
    if (this.wordAt === this.word.length) {
      this.token = T.None;
      this.valueDone(this.base + i);
    }
    return i;
  }

  private close(at: number): void {
    const frame = this.stack.pop()!;
    const missing = frame.shape.required?.find((k) => !frame.seen!.has(k));
    if (missing !== undefined) throw new ScanError(`${this.path(frame)}.${missing} is missing`);
    this.valueDone(at + 1);
  }

  /** A value ended: count it when it was outside the format, and go on after it. */
  private valueDone(end: number): void {
    if (this.extraLevel >= 0 && this.stack.length === this.extraLevel) {
      this.extraLevel = -1;
      this.extraBytes += end - this.extraFrom;
      if (this.extraBytes > MAX_EXTRA_BYTES) this.tooMuchExtra(end);
    }
    this.state = this.stack.length ? S.After : S.End;
  }

  private tooMuchExtra(at: number): never {
    throw new ScanError(`invalid ${this.label} at byte ${at}: more than ${MAX_EXTRA_BYTES >> 20} MB of data that is not part of the ${this.label}${this.where()}`);
  }

  /** `nodes[2]`, `head.children[0]`: the path of a frame that was just popped (its parents are on the stack). */
  private path(frame: Frame): string {
    let out = '';
    const frames = [...this.stack, frame];
    for (let k = 1; k < frames.length; k++) {
      const parent = frames[k - 1]!;
      out += parent.array ? `[${parent.index}]` : `${out ? '.' : ''}${parent.key}`;
    }
    return out || '(the top level)';
  }
}
