#!/usr/bin/python3
"""Alder from Python with the alder module (python3-alder): put with a TTL,
get, remove, a get of the removed key, and the errors a program should
expect: InvalidArgument, Unavailable and TimedOut.

    example.py [host:port ...]     (default: $ALDER_NODES, else 127.0.0.1:7700)

Exits 0 on success, 1 with a one-line message on stderr otherwise.
"""

import os
import sys
import time

from thrift.Thrift import TException

import alder

KEY = "example/greeting"


def run(client):
    version = client.put(KEY, b"hello, alder", ttl=60)
    print("put %s: version %d, ttl 60 s" % (KEY, version))

    entry = client.get(KEY)
    expires_in_s = (entry.expires_at_ms - time.time() * 1000) / 1000
    print("get %s: value %r, version %d, expires_at_ms %d (in %.0f s)"
          % (KEY, entry.value, entry.version, entry.expires_at_ms, expires_in_s))

    print("remove %s: version %d" % (KEY, client.remove(KEY)))
    try:
        client.get(KEY)
        raise RuntimeError("%s is still there after remove" % KEY)
    except alder.NotFound as error:
        print("get %s: NotFound (key %r)" % (KEY, error.key))

    # The server checks the limits; the connection stays usable afterwards.
    try:
        client.put("", b"no key")
        raise RuntimeError("a put with an empty key succeeded")
    except alder.InvalidArgument as error:
        print("put with an empty key: InvalidArgument: %s" % error.message)

    # ALL needs every replica: with a node down the coordinator refuses at
    # once (Unavailable); a replica that does not answer in time gives TimedOut.
    try:
        version = client.put(KEY, b"to every replica", consistency="all")
        print("put at ALL: version %d" % version)
    except alder.Unavailable as error:
        print("put at ALL: Unavailable: %d of %d replicas alive (%s)"
              % (error.alive_replicas, error.required_replicas, error.message))
    except alder.TimedOut as error:
        print("put at ALL: TimedOut: %d of %d acks (%s)"
              % (error.acknowledged, error.required_acks, error.message))
    client.remove(KEY)


def main(argv):
    nodes = argv[1:] or os.environ.get("ALDER_NODES", "127.0.0.1:7700").split(",")
    try:
        with alder.Client(nodes, timeout=5, connect_timeout=2) as client:
            print("connected to %s" % client.address)
            run(client)
    except (ConnectionError, ValueError, RuntimeError) as error:
        # NoNodeAvailable, ConnectionLost and RequestTimeout are ConnectionErrors.
        print("example: %s" % error, file=sys.stderr)
        return 1
    except TException as error:  # Unavailable or TimedOut at QUORUM, say
        print("example: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
