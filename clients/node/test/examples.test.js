'use strict';
// The README's examples, as they are written there.
const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert');
const respd = require('..');

let lease;
before(() => respd.start());
after(() => respd.stop());
beforeEach(async () => { lease = await respd.lease(); });
afterEach(async () => {
  await respd.clock.real();
  await respd.faults.clear();
  await respd.journal.off();
  await lease.release();
});

test('a session expires after 30 minutes', async () => {
  const r = lease.client;          // or: new Redis(lease.url) with ioredis
  await respd.clock.freeze();
  await r.call('SET', 'session:42', 'alice', 'EX', 1800);

  await respd.clock.advance(1799 * 1000);
  assert.strictEqual(await r.call('TTL', 'session:42'), 1);

  await respd.clock.advance(1000);
  assert.strictEqual(await r.call('GET', 'session:42'), null);
});

async function getWithRetries(client, key, attempts = 3) {   // the code under test
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.call('GET', key);
    } catch (err) {
      if (err.code !== 'LOADING' || attempt === attempts) throw err;
    }
  }
}

test('GET survives one LOADING error', async () => {
  await lease.client.call('SET', 'k', 'v');
  const fault = await respd.faults.add({
    command: 'get', error: 'LOADING Redis is loading the dataset in memory', times: 1,
  });
  assert.strictEqual(await getWithRetries(lease.client, 'k'), 'v');
  assert.strictEqual(await fault.info(), null);   // it fired once, then went away
});

test('the worker acknowledges three jobs', async () => {
  await respd.journal.reset();
  await respd.journal.on();
  const worker = (async () => {   // stands for a background task of the code under test
    const client = await respd.server().connect({ db: lease.db });
    for (let job = 0; job < 3; job++) await client.call('RPUSH', 'acks', job);
    client.close();
  })();

  await respd.journal.wait({ command: 'rpush', key: 'acks', min: 3, timeoutMs: 10000 });
  await worker;
  assert.deepStrictEqual(await lease.client.call('LRANGE', 'acks', 0, -1), ['0', '1', '2']);
});
