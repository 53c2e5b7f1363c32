// Runs thrift/examples/node/example.js as its users would, in its own
// process, against the cluster of alder_with_cluster (node 3 down), and
// checks what it prints and how it exits.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');

const EXAMPLE = path.join(process.env.ALDER_EXAMPLES_DIR, 'node', 'example.js');
const NODES = process.env.ALDER_NODES.split(',');

// Resolves with { code, stdout, stderr }; the example gets 60 s.
function runExample(nodes, args = []) {
  return new Promise((resolve) => {
    const options = { env: { ...process.env, ALDER_NODES: nodes }, timeout: 60000 };
    execFile(process.execPath, [EXAMPLE, ...args], options, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, signal: err && err.signal, stdout, stderr });
    });
  });
}

test('runs every step and reports Unavailable with a node down', async () => {
  const { code, stdout, stderr } = await runExample(NODES.join(','));
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, new RegExp(`^connected to ${NODES[0]}\n`));
  assert.match(stdout, /\nput example\/node\/greeting version=\d+ ttl_ms=60000\n/);
  assert.match(stdout,
    /\nget example\/node\/greeting value="hello from Node\.js" version=\d+ expires=\d+ \(.*, in (59|60) s\)\n/);
  assert.match(stdout, /\nget after remove: NotFound key=example\/node\/greeting\n/);
  assert.match(stdout, /\nInvalidArgument caught: \S/);
  assert.match(stdout, /\nUnavailable caught: required_replicas=3 alive_replicas=2 /);
});

test('arguments override ALDER_NODES', async () => {
  const { code, stdout, stderr } = await runExample(process.env.ALDER_UNUSED_ADDRESS, [NODES[1]]);
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, new RegExp(`^connected to ${NODES[1]}\n`));
});

test('fails with one line when no node is reachable', async () => {
  const { code, stdout, stderr } = await runExample(process.env.ALDER_UNUSED_ADDRESS);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /^alder example failed: NoNodeReachableError: no Alder node reachable: [^\n]*\n$/);
});
