// AlderClient: a connection to one node of an Alder cluster, chosen from a
// list of addresses, over the public API's transport (TFramedTransport +
// TBinaryProtocol, DESIGN.md section 8).
//
// Any node coordinates any request, so the client simply uses the first
// address that accepts a connection. Every call has a request timeout (the
// socket's read timeout): a node that accepts but never answers fails the
// call instead of hanging it. After a transport error (connection lost, or a
// call timed out, which leaves an answer in flight) the connection is
// dropped and the next call connects again, starting with the address after
// the one that failed. A failed call is never retried here: a put that timed
// out may still have been applied, and only the caller knows whether
// repeating it is right.
//
// Not thread-safe: use one AlderClient per thread.
package org.alderdb.examples;

import java.nio.ByteBuffer;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.alderdb.api.Alder;
import org.alderdb.api.Entry;
import org.alderdb.api.ReadOptions;
import org.alderdb.api.WriteOptions;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.layered.TFramedTransport;

public final class AlderClient implements AutoCloseable {
  /** No address accepted a connection; the message names each address and why. */
  public static final class NoNodeReachableException extends TTransportException {
    private static final long serialVersionUID = 1L;

    NoNodeReachableException(String message) {
      super(TTransportException.NOT_OPEN, message);
    }
  }

  /** The default client port (DESIGN.md section 8). */
  public static final int DEFAULT_PORT = 7700;

  private final List<String> addresses;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private int currentIndex = -1;  // into addresses; -1 before the first connect
  private TTransport transport;   // null while disconnected
  private Alder.Client client;

  private AlderClient(List<String> addresses, Duration connectTimeout, Duration requestTimeout) {
    this.addresses = List.copyOf(addresses);
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
  }

  /**
   * Connects to the first of `addresses` ("host:port", or "host" for port
   * 7700) that accepts within connectTimeout. Every later call fails with a
   * TTransportException of type TIMED_OUT if no answer comes within
   * requestTimeout. Throws NoNodeReachableException if none accepts, or
   * IllegalArgumentException if the list is empty or an address is malformed.
   */
  public static AlderClient connect(
      List<String> addresses, Duration connectTimeout, Duration requestTimeout)
      throws NoNodeReachableException {
    if (addresses.isEmpty()) throw new IllegalArgumentException("no Alder node addresses given");
    for (String address : addresses) parseAddress(address);
    AlderClient alder = new AlderClient(addresses, connectTimeout, requestTimeout);
    alder.reconnect();
    return alder;
  }

  /** The address of the node currently connected, or null while disconnected. */
  public String connectedAddress() {
    return transport == null ? null : addresses.get(currentIndex);
  }

  /** Writes `value` under `key`; returns the version written. */
  public long put(String key, byte[] value, WriteOptions options) throws TException {
    return call(() -> client.put(key, ByteBuffer.wrap(value), options));
  }

  /** Reads `key`; throws NotFound if it is absent, removed or expired. */
  public Entry get(String key, ReadOptions options) throws TException {
    return call(() -> client.get(key, options));
  }

  /** Removes `key`; returns the version of the tombstone. Absent keys are not an error. */
  public long remove(String key, WriteOptions options) throws TException {
    return call(() -> client.remove(key, options));
  }

  @Override
  public void close() {
    if (transport != null) transport.close();
    transport = null;
    client = null;
  }

  private interface Call<T> {
    T run() throws TException;
  }

  private <T> T call(Call<T> call) throws TException {
    if (transport == null) reconnect();
    String address = addresses.get(currentIndex);
    try {
      return call.run();
    } catch (TProtocolException e) {
      close();  // a garbled answer: the stream's framing can no longer be trusted
      throw e;
    } catch (TTransportException e) {
      close();  // the stream's state is unknown: an answer may still be on its way
      if (e.getType() == TTransportException.TIMED_OUT || e.getCause() instanceof SocketTimeoutException) {
        throw new TTransportException(TTransportException.TIMED_OUT,
            "no answer from " + address + " within " + requestTimeout.toMillis() + " ms", e);
      }
      throw new TTransportException(e.getType(), "connection to " + address + " failed: " + e.getMessage(), e);
    }
  }

  // Tries every address once, starting after the current one.
  private void reconnect() throws NoNodeReachableException {
    List<String> failures = new ArrayList<>();
    for (int attempt = 1; attempt <= addresses.size(); ++attempt) {
      int index = (currentIndex + attempt) % addresses.size();
      String address = addresses.get(index);
      try {
        transport = open(address);
        client = new Alder.Client(new TBinaryProtocol(transport));
        currentIndex = index;
        return;
      } catch (TTransportException e) {
        failures.add(address + " (" + rootMessage(e) + ")");
      }
    }
    throw new NoNodeReachableException("no Alder node reachable: " + String.join(", ", failures));
  }

  private TTransport open(String address) throws TTransportException {
    HostPort hostPort = parseAddress(address);
    TSocket socket = new TSocket(new TConfiguration(), hostPort.host, hostPort.port,
        (int) requestTimeout.toMillis(), (int) connectTimeout.toMillis());
    TFramedTransport framed = new TFramedTransport(socket);
    framed.open();
    return framed;
  }

  private record HostPort(String host, int port) {}

  // "host:port", "[v6]:port" or "host" (port 7700).
  private static HostPort parseAddress(String address) {
    int colon = address.lastIndexOf(':');
    boolean hasPort = colon > 0 && (address.indexOf(':') == colon || address.charAt(colon - 1) == ']');
    String host = hasPort ? address.substring(0, colon) : address;
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    if (host.isEmpty()) throw new IllegalArgumentException("bad Alder node address: '" + address + "'");
    if (!hasPort) return new HostPort(host, DEFAULT_PORT);
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      if (port < 1 || port > 65535) throw new NumberFormatException();
      return new HostPort(host, port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in Alder node address: '" + address + "'");
    }
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) e = e.getCause();
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
