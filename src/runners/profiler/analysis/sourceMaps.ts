/**
 * Moves positions from generated JavaScript back to the original source (TypeScript, bundles)
 * through the `//# sourceMappingURL` of each script a profile names. Scripts without a map, or
 * whose map cannot be read, keep their generated positions: a source map is a bonus, not a need.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fileOfUrl } from './urls';
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';

const MAX_SCRIPT_BYTES = 32 << 20;
const MAX_MAP_BYTES = 64 << 20;
const MAPPING_URL = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/;

export interface MappedPosition {
  url: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  name?: string;
}

async function readSmall(file: string, limit: number): Promise<string | undefined> {
  try {
    if ((await stat(file)).size > limit) return undefined;
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The script's source map, or undefined. */
async function loadMap(scriptFile: string): Promise<TraceMap | undefined> {
  const source = await readSmall(scriptFile, MAX_SCRIPT_BYTES);
  if (!source) return undefined;
  // The comment is at the end; look only at the last lines.
  const tail = source.slice(-4096).split('\n');
  let ref: string | undefined;
  for (let i = tail.length - 1; i >= 0 && !ref; i--) ref = MAPPING_URL.exec(tail[i]!.trim())?.[1];
  if (!ref) return undefined;
  try {
    if (ref.startsWith('data:')) {
      const comma = ref.indexOf(',');
      const meta = ref.slice(5, comma);
      const payload = ref.slice(comma + 1);
      const json = meta.endsWith(';base64') ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
      return new TraceMap(json, pathToFileURL(scriptFile).href);
    }
    const mapFile = ref.startsWith('file://') ? fileURLToPath(ref) : path.resolve(path.dirname(scriptFile), decodeURIComponent(ref));
    const json = await readSmall(mapFile, MAX_MAP_BYTES);
    return json ? new TraceMap(json, pathToFileURL(mapFile).href) : undefined;
  } catch {
    return undefined;
  }
}

export class SourceMapper {
  private readonly maps = new Map<string, TraceMap | undefined>();

  /** Loads the maps of these script urls (each once). */
  async prepare(urls: Iterable<string>): Promise<void> {
    const todo = [...new Set(urls)].filter((u) => !this.maps.has(u));
    await Promise.all(
      todo.map(async (url) => {
        const file = fileOfUrl(url);
        this.maps.set(url, file ? await loadMap(file) : undefined);
      }),
    );
  }

  /** The original position of a 1-based line and column, or undefined when there is none. */
  map(url: string, line: number, column: number): MappedPosition | undefined {
    const map = this.maps.get(url);
    if (!map || line < 1) return undefined;
    const needle = { line, column: Math.max(0, column - 1) };
    let pos = originalPositionFor(map, { ...needle, bias: GREATEST_LOWER_BOUND });
    if (pos.source === null) pos = originalPositionFor(map, { ...needle, bias: LEAST_UPPER_BOUND });
    if (pos.source === null) return undefined;
    return { url: pos.source, line: pos.line, column: pos.column + 1, name: pos.name ?? undefined };
  }

  /** The original line of a whole generated line: where its first mapping points. */
  mapLine(url: string, line: number): { url: string; line: number } | undefined {
    const map = this.maps.get(url);
    if (!map || line < 1) return undefined;
    const pos = originalPositionFor(map, { line, column: 0, bias: LEAST_UPPER_BOUND });
    return pos.source === null ? undefined : { url: pos.source, line: pos.line };
  }
}
