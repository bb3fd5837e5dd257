/**
 * Explains why JSON.parse refused a file: the byte where it stops being JSON, or that it ends too
 * early and what was expected there. Only runs after a failed parse, so it favours clarity.
 */

const enum S {
  Value,
  KeyOrEnd,
  Key,
  Colon,
  After,
  ValueOrEnd,
  End,
}

interface Frame {
  array: boolean;
  key: string | undefined;
}

function describe(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

const WS = new Set([0x20, 0x0a, 0x0d, 0x09]);

/** One line saying what is wrong with `buf` as JSON, or undefined when it is valid. */
export function explainJsonError(buf: Uint8Array): string | undefined {
  const stack: Frame[] = [];
  let state = S.Value;
  let i = 0;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
  const where = () => {
    for (let k = stack.length - 1; k >= 0; k--) if (stack[k]!.key !== undefined) return ` in "${stack[k]!.key}"`;
    return '';
  };
  const expected = (): string => {
    const top = stack[stack.length - 1];
    switch (state) {
      case S.Value:
        return 'a value';
      case S.ValueOrEnd:
        return "a value or ']'";
      case S.KeyOrEnd:
        return "a key or '}'";
      case S.Key:
        return 'a key';
      case S.Colon:
        return "':'";
      case S.After:
        return top ? (top.array ? "',' or ']'" : "',' or '}'") : 'the end of the file';
      default:
        return 'the end of the file';
    }
  };
  const bad = (at: number, what?: string, wanted?: string) =>
    `invalid JSON at byte ${at}: ${what ?? `unexpected ${describe(buf[at]!)}`}${where()}, expected ${wanted ?? expected()}`;
  const truncated = (what?: string) => `truncated: ends at byte ${buf.length}, expected ${what ?? expected()}${where()}`;

  while (i < buf.length) {
    const c = buf[i]!;
    if (WS.has(c)) {
      i++;
      continue;
    }
    if (state === S.End) return bad(i, `unexpected ${describe(c)} after the end of the JSON value`);
    if (state === S.Colon) {
      if (c !== 0x3a) return bad(i);
      state = S.Value;
      i++;
      continue;
    }
    if (state === S.After) {
      const top = stack[stack.length - 1]!;
      if (c === 0x2c) state = top.array ? S.Value : S.Key;
      else if (c === (top.array ? 0x5d : 0x7d)) {
        stack.pop();
        state = stack.length ? S.After : S.End;
      } else return bad(i);
      i++;
      continue;
    }
    if (state === S.Key || state === S.KeyOrEnd) {
      if (c === 0x7d && state === S.KeyOrEnd) {
        stack.pop();
        state = stack.length ? S.After : S.End;
        i++;
        continue;
      }
      if (c !== 0x22) return bad(i);
      const end = scanString(buf, i);
      if (end < 0) return end === -1 ? truncated('the end of a key') : bad(-end - 2, 'bad escape in a string');
      stack[stack.length - 1]!.key = Buffer.from(buf.subarray(i + 1, end - 1)).toString('utf8');
      state = S.Colon;
      i = end;
      continue;
    }
    // A value is expected.
    if (c === 0x5d && state === S.ValueOrEnd) {
      stack.pop();
      state = stack.length ? S.After : S.End;
      i++;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      stack.push({ array: c === 0x5b, key: undefined });
      state = c === 0x7b ? S.KeyOrEnd : S.ValueOrEnd;
      i++;
      continue;
    }
    let end: number;
    if (c === 0x22) {
      end = scanString(buf, i);
      if (end === -1) return truncated('the end of a string');
      if (end < -1) return bad(-end - 2, 'bad escape in a string');
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      end = scanNumber(buf, i);
      if (end < 0) return -end - 1 >= buf.length ? truncated('the rest of a number') : bad(-end - 1, `unexpected ${describe(buf[-end - 1]!)} in a number`, 'a digit');
    } else {
      const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : '';
      if (!word) return bad(i, c === 0x4e || c === 0x49 ? 'NaN and Infinity are not JSON' : undefined);
      for (let k = 0; k < word.length; k++) {
        if (i + k >= buf.length) return truncated(`the rest of "${word}"`);
        if (buf[i + k] !== word.charCodeAt(k)) return bad(i + k);
      }
      end = i + word.length;
    }
    state = stack.length ? S.After : S.End;
    i = end;
  }
  if (state === S.End) return undefined;
  if (buf.length === 0) return 'empty file (0 bytes)';
  return truncated();
}

/** Index after the closing quote; -1 if the buffer ends first; -(at+2) for a bad escape at `at`. */
function scanString(buf: Uint8Array, start: number): number {
  for (let i = start + 1; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const n = buf[i + 1];
      if (n === undefined) return -1;
      if (!'"\\/bfnrtu'.includes(String.fromCharCode(n))) return -(i + 2);
      i++;
    } else if (c < 0x20) return -(i + 2);
  }
  return -1;
}

/** Index after the number, or -(at+1) where it goes wrong. */
function scanNumber(buf: Uint8Array, start: number): number {
  let i = start;
  const digits = () => {
    const from = i;
    while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++;
    return i > from;
  };
  if (buf[i] === 0x2d) i++;
  if (!digits()) return -(i + 1);
  if (buf[i] === 0x2e) {
    i++;
    if (!digits()) return -(i + 1);
  }
  if (buf[i] === 0x65 || buf[i] === 0x45) {
    i++;
    if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
    if (!digits()) return -(i + 1);
  }
  return i;
}
