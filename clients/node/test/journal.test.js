'use strict';
// journal: what clients sent, filtered, counted and waited for.
const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert');
const respd = require('..');

let lease;

before(() => respd.start());
after(() => respd.stop());
beforeEach(async () => {
  lease = await respd.lease();
  await respd.journal.reset();
  await respd.journal.on();
});
afterEach(async () => {
  await respd.journal.off();
  await lease.release();
});

test('commands with filters', async () => {
  const r = lease.client;
  await r.call('SET', 'user:1', 'a');
  await r.call('GET', 'user:1');
  await r.call('SET', 'order:1', 'b');
  const sets = await respd.journal.commands({ command: 'set' });
  assert.deepStrictEqual(sets.map((e) => e.argv), [['SET', 'user:1', 'a'], ['SET', 'order:1', 'b']]);
  assert.deepStrictEqual((await respd.journal.commands({ key: 'user:*' })).map((e) => e.command),
    ['set', 'get']);
  const [first] = sets;
  assert.deepStrictEqual([first.db, first.reply, first.error], [lease.db, 'ok', '']);
  const next = await respd.journal.commands({ since: first.seq, count: 1 });
  assert.deepStrictEqual(next.map((e) => e.command), ['get']);
  assert.strictEqual(await respd.journal.count({ command: ['get', 'set'] }), 3);
});

test('errors, clients, libraries and databases', async () => {
  const r = lease.client;
  await r.call('CLIENT', 'SETNAME', 'api');
  await r.call('CLIENT', 'SETINFO', 'LIB-NAME', 'shop');
  await r.call('SET', 'user:1', 'x');
  await assert.rejects(r.call('INCR', 'user:1'));
  const other = await respd.server().connect({ db: 0 });
  await other.call('CLIENT', 'SETNAME', 'cron');
  await other.call('GET', 'user:1');
  other.close();
  const [failed] = await respd.journal.commands({ command: 'incr' });
  assert.deepStrictEqual([failed.reply, failed.error], ['error', 'ERR value is not an integer or out of range']);
  assert.deepStrictEqual([failed.clientName, failed.libName], ['api', 'shop']);
  assert.deepStrictEqual((await respd.journal.commands({ client: 'cr*' })).map((e) => e.command),
    ['client', 'get']);
  assert.strictEqual(await respd.journal.count({ lib: 'shop' }), 3);  // SETINFO itself, SET, INCR
  assert.deepStrictEqual(await respd.journal.commands({ command: 'get', db: lease.db }), []);
  assert.deepStrictEqual((await respd.journal.commands({ command: 'get', db: 0 })).map((e) => e.clientName),
    ['cron']);
});

test('wait for a background worker', async () => {
  const worker = (async () => {
    const client = await respd.server().connect({ db: lease.db });
    for (let n = 0; n < 3; n++) await client.call('RPUSH', 'done', n);
    client.close();
  })();
  assert.strictEqual(await respd.journal.wait({ command: 'rpush', min: 3, timeoutMs: 10000 }), 3);
  await worker;
  assert.strictEqual(await lease.client.call('LLEN', 'done'), 3);
});

test('wait times out loudly', async () => {
  await assert.rejects(respd.journal.wait({ command: 'xadd', timeoutMs: 50 }),
    (err) => err instanceof respd.JournalTimeout && /0 matching/.test(err.message));
  await assert.rejects(respd.journal.wait({ command: 'xadd', timeoutMs: 0 }), RangeError);
});
