/** Where a profile's script urls are on this machine. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file a profile's url names here: a `file://` url or an absolute path; Node's own modules (`node:…`) and other urls have none. */
export function fileOfUrl(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(url) ? url : undefined;
}
