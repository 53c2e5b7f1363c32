// The Node.js client (generated code + thrift/examples/node/alder_client.js)
// against a real three-node cluster with node 3 down, started by
// alder_with_cluster (see test/clients/with_cluster.cc for the environment it
// sets). Run with `node --test`; NODE_PATH must name the example's
// node_modules (see CMakeLists.txt here).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run under alder_with_cluster`);
  return value;
}

const {
  AlderClient, Consistency, InvalidArgument, NotFound, Unavailable,
  NoNodeReachableError, RequestTimeoutError, ConnectionLostError,
} = require(path.join(env('ALDER_EXAMPLES_DIR'), 'node', 'alder_client.js'));

const NODES = env('ALDER_NODES').split(',');
const UNUSED = env('ALDER_UNUSED_ADDRESS');
const DOWN = env('ALDER_DOWN_NODE');
const TIMEOUTS = { connectTimeoutMs: 2000, requestTimeoutMs: 10000 };

let node1;
before(async () => { node1 = await AlderClient.connect([NODES[0]], TIMEOUTS); });
after(() => node1.close());

test('fails over past unreachable addresses', async () => {
  const alder = await AlderClient.connect([UNUSED, DOWN, NODES[0]], TIMEOUTS);
  try {
    assert.equal(alder.address, NODES[0]);
    const value = Buffer.from('failover');
    const version = await alder.put('node/failover', value);
    const entry = await alder.get('node/failover');
    assert.deepEqual(entry.value, value);
    assert.equal(entry.version, version);
  } finally {
    alder.close();
  }
});

test('binary value under a unicode key round-trips between nodes', async () => {
  const key = 'node/ключ/ü/🔑';
  const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const version = await node1.put(key, value);
  assert.equal(typeof version, 'bigint');
  const node2 = await AlderClient.connect([NODES[1]], TIMEOUTS);
  try {
    const entry = await node2.get(key, { consistency: Consistency.QUORUM });
    assert.ok(entry.value.equals(value), `read back ${entry.value.toString('hex')}`);
    assert.equal(entry.version, version);
    assert.equal(entry.expiresAtMs, null, 'no TTL was given');
  } finally {
    node2.close();
  }
});

test('TTL sets the expiry, and expired values are gone', async () => {
  const before = Date.now();
  await node1.put('node/ttl/long', Buffer.from([1, 2, 3]), { ttlMs: 60000 });
  const afterPut = Date.now();
  const { expiresAtMs } = await node1.get('node/ttl/long');
  assert.ok(expiresAtMs >= before + 60000 - 3000, `expires_at_ms ${expiresAtMs} too early`);
  assert.ok(expiresAtMs <= afterPut + 60000 + 3000, `expires_at_ms ${expiresAtMs} too late`);

  const shortStart = Date.now();
  await node1.put('node/ttl/short', Buffer.from([4]), { ttlMs: 1000 });
  const deadline = shortStart + 10000;
  for (;;) {
    try {
      await node1.get('node/ttl/short');
    } catch (e) {
      if (!(e instanceof NotFound)) throw e;
      const elapsedMs = Date.now() - shortStart;
      assert.ok(elapsedMs >= 900, `gone after only ${elapsedMs} ms of a 1 s TTL`);
      return;
    }
    assert.ok(Date.now() < deadline, 'node/ttl/short still there 10 s after a 1 s TTL');
    await sleep(100);
  }
});

test('a removed key is NotFound, and removing an absent key succeeds', async () => {
  const key = 'node/remove';
  const written = await node1.put(key, Buffer.from([42]));
  const removed = await node1.remove(key);
  assert.ok(removed > written, 'the tombstone is newer than the value');
  await assert.rejects(node1.get(key), (e) => e instanceof NotFound && e.key === key);
  await node1.remove('node/never-written');
});

test('invalid arguments are rejected and the connection stays usable', async () => {
  const value = Buffer.from([7]);
  const invalid = [
    ['an empty key', () => node1.put('', value)],
    ['a 2049-byte key', () => node1.put('k'.repeat(2049), value)],
    ['ttl_ms 0', () => node1.put('node/zero-ttl', value, { ttlMs: 0 })],
  ];
  for (const [what, call] of invalid) {
    await assert.rejects(call(), (e) => {
      assert.ok(e instanceof InvalidArgument, `${what}: ${e}`);
      assert.ok(typeof e.message === 'string' && e.message.length > 0, `${what}: empty message`);
      return true;
    });
  }
  const version = await node1.put('node/after-invalid', value);
  assert.equal((await node1.get('node/after-invalid')).version, version);
});

test('put at ALL is Unavailable with a node down, and QUORUM works', async () => {
  const value = Buffer.from([9]);
  await assert.rejects(node1.put('node/all', value, { consistency: Consistency.ALL }), (e) => {
    assert.ok(e instanceof Unavailable, String(e));
    assert.equal(e.required_replicas, 3);
    assert.equal(e.alive_replicas, 2);
    return true;
  });
  const version = await node1.put('node/all', value, { consistency: Consistency.QUORUM });
  assert.ok(version > 0n);
});

test('no reachable node fails quickly with a clear error', async () => {
  const start = Date.now();
  await assert.rejects(AlderClient.connect([UNUSED], TIMEOUTS), (e) => {
    assert.ok(e instanceof NoNodeReachableError, String(e));
    assert.ok(e.message.startsWith(`no Alder node reachable: ${UNUSED} (`), e.message);
    return true;
  });
  const elapsedMs = Date.now() - start;
  assert.ok(elapsedMs < 3000, `took ${elapsedMs} ms`);
});

// The bounds below are the assertions; the test timeouts only turn a hang
// (a regression) into a failure.
test('a request to a silent server times out, and the next call fails over', { timeout: 15000 }, async () => {
  const held = [];
  const silent = net.createServer((socket) => held.push(socket));  // accepts, never answers
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${silent.address().port}`;
  const alder = await AlderClient.connect([address, NODES[0]], { connectTimeoutMs: 2000, requestTimeoutMs: 500 });
  try {
    assert.equal(alder.address, address);
    const start = Date.now();
    await assert.rejects(alder.get('node/silent'), (e) => {
      assert.ok(e instanceof RequestTimeoutError, String(e));
      assert.equal(e.message, `no answer from ${address} within 500 ms`);
      return true;
    });
    const elapsedMs = Date.now() - start;
    assert.ok(elapsedMs >= 400 && elapsedMs < 5000, `took ${elapsedMs} ms`);
    assert.equal(alder.address, null, 'the connection with an answer in flight is dropped');

    const version = await alder.put('node/after-timeout', Buffer.from([5]));
    assert.equal(alder.address, NODES[0]);
    assert.equal((await alder.get('node/after-timeout')).version, version);
  } finally {
    alder.close();
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('a pending call is rejected when the connection closes', { timeout: 15000 }, async () => {
  const held = [];
  const closing = net.createServer((socket) => held.push(socket));
  await new Promise((resolve) => closing.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${closing.address().port}`;
  const alder = await AlderClient.connect([address], TIMEOUTS);
  try {
    const start = Date.now();
    const call = alder.get('node/closing');
    // Bounded wait for the server side of the connection, then close it.
    for (let i = 0; held.length === 0; ++i) {
      assert.ok(i < 100, 'the server never saw the connection');
      await sleep(20);
    }
    held[0].destroy();  // a reset (unread request) or a close, by timing
    await assert.rejects(call, (e) => e instanceof ConnectionLostError && e.message.includes(address));
    assert.ok(Date.now() - start < TIMEOUTS.requestTimeoutMs / 2, 'rejected by the close, not the timer');
  } finally {
    alder.close();
    await new Promise((resolve) => closing.close(resolve));
  }
});
