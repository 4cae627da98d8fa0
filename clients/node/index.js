'use strict';
// respd for Node tests, whatever the runner (node:test, Jest, Mocha): plain async functions.
//
//   const respd = require('respd-test');
//   await respd.start();                       // a respd on a free port of 127.0.0.1
//   const lease = await respd.lease();         // a database of this test's own
//   await respd.clock.advance(1800 * 1000);    // milliseconds, as Node's timers
//   const fault = await respd.faults.add({ command: 'get', error: 'LOADING ...', times: 1 });
//   await respd.journal.commands({ command: 'set' });
//   await lease.release();
//   await respd.stop();
//
// The module-level functions act on the server start() started last; start() also returns that
// Server, whose methods are the same.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RespClient, RespError } = require('./resp');

// respd logs the port it bound when started with --port 0, in Redis's words.
const READY = /Ready to accept connections tcp on port (\d+)/;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function findBinary(explicit) {
  let candidate = explicit || process.env.RESPD_BIN;
  if (!candidate) {
    for (const dir of (process.env.PATH || '').split(path.delimiter)) {
      const file = path.join(dir || '.', 'respd');
      if (isExecutable(file)) { candidate = file; break; }
    }
  }
  if (!candidate) {
    throw new Error('respd not found: put it on PATH, set RESPD_BIN, or pass { bin }');
  }
  if (!isExecutable(candidate)) {
    throw new Error(`respd binary ${candidate} is not an executable file`);
  }
  return candidate;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function toUnixMs(at) {
  return at instanceof Date ? at.getTime() : Math.round(Number(at));
}

// A RESP2 flattened map as an object.
function pairs(flat) {
  const out = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

class Clock {
  constructor(control) { this.control = control; }

  async time(...args) { return this.control().call('RESPD', 'TIME', ...args); }

  // Each returns the new now, in Unix milliseconds.
  advance(ms) {
    if (!(ms >= 0)) {
      return Promise.reject(new RangeError('advance() takes 0 ms or more; set() goes back'));
    }
    return this.time('ADVANCE', Math.round(ms));
  }
  freeze(at) { return at === undefined ? this.time('FREEZE') : this.time('FREEZE', toUnixMs(at)); }
  set(at) { return this.time('SET', toUnixMs(at)); }
  resume() { return this.time('RESUME'); }
  real() { return this.time('REAL'); }

  // 'real', 'frozen' or 'flowing' (running from a moved instant).
  async mode() { return pairs(await this.time()).mode; }
  async now() { return pairs(await this.time())['now-ms']; }
}

class Fault {
  constructor(control, id) {
    this.control = control;
    this.id = id;
  }

  // The rule as RESPD FAULT LIST shows it (with its matched and fired counters), or null once gone.
  async info() {
    const rules = await this.control().call('RESPD', 'FAULT', 'LIST');
    return rules.map(pairs).find((rule) => rule.id === this.id) || null;
  }

  async fired() {
    const rule = await this.info();
    return rule ? rule.fired : 0;
  }

  // true if the rule was still there (one past its `times` is gone already).
  async remove() {
    return (await this.control().call('RESPD', 'FAULT', 'DEL', this.id)) === 1;
  }
}

class Faults {
  constructor(control) { this.control = control; }

  // One action: error (the reply's text), delay (ms), close ('before' | 'after'), noreply: true.
  // Matchers: command (a name or an array), key and client (name) globs, db; after (skip the
  // first n matches), times (gone after firing n times), probability (0..1, seeded).
  async add(rule = {}) {
    const { error, delay, close, noreply, command } = rule;
    const { key, client, db, after, times, probability } = rule;
    const actions = [error !== undefined, delay !== undefined, close !== undefined, !!noreply];
    if (actions.filter(Boolean).length !== 1) {
      throw new TypeError('give exactly one of error, delay, close, noreply');
    }
    const args = [];
    for (const name of command === undefined ? [] : [].concat(command)) args.push('COMMAND', name);
    const matchers = {
      KEY: key, CLIENT: client, DB: db, AFTER: after, TIMES: times, PROBABILITY: probability,
    };
    for (const [word, value] of Object.entries(matchers)) {
      if (value !== undefined) args.push(word, value);
    }
    if (error !== undefined) args.push('ERROR', error);
    else if (delay !== undefined) args.push('DELAY', Math.round(delay));
    else if (close !== undefined) {
      if (close !== 'before' && close !== 'after') {
        throw new TypeError("close is 'before' or 'after'");
      }
      args.push('CLOSE', close.toUpperCase());
    } else args.push('NOREPLY');
    return new Fault(this.control, await this.control().call('RESPD', 'FAULT', 'ADD', ...args));
  }

  async list() { return (await this.control().call('RESPD', 'FAULT', 'LIST')).map(pairs); }
  // Every command answers -LOADING, as while a server loads its data.
  loading(on = true) {
    return this.control().call('RESPD', 'FAULT', 'LOADING', on ? 'on' : 'off');
  }
  // Writes answer -READONLY, as a replica's do.
  readonly(on = true) {
    return this.control().call('RESPD', 'FAULT', 'READONLY', on ? 'on' : 'off');
  }
  // Removes every rule and ends both modes (for afterEach).
  clear() { return this.control().call('RESPD', 'FAULT', 'CLEAR'); }
}

class JournalTimeout extends Error {
  constructor(message) {
    super(message);
    this.name = 'JournalTimeout';
  }
}

// Filters: command (a name or an array), key and client (name) globs, lib, since (after that seq).
function filterArgs({ command, key, client, lib, since } = {}) {
  const args = [];
  if (client !== undefined) args.push('CLIENT', client);
  if (lib !== undefined) args.push('LIB', lib);
  if (command !== undefined) args.push('COMMAND', ...[].concat(command));
  if (key !== undefined) args.push('KEY', key);
  if (since !== undefined) args.push('SINCE', since);
  return args;
}

function toEntry(flat) {
  const e = pairs(flat);
  return {
    seq: e.seq,
    time: e.time,
    clientId: e['client-id'],
    clientName: e['client-name'],
    libName: e['lib-name'],
    libVer: e['lib-ver'],
    db: e.db,
    argv: e.argv,
    command: e.argv.length ? e.argv[0].toLowerCase() : '',
    reply: e.reply,
    error: e.error,
    durationUs: e['duration-us'],
  };
}

class Journal {
  constructor(control, server) {
    this.control = control;
    this.server = server;
  }

  on() { return this.control().call('RESPD', 'JOURNAL', 'ON'); }
  off() { return this.control().call('RESPD', 'JOURNAL', 'OFF'); }
  reset() { return this.control().call('RESPD', 'JOURNAL', 'RESET'); }

  // Matching entries, oldest first; `count` keeps the first n, `db` (applied here) those whose
  // client was on that database.
  async commands(filters = {}) {
    const args = filterArgs(filters);
    if (filters.count !== undefined && filters.db === undefined) args.push('COUNT', filters.count);
    let entries = (await this.control().call('RESPD', 'JOURNAL', 'GET', ...args)).map(toEntry);
    if (filters.db !== undefined) {
      entries = entries.filter((e) => e.db === filters.db).slice(0, filters.count);
    }
    return entries;
  }

  count(filters = {}) {
    return this.control().call('RESPD', 'JOURNAL', 'COUNT', ...filterArgs(filters));
  }

  // Resolves with the number of matching commands once there are at least `min` (default 1);
  // rejects with JournalTimeout after `timeoutMs` (default 5000).
  async wait(filters = {}) {
    const { min = 1, timeoutMs = 5000 } = filters;
    if (!(timeoutMs > 0)) throw new RangeError('wait() needs a timeoutMs above 0');
    // WAIT blocks its connection, so it gets its own, with room beyond the server's timeout.
    const conn = await this.server().connect({ timeoutMs: timeoutMs + 10000 });
    let seen;
    try {
      seen = await conn.call('RESPD', 'JOURNAL', 'WAIT', ...filterArgs(filters),
        'MIN', min, 'TIMEOUT', Math.round(timeoutMs));
    } finally {
      conn.close();
    }
    if (seen < min) {
      throw new JournalTimeout(
        `journal: ${seen} matching command(s) after ${timeoutMs} ms, waited for ${min}`);
    }
    return seen;
  }
}

// A database reserved by RESPD DB LEASE for as long as its own connection holds it; that
// connection sends nothing but RESPD commands, which faults never match.
class Lease {
  constructor(server, conn, db, client) {
    this.server = server;
    this.conn = conn;
    this.db = db;
    this.host = server.host;
    this.port = server.port;
    this.url = server.url(db);
    this.client = client;  // a RespClient on the database
  }

  async release() {
    if (!this.conn) return;
    const conn = this.conn;
    this.conn = null;
    this.client.close();
    try {
      await conn.call('RESPD', 'DB', 'RELEASE', this.db);
    } finally {
      conn.close();
    }
  }
}

class Server {
  constructor(host, port, child, workdir) {
    this.host = host;
    this.port = port;
    this.child = child;
    this.workdir = workdir;
    this.control = null;
    this.clock = new Clock(() => this.control);
    this.faults = new Faults(() => this.control);
    this.journal = new Journal(() => this.control, () => this);
  }

  get pid() { return this.child ? this.child.pid : null; }

  url(db = 0) { return `redis://${this.host}:${this.port}/${db}`; }

  // A RespClient on `db` (SELECTed unless 0).
  async connect({ db = 0, timeoutMs = 30000 } = {}) {
    const client = await RespClient.connect({ host: this.host, port: this.port, timeoutMs });
    if (db !== 0) await client.call('SELECT', db);
    return client;
  }

  async lease() {
    const conn = await this.connect({ timeoutMs: 10000 });
    let db;
    try {
      db = await conn.call('RESPD', 'DB', 'LEASE');
    } catch (err) {
      conn.close();
      if (err instanceof RespError && err.message.includes('unknown subcommand')) {
        throw new Error(`this respd cannot lease databases (RESPD DB LEASE: ${err.message}); `
          + 'lease() needs a respd with RESPD DB LEASE/RELEASE');
      }
      throw err;
    }
    return new Lease(this, conn, db, await this.connect({ db }));
  }

  // Stops the process start() started, by its pid: SIGTERM, then SIGKILL after `timeoutMs`.
  async stop({ timeoutMs = 5000 } = {}) {
    if (this.control) this.control.close();
    const child = this.child;
    this.child = null;
    if (child) {
      process.removeListener('exit', child.killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(child.pid, 'SIGTERM');
        let timer;
        const late = new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs, 'late'); });
        const outcome = await Promise.race([exited, late]);
        clearTimeout(timer);
        if (outcome === 'late') {
          process.kill(child.pid, 'SIGKILL');
          await exited;
        }
      }
    }
    if (this.workdir) fs.rmSync(this.workdir, { recursive: true, force: true });
    this.workdir = null;
  }
}

// Starts respd ({ bin } or $RESPD_BIN or respd on PATH, with more options in `args`) on a free port
// of 127.0.0.1, or ({ url: 'redis://host:port' } or $RESPD_URL) uses a running one.
async function start({ bin, args = [], url = process.env.RESPD_URL, startTimeoutMs = 10000 } = {}) {
  let server;
  if (url) {
    const parsed = new URL(url);
    server = new Server(parsed.hostname || '127.0.0.1', Number(parsed.port) || 6379, null, null);
  } else {
    const binary = findBinary(bin);
    const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'respd-node-'));
    const logfile = path.join(workdir, 'respd.log');
    const options = ['--bind', '127.0.0.1', '--port', '0', '--logfile', logfile, ...args];
    const child = spawn(binary, options, { cwd: workdir, stdio: 'ignore' });
    // A test run that ends without stop() still takes its server down.
    child.killOnExit = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
    process.on('exit', child.killOnExit);
    server = new Server('127.0.0.1', 0, child, workdir);
    try {
      server.port = await waitForPort(child, logfile, startTimeoutMs);
    } catch (err) {
      await server.stop();
      throw err;
    }
  }
  try {
    server.control = await server.connect({ timeoutMs: 10000 });
  } catch (err) {
    await server.stop();
    throw err;
  }
  current = server;
  return server;
}

async function waitForPort(child, logfile, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let spawnError = null;
  child.once('error', (err) => { spawnError = err; });
  while (Date.now() < deadline) {
    const log = fs.existsSync(logfile) ? fs.readFileSync(logfile, 'utf8') : '';
    if (spawnError) throw spawnError;
    if (child.exitCode !== null || child.signalCode !== null) {
      const status = child.exitCode ?? child.signalCode;
      throw new Error(`respd exited (${status}) before listening:\n${log}`);
    }
    const match = READY.exec(log);
    if (match) return Number(match[1]);
    await sleep(20);
  }
  throw new Error(`respd did not report its port within ${timeoutMs} ms`);
}

let current = null;

function server() {
  if (!current) throw new Error('respd: call start() first');
  return current;
}

module.exports = {
  start,
  lease: () => server().lease(),
  stop: async () => {
    const s = current;
    current = null;
    if (s) await s.stop();
  },
  server,
  clock: new Clock(() => server().control),
  faults: new Faults(() => server().control),
  journal: new Journal(() => server().control, server),
  Server,
  Lease,
  JournalTimeout,
  RespClient,
  RespError,
};
