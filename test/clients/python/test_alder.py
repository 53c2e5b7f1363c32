"""The alder module (thrift/python/alder) against a real three-node cluster
started by alder_with_cluster --down 3: ALDER_NODES (nodes 1, 2, 3),
ALDER_UNUSED_ADDRESS (nothing listens) and ALDER_DOWN_NODE (node 3, killed).
Listeners in the test itself stand in for nodes that misbehave.

Run by CTest as client_python with PYTHONPATH holding the generated
alder_api and thrift/python.
"""

import datetime
import os
import select
import socket
import struct
import threading
import time
import unittest
import uuid

import alder

NODES = os.environ["ALDER_NODES"].split(",")
UNUSED = os.environ["ALDER_UNUSED_ADDRESS"]
DOWN = os.environ["ALDER_DOWN_NODE"]
TIMEOUT_S = 5


def unique_key(name):
    return "python/%s/%s" % (name, uuid.uuid4().hex)


def now_ms():
    return time.time() * 1000


class Listener:
    """A loopback TCP listener that is not an Alder node."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(TIMEOUT_S)
        self.address = "127.0.0.1:%d" % self.socket.getsockname()[1]

    def accept(self):
        connection, _ = self.socket.accept()
        connection.settimeout(TIMEOUT_S)
        return connection

    def close(self):
        self.socket.close()


def read_until_eof(connection):
    received = b""
    for _ in range(1000):  # bounded: each recv waits at most TIMEOUT_S
        chunk = connection.recv(65536)
        if not chunk:
            return received
        received += chunk
    raise AssertionError("the client never closed the connection")


class ClientTest(unittest.TestCase):
    def client(self, nodes=None, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT_S)
        client = alder.Client(nodes or [NODES[0]], **kwargs)
        self.addCleanup(client.close)
        return client

    def listener(self):
        listener = Listener()
        self.addCleanup(listener.close)
        return listener

    def test_fails_over_past_unused_address_and_down_node(self):
        client = self.client([UNUSED, DOWN, NODES[0]])
        self.assertEqual(client.address, NODES[0])
        key = unique_key("failover")
        version = client.put(key, b"v")
        self.assertEqual(client.get(key).version, version)

    def test_round_trips_every_byte_under_unicode_key_across_nodes(self):
        key = "ключ/ü/🔑/" + uuid.uuid4().hex
        value = bytes(range(256))
        version = self.client([NODES[0]]).put(key, value)
        entry = self.client([NODES[1]]).get(key, consistency="quorum")
        self.assertEqual(entry.value, value)
        self.assertEqual(entry.version, version)
        self.assertIsNone(entry.expires_at_ms)

    def test_ttl_sets_expiry_about_a_minute_ahead(self):
        client = self.client()
        key = unique_key("ttl")
        client.put(key, b"v", ttl=60)
        self.assertAlmostEqual(client.get(key).expires_at_ms, now_ms() + 60000, delta=5000)

    def test_ttl_as_timedelta(self):
        client = self.client()
        key = unique_key("timedelta")
        client.put(key, b"v", ttl=datetime.timedelta(minutes=2))
        self.assertAlmostEqual(client.get(key).expires_at_ms, now_ms() + 120000, delta=5000)

    def test_short_ttl_expires(self):
        client = self.client()
        key = unique_key("expires")
        client.put(key, b"v", ttl=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.get(key)
            except alder.NotFound:
                return
            time.sleep(0.1)
        self.fail("%s still there 10 s after a 1 s ttl" % key)

    def test_removed_key_is_not_found(self):
        client = self.client()
        key = unique_key("remove")
        put_version = client.put(key, b"v")
        self.assertGreater(client.remove(key), put_version)
        with self.assertRaises(alder.NotFound) as raised:
            client.get(key)
        self.assertEqual(raised.exception.key, key)

    def test_removing_absent_key_succeeds(self):
        self.assertIsInstance(self.client().remove(unique_key("absent")), int)

    def assert_invalid_then_usable(self, client, call):
        with self.assertRaises(alder.InvalidArgument) as raised:
            call()
        self.assertTrue(raised.exception.message)
        address = client.address
        client.put(unique_key("after-invalid"), b"still usable")
        self.assertEqual(client.address, address)

    def test_empty_key_is_invalid(self):
        client = self.client()
        self.assert_invalid_then_usable(client, lambda: client.put("", b"v"))

    def test_key_of_2049_bytes_is_invalid(self):
        client = self.client()
        self.assert_invalid_then_usable(client, lambda: client.put("k" * 2049, b"v"))

    def test_zero_ttl_is_invalid(self):
        client = self.client()
        self.assert_invalid_then_usable(client, lambda: client.put(unique_key("ttl0"), b"v", ttl=0))

    def test_all_is_unavailable_with_a_node_down_and_quorum_works(self):
        client = self.client()
        key = unique_key("all")
        with self.assertRaises(alder.Unavailable) as raised:
            client.put(key, b"v", consistency="all")
        self.assertEqual(raised.exception.required_replicas, 3)
        self.assertEqual(raised.exception.alive_replicas, 2)
        client.put(key, b"v", consistency="quorum")

    def test_consistency_by_name_or_enum(self):
        client = self.client()
        key = unique_key("consistency")
        for level in ("all", "ALL", alder.Consistency.ALL):
            with self.assertRaises(alder.Unavailable, msg=repr(level)):
                client.put(key, b"v", consistency=level)
        for level in ("one", "Quorum", alder.Consistency.QUORUM, alder.Consistency.ONE):
            client.put(key, b"v", consistency=level)
            self.assertEqual(client.get(key, consistency=level).value, b"v")
        for level in ("most", 7):
            with self.assertRaises(ValueError, msg=repr(level)):
                client.get(key, consistency=level)

    def test_no_node_reachable_fails_quickly_naming_each_address(self):
        start = time.monotonic()
        with self.assertRaises(alder.NoNodeAvailable) as raised:
            alder.Client([UNUSED, DOWN], connect_timeout=2)
        self.assertLess(time.monotonic() - start, 2)
        self.assertIsInstance(raised.exception, ConnectionError)
        self.assertEqual([address for address, _ in raised.exception.failures], [UNUSED, DOWN])
        self.assertIn(UNUSED, str(raised.exception))
        self.assertIn("refused", str(raised.exception))

    def test_request_without_reply_times_out(self):
        listener = self.listener()
        client = self.client([listener.address], timeout=0.5)
        silent = listener.accept()  # accepts, reads nothing, never answers
        self.addCleanup(silent.close)
        start = time.monotonic()
        with self.assertRaises(alder.RequestTimeout) as raised:
            client.put(unique_key("timeout"), b"v")
        self.assertLess(time.monotonic() - start, 5)
        self.assertIsInstance(raised.exception, TimeoutError)
        self.assertTrue(raised.exception.maybe_applied)
        self.assertEqual(raised.exception.address, listener.address)

    def test_request_sent_is_not_retried_when_connection_breaks(self):
        listener = self.listener()
        client = self.client([listener.address, NODES[0]])

        def read_one_request_then_close():
            with listener.accept() as connection:
                size, = struct.unpack("!i", connection.recv(4, socket.MSG_WAITALL))
                connection.recv(size, socket.MSG_WAITALL)

        server = threading.Thread(target=read_one_request_then_close)
        server.start()
        key = unique_key("not-retried")
        with self.assertRaises(alder.ConnectionLost) as raised:
            client.put(key, b"v")
        server.join(TIMEOUT_S)
        self.assertNotIsInstance(raised.exception, alder.RequestTimeout)
        self.assertTrue(raised.exception.maybe_applied)
        self.assertEqual(raised.exception.address, listener.address)
        with self.assertRaises(alder.NotFound):  # the put was not repeated on node 1
            self.client([NODES[0]]).get(key)
        client.put(key, b"v")  # the next call fails over
        self.assertEqual(client.address, NODES[0])

    def test_connection_closed_by_node_fails_over_before_sending(self):
        listener = self.listener()
        client = self.client([listener.address, NODES[0]])
        listener.accept().close()  # as a node does after its idle timeout
        # Bounded wait until the close has reached the client's socket.
        readable, _, _ = select.select([client._connection.handle], [], [], TIMEOUT_S)
        self.assertTrue(readable)
        key = unique_key("stale")
        version = client.put(key, b"v")
        self.assertEqual(client.address, NODES[0])
        self.assertEqual(self.client([NODES[0]]).get(key).version, version)

    def test_only_node_closing_connection_is_reconnected(self):
        listener = self.listener()
        client = self.client([listener.address], timeout=0.5)
        listener.accept().close()  # as a node does after its idle timeout
        readable, _, _ = select.select([client._connection.handle], [], [], TIMEOUT_S)
        self.assertTrue(readable)
        # The request goes out on a new connection (which, here, never answers).
        with self.assertRaises(alder.RequestTimeout):
            client.put(unique_key("reconnect"), b"v")
        second = listener.accept()
        self.addCleanup(second.close)
        self.assertGreater(len(second.recv(65536)), 0)

    def test_context_manager_closes_socket(self):
        listener = self.listener()
        with alder.Client([listener.address]) as client:
            connection = listener.accept()
            self.addCleanup(connection.close)
        self.assertEqual(read_until_eof(connection), b"")
        with self.assertRaises(ValueError):
            client.get("k")

    def test_bad_arguments_raise_type_error_before_sending(self):
        listener = self.listener()
        client = alder.Client([listener.address])
        connection = listener.accept()
        self.addCleanup(connection.close)
        bad_calls = [
            lambda: client.put(b"bytes key", b"v"),
            lambda: client.put("k", "a str value"),
            lambda: client.put("k", None),
            lambda: client.put("k", b"v", ttl="60"),
            lambda: client.put("k", b"v", consistency=2.0),
            lambda: client.get(42),
            lambda: client.remove(None),
        ]
        for call in bad_calls:
            with self.assertRaises(TypeError):
                call()
        client.close()
        self.assertEqual(read_until_eof(connection), b"")


if __name__ == "__main__":
    unittest.main()
