'use strict';
// faults: error, delay, close and no-reply rules, their matchers, and the server-wide modes.
const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert');
const respd = require('..');

const LOADING = 'LOADING Redis is loading the dataset in memory';
let lease;

before(() => respd.start());
after(() => respd.stop());
beforeEach(async () => { lease = await respd.lease(); });
afterEach(async () => {
  await respd.faults.clear();
  await lease.release();
});

// The code under test: retries a GET that fails while the server loads.
async function getWithRetries(client, key, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.call('GET', key);
    } catch (err) {
      if (err.code !== 'LOADING' || attempt === attempts) throw err;
    }
  }
}

test('an error once exercises the retry path', async () => {
  await lease.client.call('SET', 'k', 'v');
  const fault = await respd.faults.add({ command: 'get', error: LOADING, times: 1 });
  assert.strictEqual(await getWithRetries(lease.client, 'k'), 'v');
  assert.strictEqual(await fault.info(), null);
  assert.strictEqual(await fault.remove(), false);
});

test('after skips matches and the counters show it', async () => {
  const fault = await respd.faults.add({ command: 'incr', after: 2, error: 'ERR injected' });
  assert.strictEqual(await lease.client.call('INCR', 'n'), 1);
  assert.strictEqual(await lease.client.call('INCR', 'n'), 2);
  await assert.rejects(lease.client.call('INCR', 'n'), { message: 'ERR injected' });
  const info = await fault.info();
  assert.deepStrictEqual([info.matched, info.fired, info.after], [3, 1, 2]);
  assert.strictEqual(await fault.fired(), 1);
  assert.strictEqual(await fault.remove(), true);
  assert.strictEqual(await lease.client.call('INCR', 'n'), 3);
});

test('key, client and db matchers; several commands; probability', async () => {
  await respd.faults.add({ key: 'cache:*', client: 'worker-*', db: lease.db, error: 'TRYAGAIN injected' });
  const r = lease.client;
  assert.strictEqual(await r.call('SET', 'cache:1', 'x'), 'OK');  // no name yet
  await r.call('CLIENT', 'SETNAME', 'worker-1');
  assert.strictEqual(await r.call('SET', 'other', 'x'), 'OK');
  await assert.rejects(r.call('GET', 'cache:1'), { code: 'TRYAGAIN' });
  const elsewhere = await respd.server().connect({ db: 0 });
  await elsewhere.call('CLIENT', 'SETNAME', 'worker-2');
  assert.strictEqual(await elsewhere.call('GET', 'cache:1'), null);  // another database
  elsewhere.close();

  await respd.faults.clear();
  await respd.faults.add({ command: ['get', 'set'], probability: 0, error: 'ERR never' });
  await respd.faults.add({ command: ['get', 'set'], probability: 1, error: 'ERR always', times: 2 });
  await assert.rejects(r.call('SET', 'k', 'v'), { message: 'ERR always' });
  await assert.rejects(r.call('GET', 'k'), { message: 'ERR always' });
  assert.strictEqual(await r.call('SET', 'k', 'v'), 'OK');
  assert.strictEqual((await respd.faults.list()).length, 1);
});

test('delay still answers', async () => {
  const fault = await respd.faults.add({ command: 'ping', delay: 50 });
  assert.strictEqual(await lease.client.call('PING'), 'PONG');
  assert.strictEqual(await fault.fired(), 1);
});

test('close before and after executing', async () => {
  await respd.faults.add({ command: 'set', close: 'before', times: 1 });
  await assert.rejects(lease.client.call('SET', 'k', 'before'), /connection closed/);
  const again = await respd.server().connect({ db: lease.db });
  assert.strictEqual(await again.call('GET', 'k'), null);
  await respd.faults.add({ command: 'set', close: 'after', times: 1 });
  await assert.rejects(again.call('SET', 'k', 'after'), /connection closed/);
  const third = await respd.server().connect({ db: lease.db });
  assert.strictEqual(await third.call('GET', 'k'), 'after');
  third.close();
});

test('no reply makes the client time out', async () => {
  const client = await respd.server().connect({ db: lease.db, timeoutMs: 200 });
  await respd.faults.add({ command: 'get', noreply: true, times: 1 });
  await assert.rejects(client.call('GET', 'k'), /no reply within 200 ms/);
  client.close();
});

test('one action exactly', async () => {
  await assert.rejects(respd.faults.add({ command: 'get' }), TypeError);
  await assert.rejects(respd.faults.add({ error: 'ERR x', delay: 1 }), TypeError);
  await assert.rejects(respd.faults.add({ close: 'during' }), TypeError);
});

test('loading and readonly modes', async () => {
  await respd.faults.loading();
  await assert.rejects(lease.client.call('GET', 'k'), { code: 'LOADING' });
  await respd.faults.loading(false);
  await respd.faults.readonly();
  await assert.rejects(lease.client.call('SET', 'k', 'v'), { code: 'READONLY' });
  await respd.faults.clear();  // ends the modes too
  assert.strictEqual(await lease.client.call('SET', 'k', 'v'), 'OK');
});
