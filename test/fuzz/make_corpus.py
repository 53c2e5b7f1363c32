#!/usr/bin/python3
"""Writes the seed corpora of the harnesses in test/fuzz (corpus/NAME/).

The Thrift requests are made by the generated Python clients
(thrift/alder.thrift, thrift/internode.thrift) writing into memory, so the
seeds are exactly what a client or peer sends: binary protocol, strict,
framed (as alderd's servers read them) and, for a few, bare. Internode
requests name node 2 of cluster "alder" with 16 partitions and trees of
fanout 4 and depth 2, the peer and shape the internode harness's node knows
(test/fuzz/fuzz_node.cc), and carry this machine's clock as their HLC,
which is in the past whenever the harness runs, so they pass the clock check.

  test/fuzz/make_corpus.py [BUILD_DIR]   (Debian's python3, for python3-thrift;
                                          default build-fuzz; the Python
                                          bindings are in BUILD_DIR/thrift/gen/py)
The output is committed; rerun only to change the seeds.
"""
import os
import struct
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build-fuzz")
sys.path.insert(0, os.path.join(build, "thrift", "gen", "py"))

from thrift.protocol import TBinaryProtocol  # noqa: E402
from thrift.transport import TTransport  # noqa: E402

from alder_api import Alder  # noqa: E402
from alder_api import ttypes as api  # noqa: E402
from alder_internode import Internode  # noqa: E402
from alder_internode import ttypes as wire  # noqa: E402


def write(name, seed, data):
    d = os.path.join(here, "corpus", name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, seed), "wb") as f:
        f.write(data)


def request(client_class, call, framed=True):
    """The bytes `call(client)` sends."""
    memory = TTransport.TMemoryBuffer()
    transport = TTransport.TFramedTransport(memory) if framed else memory
    client = client_class(TBinaryProtocol.TBinaryProtocol(transport, strictWrite=True))
    call(client)  # send_* flushes: one frame per message
    return memory.getvalue()


def serialize(struct_value):
    memory = TTransport.TMemoryBuffer()
    struct_value.write(TBinaryProtocol.TBinaryProtocol(memory, strictWrite=True))
    return memory.getvalue()


def api_seeds():
    n = "api_request_fuzzer"
    A = Alder.Client
    write(n, "put", request(A, lambda c: c.send_put("user:1", b"alice", api.WriteOptions())))
    write(n, "put-ttl-all", request(A, lambda c: c.send_put(
        "session:9", b"\x00\x01\x02", api.WriteOptions(ttl_ms=60000, consistency=api.Consistency.ALL))))
    write(n, "put-bare", request(A, lambda c: c.send_put("k", b"v", api.WriteOptions()), framed=False))
    write(n, "get", request(A, lambda c: c.send_get("user:1", api.ReadOptions())))
    write(n, "get-quorum", request(A, lambda c: c.send_get(
        "user:1", api.ReadOptions(consistency=api.Consistency.QUORUM))))
    write(n, "remove", request(A, lambda c: c.send_remove(
        "user:1", api.WriteOptions(consistency=api.Consistency.ONE))))
    write(n, "status", request(A, lambda c: c.send_status()))
    write(n, "repair-key", request(A, lambda c: c.send_repair(api.RepairRequest(key="user:1"))))
    write(n, "repair-partition", request(A, lambda c: c.send_repair(api.RepairRequest(partition=7))))
    write(n, "compare", request(A, lambda c: c.send_compare(
        api.CompareRequest(partition=3, list_keys=True))))
    write(n, "verify-trees", request(A, lambda c: c.send_verifyTrees()))

    # Several calls on one connection, as a client makes them.
    memory = TTransport.TMemoryBuffer()
    framed = TTransport.TFramedTransport(memory)
    client = A(TBinaryProtocol.TBinaryProtocol(framed, strictWrite=True))
    for call in (lambda: client.send_put("a", b"1", api.WriteOptions()),
                 lambda: client.send_get("a", api.ReadOptions()),
                 lambda: client.send_remove("a", api.WriteOptions()),
                 lambda: client.send_get("a", api.ReadOptions())):
        call()
    write(n, "session", memory.getvalue())


def internode_seeds():
    n = "internode_request_fuzzer"
    now_ms = int(time.time() * 1000)
    hlc = now_ms << 16
    sender = wire.Sender(node_id=2, hlc=hlc, cluster_name="alder", partitions=16,
                         wall_us=now_ms * 1000)
    value = wire.WireRecord(hlc=hlc, node_id=2, tombstone=False, expires_at_ms=0, value=b"v1")
    ttl = wire.WireRecord(hlc=hlc + 1, node_id=2, tombstone=False, expires_at_ms=now_ms + 3600000,
                          value=b"expiring")
    tomb = wire.WireRecord(hlc=hlc + 2, node_id=2, tombstone=True, expires_at_ms=0, value=b"")
    shape = wire.TreeShape(fanout=4, depth=2)
    I = Internode.Client
    write(n, "write", request(I, lambda c: c.send_write(sender, "user:1", value)))
    write(n, "write-ttl", request(I, lambda c: c.send_write(sender, "user:2", ttl)))
    write(n, "write-tombstone", request(I, lambda c: c.send_write(sender, "user:1", tomb)))
    write(n, "write-bare", request(I, lambda c: c.send_write(sender, "k", value), framed=False))
    write(n, "read", request(I, lambda c: c.send_read(sender, "user:1")))
    write(n, "heartbeat", request(I, lambda c: c.send_heartbeat(sender)))
    write(n, "deliver-hints", request(I, lambda c: c.send_deliverHints(
        sender, [wire.HintedWrite(key="h1", record=value), wire.HintedWrite(key="h2", record=tomb)])))
    write(n, "tree-nodes", request(I, lambda c: c.send_treeNodes(sender, shape, 5, 1, [0, 3])))
    write(n, "tree-root", request(I, lambda c: c.send_treeNodes(sender, shape, 0, 0, [0])))
    write(n, "leaf-keys", request(I, lambda c: c.send_leafKeys(sender, shape, 5, [0, 7, 15])))
    write(n, "fetch-records", request(I, lambda c: c.send_fetchRecords(sender, ["user:1", "x"])))
    write(n, "push-records", request(I, lambda c: c.send_pushRecords(sender, [
        wire.KeyedRecord(key="p1", record=value), wire.KeyedRecord(key="p2")])))
    other = wire.Sender(node_id=3, hlc=hlc, cluster_name="other", partitions=64)
    write(n, "heartbeat-unknown-node", request(I, lambda c: c.send_heartbeat(other)))


def wire_seeds():
    n = "wire_record_fuzzer"
    hlc = 1764806400000 << 16
    record = wire.WireRecord(hlc=hlc, node_id=2, tombstone=False, expires_at_ms=0, value=b"value")
    tomb = wire.WireRecord(hlc=hlc + 5, node_id=3, tombstone=True, expires_at_ms=0, value=b"")
    kinds = [
        ("record", 0, record),
        ("record-ttl", 0, wire.WireRecord(hlc=hlc, node_id=1, tombstone=False,
                                          expires_at_ms=1764806460000, value=b"x" * 40)),
        ("keyed-record", 1, wire.KeyedRecord(key="k", record=tomb)),
        ("keyed-nothing", 1, wire.KeyedRecord(key="missing")),
        ("hinted-write", 2, wire.HintedWrite(key="h", record=record)),
        ("key-digest", 3, wire.KeyDigest(key="k", digest=bytes(range(16)), hlc=hlc, node_id=2,
                                         tombstone=False, expires_at_ms=0)),
        ("sender", 4, wire.Sender(node_id=2, hlc=hlc, cluster_name="alder", partitions=256,
                                  wall_us=1764806400000123)),
        ("heartbeat-reply", 5, wire.HeartbeatReply(node_id=2, hlc=hlc, wall_ms=1764806400000,
                                                   wall_us=1764806400000123,
                                                   client_address="127.0.0.1:7700")),
        ("heartbeat-reply-old", 5, wire.HeartbeatReply(node_id=2, hlc=hlc, wall_ms=1764806400000)),
        ("tree-shape", 6, wire.TreeShape(fanout=16, depth=3)),
        ("refused", 7, wire.Refused(message="clock ahead", reason=wire.RefusalReason.CLOCK_AHEAD)),
    ]
    for seed, kind, value in kinds:
        write(n, seed, bytes([kind]) + serialize(value))


def stored_seeds():
    n = "stored_record_fuzzer"

    def encode(tombstone, hlc, node, expires, stored, value):
        return struct.pack(">BBQIQQ", 1, 1 if tombstone else 0, hlc, node, expires, stored) + value
    hlc = 1764806400000 << 16
    write(n, "value", encode(False, hlc, 1, 0, 1764806400001, b"alice"))
    write(n, "value-ttl", encode(False, hlc | 7, 2, 1764806460000, 1764806400002, b"\x00" * 32))
    write(n, "empty-value", encode(False, hlc, 3, 0, 1764806400003, b""))
    write(n, "tombstone", encode(True, hlc, 1, 0, 1764806400004, b""))


def duration_seeds():
    n = "duration_fuzzer"
    for text in ["500ms", "30s", "10m", "3h", "10d", "0s", "9223372036854775807ms"]:
        write(n, text, text.encode())


def config_seeds():
    n = "config_fuzzer"
    ff = b"\xff"
    write(n, "flags", b"--node_id=2\n--data_dir=/tmp/x\n--listen=0.0.0.0:7700\n--gc_grace=1d")
    write(n, "peers", b"--node_id\n1\n--peers\n1@127.0.0.1:7701,2@127.0.0.2:7701,3@h:7701\n"
                      b"--replication_factor=2\n--partitions=64")
    write(n, "sizes", b"--cache_size=256MB\n--repair_rate=0\n--max_value_bytes=1024")
    write(n, "help", b"--help")
    write(n, "print-config", b"--print-config\n--durability=process")
    write(n, "file", ff + b"node_id = 3\ncluster_name = prod\npeers = 1@a:1,2@b:2,3@c:3\n"
                          b"request_timeout = 500ms\nhint_window = 1h\nmax_clock_offset = 250ms\n")
    write(n, "flags-and-file", b"--node_id=1\n--tree_fanout=32\n" + ff +
          b"tree_depth = 2\ndurability = fsync\nmetrics_listen =\nlog_level = debug\n")


if __name__ == "__main__":
    api_seeds()
    internode_seeds()
    wire_seeds()
    stored_seeds()
    duration_seeds()
    config_seeds()
