// A recorder's folder: the day files it leaves (`<symbol>_<YYYYMMDD>.rec` while written, then
// compressed to `.gz`, complete lines only) and the lock of each symbol being recorded there
// (`<symbol>.recording`), so that recorders of several symbols share a folder, each compressing
// only its own symbol's leftovers. The recorder itself: stream-recorder.ts.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

/** The length of a file up to and including its last newline (0 when it has none), read from its
 *  end in chunks. */
function completeLinesLength(file: string): number {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const chunk = Buffer.alloc(64 * 1024);
    for (let to = size; to > 0;) {
      const from = Math.max(0, to - chunk.length);
      const n = fs.readSync(fd, chunk, 0, to - from, from);
      const at = chunk.subarray(0, n).lastIndexOf(10);
      if (at >= 0) return from + at + 1;
      to = from;
    }
    return 0;
  } finally {
    fs.closeSync(fd);
  }
}

/** `<base>.rec` to `<base>.gz` (or `<base>-2.gz`, ... when a file of that day exists already:
 *  a recorder restarted the same day), complete lines only; the plain file is removed once the
 *  compressed one is in place. */
export async function compressDay(base: string, log: (line: string) => void = () => {}): Promise<string> {
  const rec = `${base}.rec`;
  const end = completeLinesLength(rec); // a killed recorder's partial last line is dropped
  let gz = `${base}.gz`;
  for (let n = 2; fs.existsSync(gz); n++) gz = `${base}-${n}.gz`;
  const tmp = `${gz}.tmp`;
  // Streamed: a day of a busy symbol is gigabytes of lines.
  const lines = end > 0 ? fs.createReadStream(rec, { start: 0, end: end - 1 }) : [Buffer.alloc(0)];
  await pipeline(lines, zlib.createGzip(), fs.createWriteStream(tmp));
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, gz);
  fs.unlinkSync(rec);
  log(`wrote ${path.basename(gz)} (${end} bytes of lines)`);
  return gz;
}

/** Compresses the day files of `symbol` an earlier recorder left in `dir` when it was killed;
 *  their names. Another symbol's are another recorder's, which may be recording them now. */
export async function compressLeftovers(
  dir: string,
  symbol: string,
  log: (line: string) => void = () => {},
): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const own = new RegExp(`^${symbol.toLowerCase()}_\\d{8}(-\\d+)?\\.rec$`);
  const done: string[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!own.test(name)) continue;
    log(`compressing ${name}, left by an earlier recorder`);
    done.push(await compressDay(path.join(dir, name.slice(0, -4)), log));
  }
  return done;
}

/** Creates `<symbol>.recording` in `dir` (this process's pid in it) and returns its path,
 *  refusing while another recorder of the symbol that is still alive holds it; a lock whose
 *  process has ended is taken over. */
export function takeRecordingLock(
  dir: string,
  symbol: string,
  processAlive: (pid: number) => boolean,
  log: (line: string) => void = () => {},
): string {
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, `${symbol.toLowerCase()}.recording`);
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const pid = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid))
      throw new Error(
        `another recorder (process ${pid}) is recording ${symbol} into ${dir}: stop it, or record into another folder`,
      );
    log(`taking over ${path.basename(lock)}, left by process ${pid}, which has ended`);
    fs.rmSync(lock, { force: true });
  }
}
