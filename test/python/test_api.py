"""The public API from Python: Thrift's generated Python client (Debian's
python3-thrift) against a real alderd process over a real socket, including
hostile input sent with raw sockets, after which the server must still serve.

Run by CTest as `python_api_test`; needs PYTHONPATH pointing at the generated
bindings (build/thrift/gen/py) and ALDERD at the alderd binary.
"""

import fcntl
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import unittest

from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TTransport
from thrift.Thrift import TException

from alder_api import Alder
from alder_api.ttypes import (Consistency, InvalidArgument, NotFound,
                              ReadOptions, WriteOptions)

ALDERD = os.environ["ALDERD"]
MIB = 1 << 20


_reserved_ports = []  # open files whose flock owns a port until exit


def _reserve_across_test_processes(port):
    """Takes the lock on a port's file, as FreePort() in
    test/support/alderd_process.cc does, so that two test processes running
    in parallel never pick the same port before either has bound it."""
    os.makedirs("/tmp/alder-test-ports", exist_ok=True)
    f = open(f"/tmp/alder-test-ports/{port}", "a")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return False
    _reserved_ports.append(f)
    return True


def free_port():
    """A free port below the kernel's ephemeral range, which outgoing
    connections draw from (see test/support/alderd_process.cc)."""
    rng = random.Random()
    for _ in range(1000):
        port = rng.randrange(20000, 32000)
        if not _reserve_across_test_processes(port):
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


class Server:
    """One alderd in a temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="alder-py-")
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "alderd.log"), "wb")
        self.process = subprocess.Popen(
            [ALDERD, "--data_dir", os.path.join(self.dir, "data"),
             "--listen", "127.0.0.1:%d" % self.port,
             "--internode_listen", "127.0.0.1:%d" % free_port(),
             "--metrics_listen", ""],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("alderd exited: " + self.read_log())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("alderd did not listen: " + self.read_log())

    def read_log(self):
        with open(os.path.join(self.dir, "alderd.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return code


def connect(port, timeout_ms=10000):
    sock = TSocket.TSocket("127.0.0.1", port)
    sock.setTimeout(timeout_ms)
    transport = TTransport.TFramedTransport(sock)
    client = Alder.Client(TBinaryProtocol.TBinaryProtocol(transport))
    transport.open()
    return client, transport


class AlderTestCase(unittest.TestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        assert code == 0, "alderd did not stop cleanly (exit %d)" % code

    def setUp(self):
        self.client, self.transport = connect(self.server.port)

    def tearDown(self):
        self.transport.close()

    def put(self, key, value, **options):
        return self.client.put(key, value, WriteOptions(**options))

    def get(self, key, **options):
        return self.client.get(key, ReadOptions(**options))

    def exists(self, key):
        try:
            self.get(key)
            return True
        except NotFound:
            return False


class ApiTest(AlderTestCase):
    def test_put_get_remove(self):
        version = self.put("py:k", b"v1")
        entry = self.get("py:k")
        self.assertEqual(entry.value, b"v1")
        self.assertEqual(entry.version, version)
        self.assertIsNone(entry.expires_at_ms)
        removed = self.client.remove("py:k", WriteOptions())
        self.assertGreater(removed, version)
        self.assertFalse(self.exists("py:k"))
        self.put("py:k", b"again")
        self.assertEqual(self.get("py:k").value, b"again")

    def test_versions_increase_and_follow_the_wall_clock(self):
        versions = [self.put("py:seq", str(i).encode()) for i in range(100)]
        self.assertEqual(versions, sorted(set(versions)))
        self.assertLess(abs((versions[-1] >> 16) - time.time() * 1000), 5000)

    def test_not_found_carries_the_key(self):
        with self.assertRaises(NotFound) as caught:
            self.get("py:never")
        self.assertEqual(caught.exception.key, "py:never")

    def test_removing_an_absent_key_is_fine(self):
        self.assertGreater(self.client.remove("py:absent", WriteOptions()), 0)

    def test_ttl_expires(self):
        version = self.put("py:ttl", b"soon gone", ttl_ms=300)
        entry = self.get("py:ttl")
        self.assertEqual(entry.expires_at_ms, (version >> 16) + 300)
        time.sleep(0.5)
        self.assertFalse(self.exists("py:ttl"))

    def test_every_consistency_level(self):
        for level in (Consistency.ONE, Consistency.QUORUM, Consistency.ALL):
            self.put("py:level", b"x%d" % level, consistency=level)
            self.assertEqual(self.get("py:level", consistency=level).value, b"x%d" % level)

    def test_binary_values_with_all_256_bytes(self):
        value = bytes(range(256)) * 16
        self.put("py:bin", value)
        self.assertEqual(self.get("py:bin").value, value)
        self.put("py:empty", b"")
        self.assertEqual(self.get("py:empty").value, b"")

    def test_unicode_keys_are_exact(self):
        keys = ["ключ", "键", "🔑", "cle\u0301", "cl\u00e9"]
        for k in keys:
            self.put(k, k.encode())
        for k in keys:
            self.assertEqual(self.get(k).value, k.encode())

    def test_key_limit_is_in_utf8_bytes(self):
        at_limit = "é" * 1024  # 2048 bytes in UTF-8
        self.put(at_limit, b"ok")
        self.assertEqual(self.get(at_limit).value, b"ok")
        with self.assertRaises(InvalidArgument) as caught:
            self.put("é" * 1024 + "x", b"no")
        self.assertIn("2049", caught.exception.message)

    def test_invalid_arguments_store_nothing(self):
        cases = [
            lambda: self.put("", b"v"),
            lambda: self.get(""),
            lambda: self.client.remove("", WriteOptions()),
            lambda: self.put("py:bad", b"v", ttl_ms=0),
            lambda: self.put("py:bad", b"v", ttl_ms=-1),
            lambda: self.put("py:bad", b"v", ttl_ms=3650 * 86400000 + 1),
            lambda: self.put("py:bad", b"v", consistency=7),
            lambda: self.put("py:bad", b"v" * (MIB + 1)),
        ]
        for case in cases:
            with self.assertRaises(InvalidArgument) as caught:
                case()
            self.assertTrue(caught.exception.message)
        self.assertFalse(self.exists("py:bad"))

    def test_value_of_exactly_one_mebibyte(self):
        value = os.urandom(MIB)
        self.put("py:big", value)
        self.assertEqual(self.get("py:big").value, value)


class HostileInputTest(AlderTestCase):
    """Each case sends something hostile on a raw socket; afterwards the
    server must still be alive and serve a fresh client."""

    def assert_still_serving(self, label):
        self.assertTrue(self.server.alive(), label + ": alderd died\n" + self.server.read_log())
        client, transport = connect(self.server.port)
        try:
            client.put("py:alive", label.encode(), WriteOptions())
            self.assertEqual(client.get("py:alive", ReadOptions()).value, label.encode())
        finally:
            transport.close()

    def send_raw(self, payload):
        """Sends payload and returns what the server answered before it
        closed the connection (it may close before reading it all)."""
        answer = b""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            try:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
            except (ConnectionResetError, BrokenPipeError, OSError) as e:
                if isinstance(e, socket.timeout):
                    self.fail("the server kept a hostile connection open")
        return answer

    def test_frame_announcing_two_gibibytes(self):
        self.send_raw(b"\x7f\xff\xff\xff" + b"x" * 100)
        self.assert_still_serving("2 GiB frame")

    def test_negative_frame_length(self):
        self.send_raw(b"\xff\xff\xff\xff" + b"x" * 100)
        self.assert_still_serving("negative frame")

    def test_random_bytes(self):
        rng = random.Random(7)
        for round_ in range(5):
            self.send_raw(bytes(rng.getrandbits(8) for _ in range(65536)))
        self.assert_still_serving("random bytes")

    def test_truncated_frame(self):
        self.send_raw(struct.pack(">i", 1000) + b"0123456789")
        self.assert_still_serving("truncated frame")

    def test_frame_of_zeros(self):
        self.send_raw(struct.pack(">i", 1000) + b"\x00" * 1000)
        self.assert_still_serving("zero frame")

    def test_garbage_thrift_message_in_a_valid_frame(self):
        body = b"\x80\x01\x00\x01" + struct.pack(">i", 3) + b"put" + struct.pack(">i", 1) + b"\x0b\x00\x01\xff\xff\xff\xf0"
        self.send_raw(struct.pack(">i", len(body)) + body)
        self.assert_still_serving("garbage message")

    def test_string_length_beyond_the_frame(self):
        # A well-formed put whose key claims 100 MB inside a 40-byte frame.
        body = (b"\x80\x01\x00\x01" + struct.pack(">i", 3) + b"put" + struct.pack(">i", 1) +
                b"\x0b\x00\x01" + struct.pack(">i", 100 * MIB) + b"abc")
        self.send_raw(struct.pack(">i", len(body)) + body)
        self.assert_still_serving("long string claim")

    def test_oversized_real_put_closes_only_that_connection(self):
        client, transport = connect(self.server.port)
        with self.assertRaises((TException, OSError)):
            client.put("py:huge", b"x" * (8 * MIB), WriteOptions())
        transport.close()
        self.assertFalse(self.exists("py:huge"))
        self.assert_still_serving("8 MiB put")

    def test_many_connections_dropped_mid_frame(self):
        for i in range(50):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
            s.sendall(struct.pack(">i", 500) + b"partial" * (i % 5))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
            s.close()
        self.assert_still_serving("dropped connections")


if __name__ == "__main__":
    unittest.main()
