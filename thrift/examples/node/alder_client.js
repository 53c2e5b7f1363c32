// AlderClient: a connection to one node of an Alder cluster, chosen from a
// list of addresses, over the public API's transport (TFramedTransport +
// TBinaryProtocol, DESIGN.md section 8), with promises and Alder's own types.
//
// Any node coordinates any request, so the client uses the first address
// that accepts a connection. The npm thrift library has two gaps this file
// closes: a call waits for ever when no answer comes (it has no request
// timeout; its `timeout` option is only an idle timer on the socket that
// fails nothing), and a call pending when the connection closes or errors is
// never settled. Here every call has its own timer, and every pending call is
// rejected when the connection goes. After a connection error or a timeout
// (which leaves an answer in flight) the connection is dropped and the next
// call connects again, starting with the address after the one that failed.
// A failed call is never retried here: a put that timed out may still have
// been applied, and only the caller knows whether repeating it is right.
//
// Versions are 64-bit hybrid logical clock values, beyond a Number's 53 bits
// of precision, so they are BigInts.
//
// The generated code is loaded from $ALDER_GEN_DIR/js (thrift --gen js:node);
// it requires 'thrift' and 'node-int64' itself, which Node finds only if
// NODE_PATH names this folder's node_modules (see README.md).
'use strict';

const path = require('path');

function requireThrift() {
  try {
    return require('thrift');
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    throw new Error(`npm module thrift is not installed: run npm ci --prefix ${__dirname}`);
  }
}

const thrift = requireThrift();

const DEFAULT_PORT = 7700;

function loadGenerated() {
  const genDir = process.env.ALDER_GEN_DIR;
  if (!genDir) throw new Error('ALDER_GEN_DIR is not set: it must name the directory holding js/Alder.js');
  try {
    return {
      Alder: require(path.join(genDir, 'js', 'Alder.js')),
      types: require(path.join(genDir, 'js', 'alder_types.js')),
    };
  } catch (e) {
    if (e.code === 'MODULE_NOT_FOUND' && /'(thrift|node-int64)'/.test(e.message)) {
      throw new Error(`the generated code cannot find its npm modules: set NODE_PATH=${path.join(__dirname, 'node_modules')}`);
    }
    throw e;
  }
}

const { Alder, types } = loadGenerated();

/** No address accepted a connection; `failures` says why, per address. */
class NoNodeReachableError extends Error {
  constructor(failures) {
    super(`no Alder node reachable: ${failures.map((f) => `${f.address} (${f.reason})`).join(', ')}`);
    this.name = 'NoNodeReachableError';
    this.failures = failures;
  }
}

/** No answer within the request timeout; the call may or may not have been applied. */
class RequestTimeoutError extends Error {
  constructor(address, timeoutMs) {
    super(`no answer from ${address} within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** The connection closed or failed while the call was pending (or before it was sent). */
class ConnectionLostError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

// "host:port", "[v6]:port" or "host" (port 7700).
function parseAddress(text) {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(text) || /^([0-9a-fA-F:]+)$/.exec(text);
  const port = match && match[3] !== undefined ? Number(match[3]) : DEFAULT_PORT;
  if (!match || port < 1 || port > 65535) throw new Error(`bad Alder node address: '${text}'`);
  return { text, host: match[1] || match[2], port };
}

// Resolves with a connected thrift Connection, or rejects with why not.
function openConnection(address, connectTimeoutMs) {
  return new Promise((resolve, reject) => {
    // connect_timeout makes the socket emit 'timeout' while connecting; once
    // connected, thrift sets the socket's idle timeout to its `timeout`
    // option, left unset (0) here: the per-call timers do that job.
    const connection = thrift.createConnection(address.host, address.port, {
      transport: thrift.TFramedTransport,
      protocol: thrift.TBinaryProtocol,
      connect_timeout: connectTimeoutMs,
    });
    const listeners = {
      connect: () => settle(null),
      error: (err) => settle(new Error(err.code || err.message)),
      close: () => settle(new Error('connection closed')),
      timeout: () => settle(new Error(`no connection within ${connectTimeoutMs} ms`)),
    };
    const settle = (err) => {
      for (const [event, listener] of Object.entries(listeners)) connection.removeListener(event, listener);
      if (!err) return resolve(connection);
      // A late 'error' with no listener would crash the process.
      connection.on('error', () => {});
      connection.destroy();
      reject(err);
    };
    for (const [event, listener] of Object.entries(listeners)) connection.on(event, listener);
  });
}

// One connection and the calls pending on it. Once gone (closed, failed or
// timed out) it stays gone; AlderClient opens a new one.
class Session {
  constructor(address, connection, requestTimeoutMs) {
    this.address = address;
    this.gone = false;
    this._connection = connection;
    this._client = thrift.createClient(Alder, connection);
    this._requestTimeoutMs = requestTimeoutMs;
    this._pending = new Set();  // of { reject, timer }
    connection.on('error', (err) => this.end(`connection to ${address.text} failed: ${err.message}`));
    connection.on('close', () => this.end(`connection to ${address.text} closed`));
  }

  call(method, args) {
    if (this.gone) return Promise.reject(new ConnectionLostError(`connection to ${this.address.text} is closed`));
    return new Promise((resolve, reject) => {
      const pending = { reject, timer: null };
      pending.timer = setTimeout(() => {
        this._pending.delete(pending);
        reject(new RequestTimeoutError(this.address.text, this._requestTimeoutMs));
        this.end(`connection to ${this.address.text} dropped after a request timed out`);
      }, this._requestTimeoutMs);
      this._pending.add(pending);
      const settle = (err, result) => {
        if (!this._pending.delete(pending)) return;  // already rejected: too late
        clearTimeout(pending.timer);
        if (err) reject(err);
        else resolve(result);
      };
      try {
        this._client[method](...args, settle);
      } catch (err) {
        settle(err);  // e.g. a value that cannot be serialized
      }
    });
  }

  // Closes the connection and rejects every pending call with `why`.
  end(why) {
    if (this.gone) return;
    this.gone = true;
    this._connection.on('error', () => {});  // errors after the end are no news
    this._connection.destroy();
    for (const pending of this._pending) {
      clearTimeout(pending.timer);
      pending.reject(new ConnectionLostError(why));
    }
    this._pending.clear();
  }
}

function toBigInt(int64) {
  return int64.buffer.readBigInt64BE(int64.offset);
}

class AlderClient {
  /**
   * Connects to the first of `addresses` that accepts within connectTimeoutMs
   * (default 2000); each later call rejects with RequestTimeoutError if no
   * answer comes within requestTimeoutMs (default 5000). Rejects with
   * NoNodeReachableError if no address accepts, or Error for a bad address.
   */
  static async connect(addresses, { connectTimeoutMs = 2000, requestTimeoutMs = 5000 } = {}) {
    if (!Array.isArray(addresses) || addresses.length === 0) throw new Error('no Alder node addresses given');
    const alder = new AlderClient(addresses.map(parseAddress), connectTimeoutMs, requestTimeoutMs);
    await alder._reconnect();
    return alder;
  }

  constructor(addresses, connectTimeoutMs, requestTimeoutMs) {
    this._addresses = addresses;
    this._connectTimeoutMs = connectTimeoutMs;
    this._requestTimeoutMs = requestTimeoutMs;
    this._index = -1;          // into _addresses; -1 before the first connect
    this._session = null;
    this._connecting = null;   // the reconnect in progress, shared by concurrent calls
  }

  /** The address connected to ("host:port"), or null while disconnected. */
  get address() {
    return this._session && !this._session.gone ? this._session.address.text : null;
  }

  /**
   * Writes `value` (a Buffer, or a string stored as UTF-8) under `key`.
   * options: { ttlMs, consistency } (consistency: Consistency.ONE, QUORUM or
   * ALL; default QUORUM). Resolves with the version written (a BigInt).
   */
  async put(key, value, { ttlMs, consistency } = {}) {
    const options = new types.WriteOptions({ ttl_ms: ttlMs, consistency });
    return toBigInt(await this._call('put', [key, Buffer.from(value), options]));
  }

  /**
   * Reads `key`: resolves with { value: Buffer, version: BigInt,
   * expiresAtMs: Unix ms, or null without a TTL }; rejects with NotFound if
   * it is absent, removed or expired. options: { consistency }.
   */
  async get(key, { consistency } = {}) {
    const entry = await this._call('get', [key, new types.ReadOptions({ consistency })]);
    return {
      value: entry.value,
      version: toBigInt(entry.version),
      expiresAtMs: entry.expires_at_ms === null ? null : Number(toBigInt(entry.expires_at_ms)),
    };
  }

  /** Removes `key` (absent keys are not an error); resolves with the tombstone's version. */
  async remove(key, { consistency } = {}) {
    return toBigInt(await this._call('remove', [key, new types.WriteOptions({ consistency })]));
  }

  /** Closes the connection; calls still pending reject with ConnectionLostError. */
  close() {
    if (this._session) this._session.end('closed by the caller');
  }

  async _call(method, args) {
    if (!this._session || this._session.gone) await this._reconnect();
    return this._session.call(method, args);
  }

  _reconnect() {
    if (!this._connecting) {
      this._connecting = this._connectToNext().finally(() => { this._connecting = null; });
    }
    return this._connecting;
  }

  // Tries every address once, starting after the current one.
  async _connectToNext() {
    const failures = [];
    for (let attempt = 1; attempt <= this._addresses.length; ++attempt) {
      const index = (this._index + attempt) % this._addresses.length;
      const address = this._addresses[index];
      try {
        const connection = await openConnection(address, this._connectTimeoutMs);
        this._session = new Session(address, connection, this._requestTimeoutMs);
        this._index = index;
        return;
      } catch (err) {
        failures.push({ address: address.text, reason: err.message });
      }
    }
    throw new NoNodeReachableError(failures);
  }
}

module.exports = {
  AlderClient,
  NoNodeReachableError,
  RequestTimeoutError,
  ConnectionLostError,
  DEFAULT_PORT,
  Consistency: types.Consistency,
  InvalidArgument: types.InvalidArgument,
  NotFound: types.NotFound,
  Unavailable: types.Unavailable,
  TimedOut: types.TimedOut,
};
