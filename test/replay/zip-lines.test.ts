// The archive reader (ZipLines) reads a zip whose entry has a data descriptor: general-purpose
// flag bit 3 set, the local header's sizes 0 and the real ones after the data, as streaming zip
// writers produce (fflate's Zip here). Its lines are the CSV's, deflated or stored, across more
// than one read chunk; without the central directory (a cut-off download) it says so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Zip, ZipDeflate, ZipPassThrough, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { ZipLines } from '../../src/scenario/zip-lines.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-zip-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A zip of one entry written by fflate's streaming writer (sizes in a data descriptor). */
function streamedZip(name: string, text: string, stored: boolean): Buffer {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    parts.push(data);
  });
  const entry = stored ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
  zip.add(entry);
  const bytes = new TextEncoder().encode(text);
  // In pieces, as a streaming writer gets its input.
  for (let at = 0; at < bytes.length; at += 50_000)
    entry.push(bytes.subarray(at, at + 50_000), at + 50_000 >= bytes.length);
  zip.end();
  return Buffer.concat(parts);
}

function readLines(file: string): string[] {
  const z = new ZipLines(file);
  const out: string[] = [];
  const decoder = new TextDecoder();
  while (z.next()) out.push(decoder.decode(z.bytes.subarray(z.start, z.end)));
  return out;
}

// Kline-like rows, varied enough that the deflated data spans several 64 KiB reads.
const rows = Array.from(
  { length: 6000 },
  (_, i) =>
    `${1_700_000_000_000 + i * 60_000},${(i * 7919) % 100_003}.${i % 100},${(i * 104_729) % 99_991},${i * 31},${i}`,
);
const text = `${rows.join('\r\n')}\r\n`;

describe('zip entries with a data descriptor (flag bit 3)', () => {
  it.each([
    ['deflated', false],
    ['stored', true],
  ])('%s: every line read, in order', (_what, stored) => {
    const zip = streamedZip('day.csv', text, stored);
    expect(zip.readUInt16LE(6) & 8).toBe(8); // the local header defers its sizes
    expect(zip.readUInt32LE(18)).toBe(0);
    expect(zip.length).toBeGreaterThan(stored ? 200_000 : 65_536);
    const file = path.join(dir, `streamed-${stored ? 'stored' : 'deflated'}.zip`);
    fs.writeFileSync(file, zip);
    expect(readLines(file)).toEqual(rows);
  });

  it('read the same as a zip whose local header states its sizes', () => {
    const plain = path.join(dir, 'plain.zip');
    fs.writeFileSync(plain, zipSync({ 'day.csv': new TextEncoder().encode(text) }));
    expect(fs.readFileSync(plain).readUInt16LE(6) & 8).toBe(0);
    expect(readLines(plain)).toEqual(rows);
  });

  it('a UTF-8 byte order mark opening the entry is no part of its first line', () => {
    const bom = path.join(dir, 'bom.zip');
    fs.writeFileSync(bom, zipSync({ 'day.csv': new TextEncoder().encode(`\uFEFF${text}`) }));
    expect(readLines(bom)).toEqual(rows);
    // By its bytes (a TextDecoder drops the mark by itself): the first line starts with its digit.
    const z = new ZipLines(bom);
    expect(z.next()).toBe(true);
    expect(z.bytes[z.start]).toBe('1'.charCodeAt(0));
    z.close();
  });

  it('without its central directory the sizes are unknown: refused, saying why', () => {
    const zip = streamedZip('day.csv', text, false);
    const cut = path.join(dir, 'cut.zip');
    fs.writeFileSync(cut, zip.subarray(0, zip.length - 200)); // the end record and directory gone
    expect(() => readLines(cut)).toThrow(`${cut}: no central directory: the archive is truncated`);
  });

  it('closes an archive it refuses: a server refusing many files keeps none of them open', () => {
    const two = path.join(dir, 'two.zip');
    fs.writeFileSync(
      two,
      zipSync({ 'a.csv': new TextEncoder().encode('1\n'), 'b.csv': new TextEncoder().encode('2\n') }),
    );
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) expect(() => new ZipLines(two)).toThrow(/holds 2 entries/);
    expect(open()).toBe(before);
  });
});
