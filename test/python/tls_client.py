"""One call to an Alder node's client port over TLS with the generated Python
bindings (python3-thrift's TSSLSocket), for test/integration/tls_test.cc:

    tls_client.py PORT CA [CERT KEY] put KEY VALUE   -> prints the version
    tls_client.py PORT CA [CERT KEY] get KEY         -> prints the value

The server's certificate must be signed by CA and name 127.0.0.1. Exits 0
on success, 1 with the error on stderr otherwise. Needs PYTHONPATH to hold
the generated bindings (build/thrift/gen/py).
"""

import ssl
import sys

from alder_api import Alder
from alder_api.ttypes import ReadOptions, WriteOptions, Consistency
from thrift.protocol import TBinaryProtocol
from thrift.transport import TSSLSocket, TTransport


def connect(port, ca, cert, key):
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert:
        context.load_cert_chain(cert, key)
    # The context checks the certificate and the host name itself; Thrift's
    # own second check calls the deprecated ssl.match_hostname.
    socket = TSSLSocket.TSSLSocket("127.0.0.1", port, ssl_context=context,
                                   server_hostname="127.0.0.1",
                                   validate_callback=lambda cert, host: None)
    transport = TTransport.TFramedTransport(socket)
    transport.open()
    return Alder.Client(TBinaryProtocol.TBinaryProtocol(transport)), transport


def main(argv):
    port, ca = int(argv[1]), argv[2]
    rest = argv[3:]
    cert = key = None
    if rest and rest[0] not in ("put", "get"):
        cert, key, rest = rest[0], rest[1], rest[2:]
    client, transport = connect(port, ca, cert, key)
    try:
        if rest[0] == "put":
            print(client.put(rest[1], rest[2].encode(),
                             WriteOptions(consistency=Consistency.QUORUM)))
        else:
            entry = client.get(rest[1], ReadOptions(consistency=Consistency.QUORUM))
            print(entry.value.decode())
    finally:
        transport.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # the test reads the reason
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
