'use strict';
// A minimal RESP2 client: enough to send RESPD controls and plain commands without depending on
// a client library (Debian ships no ioredis, and the helper should not choose one for its users).
// Replies: simple strings and bulk strings as JS strings (null for nil), integers as numbers,
// arrays as arrays; an error reply rejects the call with a RespError (inside an array, such as
// EXEC's, it stays an element).

const net = require('node:net');

class RespError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RespError';
    // The error's first word: ERR, LOADING, READONLY, MOVED...
    this.code = message.split(' ', 1)[0];
  }
}

// Parses one reply from buf at offset; returns [value, next offset], or undefined if incomplete.
function parseReply(buf, offset) {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset]);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+': return [line, next];
    case '-': return [new RespError(line), next];
    case ':': return [Number(line), next];
    case '$': {
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return undefined;
      return [buf.toString('utf8', next, next + len), next + len + 2];
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return [null, next];
      const items = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, at);
        if (item === undefined) return undefined;
        items.push(item[0]);
        at = item[1];
      }
      return [items, at];
    }
    default:
      throw new RespError(`ERR protocol: unexpected reply type ${JSON.stringify(type)}`);
  }
}

function encodeCommand(args) {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(`$${bytes.length}\r\n`, bytes, '\r\n');
  }
  return Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
}

class RespClient {
  // Connects to host:port; `timeoutMs` bounds the connect and every reply (0: no limit).
  static connect({ host = '127.0.0.1', port, timeoutMs = 30000 } = {}) {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host, port });
      const timer = timeoutMs ? setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs) : null;
      socket.once('error', (err) => { clearTimeout(timer); reject(err); });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RespClient(socket, timeoutMs));
      });
    });
  }

  constructor(socket, timeoutMs) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    this.pending = [];  // {resolve, reject}, in the order the commands were written
    this.buffer = Buffer.alloc(0);
    this.closed = false;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
    if (timeoutMs) {
      socket.setTimeout(timeoutMs, () => {
        if (this.pending.length) {
          this.fail(new Error(`no reply within ${timeoutMs} ms`));
          socket.destroy();
        }
      });
    }
  }

  // Sends one command; resolves with its reply.
  call(...args) {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  onData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      let parsed;
      try {
        parsed = parseReply(this.buffer, offset);
      } catch (err) {
        this.fail(err);
        this.socket.destroy();
        return;
      }
      if (parsed === undefined) break;
      offset = parsed[1];
      const waiter = this.pending.shift();
      if (!waiter) continue;  // a reply nobody asked for: the server is not speaking RESP2 to us
      if (parsed[0] instanceof RespError) waiter.reject(parsed[0]);
      else waiter.resolve(parsed[0]);
    }
    this.buffer = this.buffer.subarray(offset);
  }

  fail(err) {
    this.closed = true;
    for (const waiter of this.pending.splice(0)) waiter.reject(err);
  }

  close() {
    this.closed = true;
    this.socket.destroy();
  }
}

module.exports = { RespClient, RespError, parseReply, encodeCommand };
