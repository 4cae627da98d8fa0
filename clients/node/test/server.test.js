'use strict';
// Starting, attaching to and stopping respd.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const respd = require('..');

test('start() runs respd on a free port of 127.0.0.1 and stop() ends it by pid', async () => {
  const server = await respd.start({ args: ['--databases', '4'] });
  assert.strictEqual(server.host, '127.0.0.1');
  assert.ok(server.port > 0);
  assert.strictEqual(respd.server(), server);
  assert.strictEqual(await server.control.call('PING'), 'PONG');
  assert.deepStrictEqual(await server.control.call('CONFIG', 'GET', 'databases'), ['databases', '4']);
  assert.strictEqual(server.url(2), `redis://127.0.0.1:${server.port}/2`);
  const { child, workdir } = server;
  await respd.stop();
  assert.notStrictEqual(child.exitCode ?? child.signalCode, null);
  assert.strictEqual(fs.existsSync(workdir), false);
  await assert.rejects(server.connect({ timeoutMs: 2000 }), /ECONNREFUSED/);
  assert.throws(() => respd.server(), /call start\(\) first/);
});

test('a url attaches to a running respd, which stop() leaves running', async () => {
  const owner = await respd.start();
  const attached = await respd.start({ url: owner.url() });
  assert.strictEqual(attached.pid, null);
  await attached.stop();
  assert.strictEqual(await owner.control.call('PING'), 'PONG');
  await owner.stop();
});

test('a bad option is reported with the server\'s words', async () => {
  await assert.rejects(respd.start({ args: ['--no-such-option', '1'] }), /before listening/);
});

test('a binary that is not executable is reported', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respd-node-test-'));
  const file = path.join(dir, 'respd');
  fs.writeFileSync(file, '', { mode: 0o600 });
  try {
    await assert.rejects(respd.start({ bin: file }), /not an executable/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('error replies reject with the server\'s text and code', async () => {
  const server = await respd.start();
  try {
    await assert.rejects(server.control.call('INCR'), (err) => err instanceof respd.RespError
      && err.code === 'ERR' && err.message === "ERR wrong number of arguments for 'incr' command");
    // Pipelined calls resolve in order.
    const replies = await Promise.all([1, 2, 3].map(() => server.control.call('INCR', 'n')));
    assert.deepStrictEqual(replies, [1, 2, 3]);
  } finally {
    await server.stop();
  }
});
