/**
 * What Linux's /proc tells about processes and their listening sockets, without spawning
 * anything: a socket belongs to a process when `/proc/<pid>/fd/*` links to `socket:[<inode>]`
 * and that inode is a LISTEN row of `/proc/<pid>/net/tcp{,6}`.
 */
import { promises as fs } from 'node:fs';

export interface ListeningSocket {
  /** `127.0.0.1`, `0.0.0.0`, `::1`, `::`... */
  address: string;
  port: number;
  inode: string;
}

const TCP_LISTEN = '0A';

export async function readCmdline(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    const argv = raw.split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    return argv;
  } catch {
    return undefined;
  }
}

export async function readCwd(pid: number): Promise<string | undefined> {
  try {
    return await fs.readlink(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

export async function readExe(pid: number): Promise<string | undefined> {
  try {
    return await fs.readlink(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** One variable of a process's environment (readable for the same user only). */
export async function readEnvVar(pid: number, name: string): Promise<string | undefined> {
  try {
    const raw = await fs.readFile(`/proc/${pid}/environ`, 'utf8');
    const prefix = `${name}=`;
    return raw.split('\0').find((entry) => entry.startsWith(prefix))?.slice(prefix.length);
  } catch {
    return undefined;
  }
}

/** `MemAvailable` of /proc/meminfo in bytes: what can be allocated without swapping; undefined when unreadable. */
export async function readMemAvailable(): Promise<number | undefined> {
  try {
    const m = /^MemAvailable:\s+(\d+) kB$/m.exec(await fs.readFile('/proc/meminfo', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function listPids(): Promise<number[]> {
  const entries = await fs.readdir('/proc');
  return entries.filter((e) => /^\d+$/.test(e)).map(Number);
}

export async function readPpid(pid: number): Promise<number | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return undefined;
  }
}

/** Socket inodes a process holds; empty when its fds are not readable (another user). */
export async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = await fs.readdir(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  await Promise.all(
    fds.map(async (fd) => {
      try {
        const link = await fs.readlink(`/proc/${pid}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m) inodes.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }),
  );
  return inodes;
}

/** Every TCP socket in LISTEN state in the network namespace of `pid` (default: ours). */
export async function listeningSockets(pid: number | 'self' = 'self'): Promise<ListeningSocket[]> {
  const out: ListeningSocket[] = [];
  for (const table of ['tcp', 'tcp6'] as const) {
    let text: string;
    try {
      text = await fs.readFile(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== TCP_LISTEN) continue;
      const [hexAddr, hexPort] = cols[1]!.split(':');
      out.push({ address: decodeAddress(hexAddr!), port: parseInt(hexPort!, 16), inode: cols[9]! });
    }
  }
  return out;
}

/** Listening sockets held by `pid` itself. */
export async function listeningSocketsOf(pid: number): Promise<ListeningSocket[]> {
  const [inodes, sockets] = await Promise.all([socketInodes(pid), listeningSockets(pid)]);
  return sockets.filter((s) => inodes.has(s.inode));
}

/** The process holding a listening socket with one of these inodes, if we may see it. */
export async function pidOfSocket(inodes: Set<string>): Promise<number | undefined> {
  if (inodes.size === 0) return undefined;
  for (const pid of await listPids()) {
    const held = await socketInodes(pid);
    for (const inode of inodes) if (held.has(inode)) return pid;
  }
  return undefined;
}

/** /proc/net/tcp addresses are hex in host byte order, 32-bit words at a time. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const n = parseInt(hex, 16);
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
  }
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    bytes.push(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, (word >>> 24) & 0xff);
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return compressIpv6(groups);
}

function compressIpv6(groups: string[]): string {
  // Longest run of zero groups becomes "::".
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
