"""A thin Python client for Alder (DESIGN.md section 8), over the generated
module alder_api (Thrift, TFramedTransport and TBinaryProtocol):

    import alder
    with alder.Client(["10.0.0.1:7700", "10.0.0.2:7700"], timeout=5) as client:
        version = client.put("greeting", b"hello", ttl=60, consistency="all")
        entry = client.get("greeting")  # alder_api Entry: value, version, expires_at_ms
        client.remove("greeting")

One connection, to one node at a time: no pooling, no threads, and one
Client per thread (a Client is not thread-safe).

Fail-over. The client connects to the first node of `nodes` that accepts a
connection; later it reconnects starting after the node that failed. A
request goes to another connection only when it certainly never reached the
node it was meant for: the node had already closed the connection (say after
its idle timeout; that node is tried again, last) or the socket took none of
its bytes (that node is skipped for this request). Once bytes of a request
have left, a broken connection or a missing reply raises ConnectionLost
(RequestTimeout for a reply that did not come in `timeout`) and the request
is not retried: a put may have been applied, and repeating it later under
last-writer-wins could overwrite a newer write by someone else.
`maybe_applied` on the error says which case it was. The next call fails
over to the next node.

Errors: the server's InvalidArgument, NotFound, Unavailable and TimedOut
(re-exported here) leave the connection usable. NoNodeAvailable, when no
node could take a request, lists each address and why it failed. Arguments
of the wrong type raise TypeError, and bad consistency names ValueError,
before anything is sent; the server checks the limits (key 1..2048 bytes,
value up to 1 MiB, ttl at least 1 ms) and answers InvalidArgument.
"""

import datetime
import socket

from thrift.Thrift import TApplicationException, TException
from thrift.protocol import TBinaryProtocol
from thrift.transport import TSocket, TTransport

from alder_api import Alder
from alder_api.ttypes import (Consistency, Entry, InvalidArgument, NotFound,
                              ReadOptions, TimedOut, Unavailable, WriteOptions)

__all__ = ["Client", "Entry", "Consistency", "InvalidArgument", "NotFound",
           "Unavailable", "TimedOut", "NoNodeAvailable", "ConnectionLost",
           "RequestTimeout"]

# Answers of the server: complete messages, so the connection stays usable.
_SERVER_ERRORS = (InvalidArgument, NotFound, Unavailable, TimedOut, TApplicationException)
# Anything else from the transport or protocol leaves a framed connection in
# an unknown state (half a frame may have been read): it is closed.
_CONNECTION_ERRORS = (OSError, EOFError, TException)


class NoNodeAvailable(ConnectionError):
    """No node could take the request. `failures` lists (address, reason)
    for each node tried, in the order tried."""

    def __init__(self, failures):
        self.failures = list(failures)
        super().__init__("no Alder node available: " + "; ".join(
            "%s (%s)" % failure for failure in self.failures))


class ConnectionLost(ConnectionError):
    """The connection to `address` broke during `request` ("put", "get" or
    "remove"). `maybe_applied` is False when the request certainly did not
    reach the node (part of it was sent, and a node applies only whole
    requests), True when it may have been applied. Not retried."""

    def __init__(self, address, request, reason, maybe_applied):
        self.address = address
        self.request = request
        self.reason = reason
        self.maybe_applied = maybe_applied
        outcome = "it may have been applied" if maybe_applied else "it was not applied"
        super().__init__("connection to %s lost during %s (%s); %s"
                         % (address, request, reason, outcome))


class RequestTimeout(ConnectionLost, TimeoutError):
    """No reply (or no room to send) within the client's `timeout`. Unlike
    the server's TimedOut, this says nothing of the replicas."""


def _seconds(value, name):
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise TypeError("%s must be seconds (int or float) or a timedelta, not %s"
                    % (name, type(value).__name__))


def _consistency(level):
    """None (the server's default, QUORUM), a Consistency value or its name."""
    if level is None:
        return None
    if isinstance(level, str):
        value = Consistency._NAMES_TO_VALUES.get(level.upper())
    elif isinstance(level, int) and not isinstance(level, bool):
        value = level if level in Consistency._VALUES_TO_NAMES else None
    else:
        raise TypeError("consistency must be a Consistency value or one of 'one', "
                        "'quorum', 'all', not %s" % type(level).__name__)
    if value is None:
        raise ValueError("unknown consistency %r: use one of 'one', 'quorum', 'all'" % (level,))
    return value


def _check_key(key):
    if not isinstance(key, str):
        raise TypeError("key must be str, not %s" % type(key).__name__)
    key.encode("utf-8")  # raises UnicodeEncodeError (a ValueError) for lone surrogates


def _parse_address(address):
    """"host:port" or "[ipv6]:port" into (host, port)."""
    if not isinstance(address, str):
        raise TypeError("node addresses must be str 'host:port', not %s" % type(address).__name__)
    host, _, port = address.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        host = ""  # an IPv6 address needs brackets
    if not host or not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise ValueError("bad node address %r: expected host:port or [ipv6]:port" % address)
    return host, int(port)


def _reason(error):
    """(a short reason a user can act on, whether it was a timeout) of a
    socket or Thrift error; TSocket wraps socket errors as `inner`."""
    error = getattr(error, "inner", None) or error
    if isinstance(error, TimeoutError) or \
            getattr(error, "type", None) == TTransport.TTransportException.TIMED_OUT:
        return "timed out", True
    if isinstance(error, OSError) and error.strerror:
        return error.strerror, False
    if isinstance(error, EOFError) or \
            getattr(error, "type", None) == TTransport.TTransportException.END_OF_FILE:
        return "the node closed the connection", False
    return str(error) or type(error).__name__, False


class _Connection(TSocket.TSocket):
    """A connected TSocket with its Alder client, counting the bytes the
    kernel took in the current write, so a failed send tells whether any left."""

    def __init__(self, address, sock):
        super().__init__()
        self.setHandle(sock)
        self.address = address
        self.bytes_sent = 0
        transport = TTransport.TFramedTransport(self)
        self.client = Alder.Client(TBinaryProtocol.TBinaryProtocol(transport))

    def write(self, buff):
        view = memoryview(buff)
        while self.bytes_sent < len(view):
            self.bytes_sent += self.handle.send(view[self.bytes_sent:])

    def closed_by_node(self):
        # isOpen peeks without blocking: EOF means the node closed it.
        return not self.isOpen()


class Client:
    """A connection to one node of `nodes` (a list of "host:port", or one
    comma-separated string). `connect_timeout` bounds each connection
    attempt and `timeout` each send and each wait for a reply, in seconds
    (int, float or timedelta; None waits forever). Connects at once: raises
    NoNodeAvailable if no node accepts, ValueError for a bad address."""

    def __init__(self, nodes=("127.0.0.1:7700",), timeout=10.0, connect_timeout=2.0):
        if isinstance(nodes, str):
            nodes = [node.strip() for node in nodes.split(",") if node.strip()]
        self._nodes = [(address, _parse_address(address)) for address in nodes]
        if not self._nodes:
            raise ValueError("no node addresses given")
        self._timeout = _seconds(timeout, "timeout")
        self._connect_timeout = _seconds(connect_timeout, "connect_timeout")
        self._next = 0  # index of the node the next connection tries first
        self._connection = None
        self._closed = False
        self._connect([])

    @property
    def address(self):
        """The "host:port" of the node connected to, or None."""
        return self._connection.address if self._connection else None

    def put(self, key, value, ttl=None, consistency=None):
        """Stores `value` (bytes) under `key` (str); `ttl` in seconds (int,
        float or timedelta, rounded to milliseconds) or None for never.
        Returns the version written (an int)."""
        _check_key(key)
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError("value must be bytes, not %s%s" % (
                type(value).__name__, " (encode it)" if isinstance(value, str) else ""))
        options = WriteOptions(consistency=_consistency(consistency))
        if ttl is not None:
            options.ttl_ms = round(_seconds(ttl, "ttl") * 1000)
        return self._call("put", key, bytes(value), options)

    def get(self, key, consistency=None):
        """Returns the Entry under `key` (value, version, expires_at_ms or
        None); raises NotFound if there is none."""
        _check_key(key)
        return self._call("get", key, ReadOptions(consistency=_consistency(consistency)))

    def remove(self, key, consistency=None):
        """Removes `key` (not an error if absent); returns the version written."""
        _check_key(key)
        return self._call("remove", key, WriteOptions(consistency=_consistency(consistency)))

    def close(self):
        """Closes the connection; the Client cannot be used afterwards."""
        self._closed = True
        self._disconnect()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _connect(self, failures):
        """Connects to the nodes in turn from self._next, skipping those in
        `failures` (this call's failed nodes), to which it adds its own."""
        failed = {address for address, _ in failures}
        count = len(self._nodes)
        for offset in range(count):
            index = (self._next + offset) % count
            address, host_port = self._nodes[index]
            if address in failed:
                continue
            try:
                sock = socket.create_connection(host_port, timeout=self._connect_timeout)
            except OSError as error:
                failures.append((address, _reason(error)[0]))
                continue
            sock.settimeout(self._timeout)
            self._next = index
            self._connection = _Connection(address, sock)
            return self._connection
        raise NoNodeAvailable(failures)

    def _disconnect(self):
        """Closes the connection; the next one starts at the following node."""
        if self._connection:
            self._connection.close()
            self._connection = None
            self._next = (self._next + 1) % len(self._nodes)

    def _call(self, request, *args):
        if self._closed:
            raise ValueError("the Alder client is closed")
        failures = []
        for _ in range(len(self._nodes)):  # each retry moves past one failed node
            connection = self._connection
            if connection and connection.closed_by_node():
                self._disconnect()  # that node is tried again, but last
                connection = None
            if connection is None:
                connection = self._connect(failures)
            connection.bytes_sent = 0
            try:
                getattr(connection.client, "send_" + request)(*args)
            except _CONNECTION_ERRORS as error:
                self._disconnect()
                if connection.bytes_sent == 0:  # nothing left: try the next node
                    failures.append((connection.address, _reason(error)[0]))
                    continue
                raise self._lost(connection, request, error, maybe_applied=False) from error
            except BaseException:  # e.g. KeyboardInterrupt: half a frame must not prefix the next
                self._disconnect()
                raise
            try:
                return getattr(connection.client, "recv_" + request)()
            except _SERVER_ERRORS:
                raise
            except _CONNECTION_ERRORS as error:
                self._disconnect()
                raise self._lost(connection, request, error, maybe_applied=True) from error
            except BaseException:  # the rest of the reply would be read as the next one's
                self._disconnect()
                raise
        raise NoNodeAvailable(failures)

    def _lost(self, connection, request, error, maybe_applied):
        reason, timed_out = _reason(error)
        if timed_out:
            reason = "%s within %g s" % ("no reply" if maybe_applied else "could not send",
                                         self._timeout)
            return RequestTimeout(connection.address, request, reason, maybe_applied)
        return ConnectionLost(connection.address, request, reason, maybe_applied)
