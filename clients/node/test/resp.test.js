'use strict';
// The built-in RESP2 client's parser and encoder, without a server.
const test = require('node:test');
const assert = require('node:assert');
const { parseReply, encodeCommand, RespError } = require('../resp');

test('parses every RESP2 reply type', () => {
  const buf = Buffer.from('*5\r\n+OK\r\n:-3\r\n$5\r\nhallo\r\n$-1\r\n*1\r\n-ERR x y\r\n');
  const [value, next] = parseReply(buf, 0);
  assert.strictEqual(next, buf.length);
  assert.deepStrictEqual(value.slice(0, 4), ['OK', -3, 'hallo', null]);
  assert.ok(value[4][0] instanceof RespError);
  assert.strictEqual(value[4][0].message, 'ERR x y');
  assert.strictEqual(value[4][0].code, 'ERR');
});

test('an incomplete reply waits for more bytes', () => {
  assert.strictEqual(parseReply(Buffer.from('$5\r\nhel'), 0), undefined);
  assert.strictEqual(parseReply(Buffer.from('*2\r\n:1\r\n'), 0), undefined);
  assert.strictEqual(parseReply(Buffer.from(':1'), 0), undefined);
});

test('bulk lengths count bytes, not characters', () => {
  const [value] = parseReply(Buffer.from('$4\r\nd\u00e9j\r\n'), 0);
  assert.strictEqual(value, 'd\u00e9j');
  assert.strictEqual(encodeCommand(['SET', 'k', 'd\u00e9j']).toString(), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\nd\u00e9j\r\n');
});
