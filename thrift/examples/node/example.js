// Alder example: put with a TTL, get, remove, get again (NotFound), and how
// the API's errors are caught: InvalidArgument (an empty key), and
// Unavailable or TimedOut (a put at consistency ALL, which needs every
// replica).
//
//   NODE_PATH=thrift/examples/node/node_modules ALDER_GEN_DIR=build/thrift/gen \
//     node thrift/examples/node/example.js [HOST:PORT...]
//
// Addresses come from the arguments, else from ALDER_NODES (comma-separated),
// else 127.0.0.1:7700. Exits 0 on success, 1 with a one-line message on
// stderr on any other failure.
'use strict';

const KEY = 'example/node/greeting';
const TTL_MS = 60000;

function addresses() {
  const args = process.argv.slice(2);
  if (args.length > 0) return args;
  if (process.env.ALDER_NODES) return process.env.ALDER_NODES.split(',');
  return ['127.0.0.1:7700'];
}

function expiry(entry) {
  if (entry.expiresAtMs === null) return 'never';
  const inSeconds = Math.round((entry.expiresAtMs - Date.now()) / 1000);
  return `${entry.expiresAtMs} (${new Date(entry.expiresAtMs).toISOString()}, in ${inSeconds} s)`;
}

async function main(alderClient) {
  const { AlderClient, Consistency, InvalidArgument, NotFound, Unavailable, TimedOut } = alderClient;
  const alder = await AlderClient.connect(addresses(), { connectTimeoutMs: 2000, requestTimeoutMs: 5000 });
  try {
    console.log(`connected to ${alder.address}`);

    const value = Buffer.from('hello from Node.js');
    const version = await alder.put(KEY, value, { ttlMs: TTL_MS });
    console.log(`put ${KEY} version=${version} ttl_ms=${TTL_MS}`);

    const entry = await alder.get(KEY);
    console.log(`get ${KEY} value="${entry.value.toString()}" version=${entry.version} expires=${expiry(entry)}`);

    const tombstone = await alder.remove(KEY);
    console.log(`remove ${KEY} version=${tombstone}`);

    try {
      await alder.get(KEY);
      throw new Error(`${KEY} is still there after remove`);
    } catch (e) {
      if (!(e instanceof NotFound)) throw e;
      console.log(`get after remove: NotFound key=${e.key}`);
    }

    try {
      await alder.put('', value);
      throw new Error('an empty key was accepted');
    } catch (e) {
      if (!(e instanceof InvalidArgument)) throw e;
      console.log(`InvalidArgument caught: ${e.message}`);
    }

    // ALL needs every replica: with a node down this is Unavailable (the
    // coordinator knows before writing), with a slow one TimedOut.
    try {
      await alder.put(KEY, value, { ttlMs: TTL_MS, consistency: Consistency.ALL });
      console.log('put at ALL succeeded: every replica is up');
    } catch (e) {
      if (e instanceof Unavailable) {
        console.log(`Unavailable caught: required_replicas=${e.required_replicas} alive_replicas=${e.alive_replicas} (${e.message})`);
      } else if (e instanceof TimedOut) {
        console.log(`TimedOut caught: acknowledged=${e.acknowledged} required_acks=${e.required_acks} (${e.message})`);
      } else {
        throw e;
      }
    }
  } finally {
    alder.close();
  }
}

function fail(e) {
  console.error(`alder example failed: ${e.name || 'Error'}: ${String(e.message).split('\n')[0]}`);
  process.exitCode = 1;
}

try {
  main(require('./alder_client')).catch(fail);
} catch (e) {
  fail(e);  // the helper could not load the generated code
}
