"""A three-node cluster from Python: three real alderd processes (replication
factor 3, fast heartbeats) driven through the generated Python client.

Covers replication of binary values and unicode keys across nodes (a write
through one node is read, with the same version, through the others), the
status() view of the cluster, and a node failure: SIGKILL of one node makes
ALL writes Unavailable while QUORUM writes go on and leave a hint for the dead
node; the hint is delivered when the node restarts, after which that node
alone holds the write.

Run by CTest as `python_cluster_test`; needs PYTHONPATH pointing at the
generated bindings (build/thrift/gen/py) and ALDERD at the alderd binary.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from alder_api.ttypes import Consistency, ReadOptions, Unavailable, WriteOptions

from test_api import ALDERD, connect, free_port

NODES = (1, 2, 3)
START_TIMEOUT_S = 30
CLUSTER_TIMEOUT_S = 10
POLL_S = 0.05


def distinct_free_ports(count):
    ports = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def wait_for(what, predicate, timeout_s, describe=lambda: ""):
    """Polls predicate every POLL_S until it returns something true; returns
    that, or raises AssertionError after timeout_s."""
    deadline = time.monotonic() + timeout_s
    last_error = None
    while True:
        try:
            result = predicate()
            if result:
                return result
        except Exception as e:  # a node still starting, a connection refused
            last_error = e
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %g s waiting for %s (last error: %r)\n%s"
                                 % (timeout_s, what, last_error, describe()))
        time.sleep(POLL_S)


class Node:
    """One alderd of the cluster; its data dir and log survive restarts."""

    def __init__(self, node_id, root, client_port, internode_port, peers):
        self.node_id = node_id
        self.dir = os.path.join(root, "node%d" % node_id)
        os.makedirs(self.dir)
        self.log_path = os.path.join(self.dir, "alderd.log")
        self.client_port = client_port
        self.args = [
            ALDERD, "--node_id", str(node_id),
            "--data_dir", os.path.join(self.dir, "data"),
            "--listen", "127.0.0.1:%d" % client_port,
            "--internode_listen", "127.0.0.1:%d" % internode_port,
            "--metrics_listen", "",
            "--peers", peers,
            "--replication_factor", "3",
            "--durability", "process",
            "--heartbeat_interval", "200ms",
            "--failure_timeout", "1s",
        ]
        self.process = None
        self.log = None

    def start(self):
        assert not self.alive()
        self.log = open(self.log_path, "ab")
        self.log.write(b"=== test: starting node %d ===\n" % self.node_id)
        self.log.flush()
        self.process = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_listening(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("alderd %d exited (%d): %s"
                                   % (self.node_id, self.process.returncode, self.read_log()))
            try:
                socket.create_connection(("127.0.0.1", self.client_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("alderd %d did not listen: %s" % (self.node_id, self.read_log()))

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL; returns once the process is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self._close_log()

    def stop(self):
        """SIGTERM, escalating to SIGKILL; returns the exit code (None if
        the node was not running)."""
        if self.process is None or self.process.poll() is not None:
            self._close_log()
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
            code = "killed after SIGTERM timed out"
        self._close_log()
        return code

    def _close_log(self):
        if self.log is not None:
            self.log.close()
            self.log = None

    def read_log(self, tail=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-tail:]
        except OSError:
            return ""

    def call(self, method, *args):
        """One request on a fresh connection (a killed peer must not leave
        this client with a dead socket)."""
        client, transport = connect(self.client_port)
        try:
            return getattr(client, method)(*args)
        finally:
            transport.close()

    def status(self):
        return self.call("status")

    def put(self, key, value, **options):
        return self.call("put", key, value, WriteOptions(**options))

    def get(self, key, **options):
        return self.call("get", key, ReadOptions(**options))


class Cluster:
    """Three alderd processes that all list all three as peers."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="alder-py-cluster-")
        ports = distinct_free_ports(2 * len(NODES))
        client_ports = dict(zip(NODES, ports[:len(NODES)]))
        internode_ports = dict(zip(NODES, ports[len(NODES):]))
        peers = ",".join("%d@127.0.0.1:%d" % (n, internode_ports[n]) for n in NODES)
        self.nodes = {n: Node(n, self.root, client_ports[n], internode_ports[n], peers)
                      for n in NODES}

    def __getitem__(self, node_id):
        return self.nodes[node_id]

    def start(self):
        for node in self.nodes.values():
            node.start()
        for node in self.nodes.values():
            node.wait_listening()
        for node in self.nodes.values():
            self.wait_all_up_seen_by(node)

    def wait_all_up_seen_by(self, node):
        def all_up():
            status = node.status()
            return len(status.nodes) == len(NODES) and all(n.up for n in status.nodes)
        wait_for("node %d to see all nodes up" % node.node_id, all_up, CLUSTER_TIMEOUT_S,
                 self.describe)

    def kill_all(self):
        for node in self.nodes.values():
            try:
                node.kill()
            except Exception:
                pass

    def destroy(self):
        self.kill_all()
        shutil.rmtree(self.root, ignore_errors=True)

    def describe(self):
        parts = []
        for node in self.nodes.values():
            parts.append("--- node %d (%s) log tail ---\n%s"
                         % (node.node_id, "running" if node.alive() else "not running",
                            node.read_log()))
        return "\n".join(parts)


def node_status(status, node_id):
    matches = [n for n in status.nodes if n.node_id == node_id]
    assert len(matches) == 1, "node %d appears %d times in %r" % (node_id, len(matches), status)
    return matches[0]


class ClusterTestCase(unittest.TestCase):
    """One cluster per test class; every process is killed afterwards, even
    when setUpClass fails half-way."""

    cluster = None

    @classmethod
    def setUpClass(cls):
        cls.cluster = Cluster()
        try:
            cls.cluster.start()
        except BaseException:
            cls.cluster.destroy()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.cluster is not None:
            cls.cluster.destroy()
            cls.cluster = None


class ReplicationTest(ClusterTestCase):
    def test_writes_through_one_node_are_read_through_the_others(self):
        cases = {
            "py:cluster:bin": bytes(range(256)) * 16,
            "py:cluster:all-bytes": bytes(range(256)),
            "py:cluster:empty": b"",
            "py:cluster:ключ🔑": "значение 🔑".encode(),
            "cle\u0301": b"decomposed",
            "cl\u00e9": b"composed",
        }
        versions = {key: self.cluster[1].put(key, value) for key, value in cases.items()}
        for node_id in (2, 3):
            for key, value in cases.items():
                entry = self.cluster[node_id].get(key)
                self.assertEqual(entry.value, value, "%r via node %d" % (key, node_id))
                self.assertEqual(entry.version, versions[key], "%r via node %d" % (key, node_id))

    def test_status_from_node_2(self):
        status = self.cluster[2].status()
        self.assertEqual(status.node_id, 2)
        self.assertEqual(status.partitions, 256)
        self.assertEqual(status.replication_factor, 3)
        self.assertFalse(status.clock_fenced)
        self.assertIsNone(status.clock_fence_reason)
        self.assertEqual(status.hints_dropped, 0)
        self.assertEqual(sorted(n.node_id for n in status.nodes), [1, 2, 3])
        self.assertEqual([n.node_id for n in status.nodes if n.is_self], [2])
        for node in status.nodes:
            self.assertTrue(node.up, node)
            self.assertEqual(node.partitions_owned, 256, node)  # RF 3 on 3 nodes: all of them
            self.assertEqual(node.hints_pending, 0, node)
            self.assertTrue(node.internode_address.startswith("127.0.0.1:"), node)
            if not node.is_self:
                self.assertIsNotNone(node.last_heartbeat_ms_ago, node)
                self.assertLess(node.last_heartbeat_ms_ago, 1000, node)


class NodeFailureTest(ClusterTestCase):
    def hints_pending_on_1_for_3(self):
        return node_status(self.cluster[1].status(), 3).hints_pending

    def test_killed_node_gets_its_hints_and_then_serves_alone(self):
        c = self.cluster
        c[3].kill()
        wait_for("node 1 to see node 3 down",
                 lambda: not node_status(c[1].status(), 3).up, CLUSTER_TIMEOUT_S, c.describe)

        with self.assertRaises(Unavailable) as caught:
            c[1].put("py:cluster:all", b"needs three", consistency=Consistency.ALL)
        self.assertEqual(caught.exception.required_replicas, 3)
        self.assertEqual(caught.exception.alive_replicas, 2)
        self.assertTrue(caught.exception.message)

        value = bytes(range(256)) + "ключ 🔑".encode()
        version = c[1].put("py:cluster:hinted", value)  # QUORUM
        self.assertEqual(c[1].get("py:cluster:hinted").version, version)
        # The refused ALL write left no hint; the QUORUM one left exactly one.
        self.assertEqual(self.hints_pending_on_1_for_3(), 1, c.describe())

        c[3].start()
        c[3].wait_listening()
        wait_for("node 1 to deliver its hint to node 3",
                 lambda: self.hints_pending_on_1_for_3() == 0, CLUSTER_TIMEOUT_S, c.describe)

        c[1].kill()
        c[2].kill()
        entry = c[3].get("py:cluster:hinted", consistency=Consistency.ONE)
        self.assertEqual(entry.value, value)
        self.assertEqual(entry.version, version)


if __name__ == "__main__":
    unittest.main()
