'use strict';
// lease(): a database of the test's own, given back after it.
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const respd = require('..');

before(() => respd.start());
after(() => respd.stop());

test('a lease is a database of its own, with a client on it', async () => {
  const lease = await respd.lease();
  const other = await respd.lease();
  try {
    assert.notStrictEqual(lease.db, other.db);
    assert.strictEqual(lease.url, `redis://127.0.0.1:${lease.port}/${lease.db}`);
    await lease.client.call('SET', 'k', 'v');
    assert.strictEqual(await other.client.call('GET', 'k'), null);
    const info = await lease.client.call('CLIENT', 'INFO');
    assert.match(info, new RegExp(` db=${lease.db} `));
  } finally {
    await other.release();
    await lease.release();
  }
  await lease.release();  // a second release does nothing
});

test('a released database comes back empty', async () => {
  for (let i = 0; i < 3; i++) {
    const lease = await respd.lease();
    assert.strictEqual(await lease.client.call('DBSIZE'), 0);
    await lease.client.call('SET', 'left-behind', i);
    await lease.release();
  }
});

test('a respd without leases fails loudly', async () => {
  const server = new respd.Server('127.0.0.1', 0, null, null);
  server.connect = async () => ({
    call: async () => { throw new respd.RespError("ERR unknown subcommand 'DB'. Try RESPD HELP."); },
    close() {},
  });
  await assert.rejects(server.lease(), /cannot lease databases/);
});
