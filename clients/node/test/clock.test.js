'use strict';
// clock: TTLs, blocking timeouts and TIME follow RESPD TIME.
const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert');
const respd = require('..');

const NEW_YEAR_2030 = Date.UTC(2030, 0, 1);
let lease;

before(() => respd.start());
after(() => respd.stop());
beforeEach(async () => { lease = await respd.lease(); });
afterEach(async () => {
  await respd.clock.real();
  await lease.release();
});

test('a TTL runs out when the clock advances', async () => {
  const r = lease.client;
  await respd.clock.freeze();
  await r.call('SET', 'session:42', 'alice', 'EX', 1800);
  await respd.clock.advance(1799 * 1000);
  assert.strictEqual(await r.call('TTL', 'session:42'), 1);
  await respd.clock.advance(1000);
  assert.strictEqual(await r.call('GET', 'session:42'), null);
});

test('freeze at a Date, advance, set back', async () => {
  assert.strictEqual(await respd.clock.freeze(new Date(NEW_YEAR_2030)), NEW_YEAR_2030);
  assert.strictEqual(await respd.clock.mode(), 'frozen');
  assert.deepStrictEqual(await lease.client.call('TIME'), [String(NEW_YEAR_2030 / 1000), '0']);
  assert.strictEqual(await respd.clock.advance(1500), NEW_YEAR_2030 + 1500);
  assert.strictEqual(await respd.clock.now(), NEW_YEAR_2030 + 1500);
  assert.strictEqual(await respd.clock.set(NEW_YEAR_2030 - 3600 * 1000), NEW_YEAR_2030 - 3600 * 1000);
  assert.strictEqual(await respd.clock.mode(), 'frozen');
  await assert.rejects(respd.clock.advance(-1), RangeError);
});

test('resume flows from the frozen instant; real goes back to the wall clock', async () => {
  await respd.clock.freeze(NEW_YEAR_2030);
  await respd.clock.resume();
  assert.strictEqual(await respd.clock.mode(), 'flowing');
  assert.ok((await respd.clock.now()) >= NEW_YEAR_2030);
  await respd.clock.real();
  assert.strictEqual(await respd.clock.mode(), 'real');
  assert.ok((await respd.clock.now()) < NEW_YEAR_2030);
});

test('a blocking pop times out when the clock passes its timeout', async () => {
  await respd.clock.freeze();
  const waiter = await respd.server().connect({ db: lease.db });
  const popped = waiter.call('BLPOP', 'jobs', 5);
  // Advance only once BLPOP is blocked, or it would start after the jump.
  for (let i = 0; i < 500; i++) {
    const info = await lease.client.call('INFO', 'clients');
    if (/blocked_clients:1\r\n/.test(info)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await respd.clock.advance(5000);
  assert.strictEqual(await popped, null);
  waiter.close();
});
