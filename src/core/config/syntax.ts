/**
 * JSONC syntax errors in words: what the parser expected, and the usual cause. Only the first
 * error is reported; later ones are mostly echoes of it.
 */

import { printParseErrorCode, type ParseError } from 'jsonc-parser';
import { quoted } from './echo';
import type { ProblemInput } from './locate';

export function describeSyntaxError(error: ParseError, text: string): ProblemInput {
  const token = text.slice(error.offset, error.offset + Math.max(error.length, 1));
  const span = { offset: error.offset, length: Math.max(error.length, 1) };
  const { message, hint } = explain(printParseErrorCode(error.error), token.trim(), text, error.offset);
  return { path: [], span, code: 'syntax', message, hint };
}

type Explained = { message: string; hint: string };
type Code = ReturnType<typeof printParseErrorCode>;

/** What each parser error says, and how to fix it; `token` is the text at the error. */
const EXPLAINED: Partial<Record<Code, (token: string) => Explained>> = {
  InvalidNumberFormat: (token) => ({ message: `invalid number ${quote(token)}`, hint: 'write numbers like 10, 0.5 or 1e3 (no leading zeros, no trailing dot)' }),
  PropertyNameExpected: () => ({ message: 'expected a property name', hint: 'property names are in double quotes: "name": value' }),
  ColonExpected: () => ({ message: 'expected ":" after the property name', hint: 'write "name": value' }),
  CommaExpected: (token) => ({ message: `expected "," before ${quote(token)}`, hint: 'separate properties and list items with commas: add "," at the end of the previous line' }),
  CloseBraceExpected: () => ({ message: 'expected "}"', hint: 'an object is not closed: add the missing "}" (or a missing "," between properties)' }),
  CloseBracketExpected: () => ({ message: 'expected "]"', hint: 'a list is not closed: add the missing "]" (or a missing "," between items)' }),
  EndOfFileExpected: (token) => ({ message: `unexpected ${quote(token)} after the end of the config`, hint: 'the config is one object: remove the extra closing bracket or text after it' }),
  InvalidCommentToken: () => ({ message: 'invalid comment', hint: 'comments are // to the end of the line, or /* … */' }),
  UnexpectedEndOfComment: () => ({ message: 'comment is not closed', hint: 'close the /* comment with */' }),
  UnexpectedEndOfString: () => ({ message: 'string is not closed', hint: 'add the closing double quote; a string cannot span lines (write \\n for a line break)' }),
  UnexpectedEndOfNumber: () => ({ message: 'number is not complete', hint: 'write digits after the "." or "e"' }),
  InvalidUnicode: () => ({ message: 'invalid \\u escape', hint: 'write \\u followed by four hex digits, e.g. \\u00e9' }),
  InvalidEscapeCharacter: () => ({ message: 'invalid escape in a string', hint: 'a backslash starts an escape: write \\\\ for a backslash (e.g. "C:\\\\path")' }),
  InvalidCharacter: () => ({ message: 'invalid character in a string', hint: 'tabs and line breaks must be escaped in strings: write \\t or \\n' }),
};

function explain(code: Code, token: string, text: string, offset: number): Explained {
  if (code === 'InvalidSymbol') return invalidSymbol(token, text, offset);
  if (code === 'ValueExpected') {
    return offset >= text.trimEnd().length
      ? { message: 'the file ends where a value was expected', hint: 'complete the last property, or remove the dangling ":" or ","' }
      : { message: 'expected a value', hint: 'a value is a "string", a number, true, false, null, an object {…} or a list […]' };
  }
  return EXPLAINED[code]?.(token) ?? { message: 'syntax error', hint: 'check the JSON syntax around this position' };
}

function invalidSymbol(token: string, text: string, offset: number): { message: string; hint: string } {
  const word = /^[^\s,:{}[\]]*/.exec(text.slice(offset))?.[0] ?? token;
  const lower = word.toLowerCase();
  if (lower === 'true' || lower === 'false' || lower === 'null') {
    return { message: `unexpected ${quote(word)}`, hint: `JSON literals are lower case: write ${lower}` };
  }
  if (word === 'NaN' || word === 'Infinity' || word === 'undefined') {
    return { message: `${quoted(word)} is not JSON`, hint: 'write a number, or null, or leave the property out' };
  }
  if (word.startsWith("'")) return { message: 'single-quoted string', hint: 'use double quotes: "text"' };
  if (/^[A-Za-z_$][\w$-]*$/.test(word)) {
    const followedByColon = /^\s*:/.test(text.slice(offset + word.length));
    return followedByColon
      ? { message: `property name ${quoted(word)} is not quoted`, hint: `put it in double quotes: ${quoted(word)}` }
      : { message: `unexpected ${quote(word)}`, hint: `put text in double quotes: ${quoted(word)}; literals are true, false and null` };
  }
  return { message: `unexpected ${quote(word || token)}`, hint: 'check the JSON syntax around this character' };
}

function quote(s: string): string {
  return s === '' ? 'end of file' : quoted(s);
}
