"""Hostile clients against one Alder client port, for bench/hostile-load.sh.

    hostile_clients.py PORT SECONDS MAX_CONNECTIONS

For SECONDS, over and over: connections that send random bytes and close;
TLS records of garbage (a handshake record header, then noise); handshakes
begun and never finished (held open); frames announced and left half-sent
(held open); and, at the start, MAX_CONNECTIONS + 50 connections held open
doing nothing. Held connections are dropped and opened again as the server
closes them. Prints one JSON line: how many of each it made. Bounded: it
stops by itself after SECONDS and holds at most 2 x MAX_CONNECTIONS + 200
sockets.
"""

import json
import os
import random
import socket
import struct
import sys
import time


def connect(port):
    s = socket.socket()
    s.settimeout(2)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    return s


def main():
    port, seconds, max_connections = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(12)
    counts = {"random_bytes": 0, "tls_garbage": 0, "unfinished_handshakes": 0,
              "half_frames": 0, "idle_held": 0, "refused_connects": 0}
    held = []
    limit = 2 * max_connections + 200

    def hold(s):
        held.append(s)
        while len(held) > limit:
            held.pop(0).close()

    deadline = time.monotonic() + seconds
    for _ in range(max_connections + 50):
        try:
            hold(connect(port))
            counts["idle_held"] += 1
        except OSError:
            counts["refused_connects"] += 1
    while time.monotonic() < deadline:
        kind = rng.randrange(4)
        try:
            s = connect(port)
        except OSError:
            counts["refused_connects"] += 1
            time.sleep(0.01)
            continue
        try:
            if kind == 0:
                s.send(os.urandom(rng.randrange(1, 4096)))
                s.close()
                counts["random_bytes"] += 1
            elif kind == 1:
                body = os.urandom(rng.randrange(1, 2048))
                s.send(b"\x16\x03\x01" + struct.pack(">H", len(body)) + body)
                s.close()
                counts["tls_garbage"] += 1
            elif kind == 2:
                s.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
                hold(s)
                counts["unfinished_handshakes"] += 1
            else:
                s.send(struct.pack(">I", 1 << 20) + os.urandom(100))
                hold(s)
                counts["half_frames"] += 1
        except OSError:
            s.close()
        time.sleep(0.002)
    for s in held:
        s.close()
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
