// Starting `execsim serve` in this process. A server bound to any loopback address keeps its
// DNS-rebinding guard: all of 127.0.0.0/8 and every spelling of ::1 are loopback (only 127.0.0.1,
// localhost and "::1" were, so `--host 127.0.0.2` answered any Host header and warned it was
// reachable from the network); checked on the address rules and on a real socket bound to
// 127.0.0.2. A database that is not there is refused (one message, nothing created) unless
// --create asks for it; a start that cannot listen (the port is taken) leaves no database it
// created.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.ts';
import { startServer } from '../../src/cli/serve-command.ts';
import { loopbackHostNames } from '../../src/server/host-guard.ts';

describe('loopbackHostNames', () => {
  it('takes every 127.x.y.z address as loopback, naming it, and no other IPv4 address', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(octet, octet, octet, octet, (a, b, c, d) => {
        const host = `${a}.${b}.${c}.${d}`;
        const names = loopbackHostNames(host);
        if (a === 127) expect(names).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '[::1]', host]));
        else expect(names).toBeNull();
      }),
    );
  });

  it('takes ::1 in any spelling, an IPv4-mapped 127 address and localhost as loopback', () => {
    for (const host of ['::1', '0:0:0:0:0:0:0:1', '0000::0001', 'localhost', 'LocalHost'])
      expect(loopbackHostNames(host)).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(loopbackHostNames('::ffff:127.0.0.2')).toContain('[::ffff:7f00:2]');
    for (const host of ['0.0.0.0', '::', '::ffff:10.0.0.1', '10.0.0.1', '192.168.1.2', 'example.com', '127.example'])
      expect(loopbackHostNames(host)).toBeNull();
  });
});

/** GET with a Host header of our choosing (fetch does not allow setting it); the status. */
function rawGet(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { host }, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
  });
}

describe('execsim serve --host 127.0.0.2', () => {
  it('refuses a rebound Host header, answers its own address, and does not warn of the network', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-loopback-'));
    const errors: string[] = [];
    const io: Io = { out: () => {}, err: (t) => errors.push(t), env: {} };
    const server = await startServer(
      ['--host', '127.0.0.2', '--port', '0', '--workers', '1', '--db', path.join(dir, 'l.db'), '--create'],
      io,
      'test',
    );
    try {
      if (server === null) throw new Error('serve did not start');
      const url = new URL(server.url);
      expect(url.hostname).toBe('127.0.0.2');
      expect(await rawGet(`${server.url}api/v1/runs`, 'evil.example')).toBe(403);
      expect(await rawGet(`${server.url}api/v1/runs`, `127.0.0.2:${url.port}`)).toBe(200);
      expect(await rawGet(`${server.url}api/v1/runs`, `localhost:${url.port}`)).toBe(200);
      expect(errors.join('\n')).not.toContain('reachable from the network');
    } finally {
      await server?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('execsim serve on a port that is taken', () => {
  it('says so and removes the database it created for the start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-taken-'));
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const io: Io = { out: () => {}, err: () => {}, env: {} };
    try {
      const fresh = path.join(dir, 'fresh.db');
      await expect(
        startServer(['--port', String(port), '--workers', '1', '--db', fresh, '--create'], io, 'test'),
      ).rejects.toThrow(`cannot listen on 127.0.0.1:${port}`);
      expect(fs.readdirSync(dir)).toEqual([]);
      // A database that was there before the start is kept.
      const kept = path.join(dir, 'kept.db');
      await startServer(['--port', '0', '--workers', '1', '--db', kept, '--create'], io, 'test').then((s) =>
        s?.close(),
      );
      await expect(startServer(['--port', String(port), '--workers', '1', '--db', kept], io, 'test')).rejects.toThrow(
        'cannot listen',
      );
      expect(fs.existsSync(kept)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('execsim serve on a database that is not there', () => {
  it('refuses it with one message, creating nothing, unless --create asks for a new one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-serve-missing-'));
    const io: Io = { out: () => {}, err: () => {}, env: {} };
    try {
      const missing = path.join(dir, 'missing.db');
      await expect(startServer(['--port', '0', '--workers', '1', '--db', missing], io, 'test')).rejects.toThrow(
        `no database at ${missing} (nothing has been stored there yet: \`execsim run\` creates it, or serve --create starts on a new, empty one)`,
      );
      // The default path and $EXECSIM_DB alike.
      const fromEnv = path.join(dir, 'env', 'x.db');
      await expect(
        startServer(['--port', '0', '--workers', '1'], { ...io, env: { EXECSIM_DB: fromEnv } }, 'test'),
      ).rejects.toThrow(`no database at ${fromEnv}`);
      expect(fs.readdirSync(dir)).toEqual([]);
      const server = await startServer(['--port', '0', '--workers', '1', '--db', missing, '--create'], io, 'test');
      await server?.close();
      expect(fs.existsSync(missing)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('execsim serve and a request Node refuses before the app', () => {
  it('answers headers too large with a problem document, as the app answers its own refusals', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-serve-431-'));
    const io: Io = { out: () => {}, err: () => {}, env: {} };
    const server = await startServer(
      ['--port', '0', '--workers', '1', '--db', path.join(dir, 'h.db'), '--create'],
      io,
      'test',
    );
    try {
      if (server === null) throw new Error('serve did not start');
      const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = http.get(`${server.url}api/v1/runs?x=${'a'.repeat(20_000)}`, { timeout: 10_000 }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
          );
        });
        req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
        req.on('error', reject);
      });
      expect(answer.status).toBe(431);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 431, type: expect.stringMatching(/headers-too-large$/) });
    } finally {
      await server?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
