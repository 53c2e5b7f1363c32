// The Java client (generated code + thrift/examples/java/AlderClient) against
// a real three-node cluster with node 3 down, started by alder_with_cluster
// (see test/clients/with_cluster.cc for the environment it sets).
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.alderdb.api.Consistency;
import org.alderdb.api.Entry;
import org.alderdb.api.InvalidArgument;
import org.alderdb.api.NotFound;
import org.alderdb.api.ReadOptions;
import org.alderdb.api.Unavailable;
import org.alderdb.api.WriteOptions;
import org.alderdb.examples.AlderClient;
import org.apache.thrift.transport.TTransportException;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

public class AlderClientTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private static final List<String> NODES = List.of(env("ALDER_NODES").split(","));
  private static final String UNUSED = env("ALDER_UNUSED_ADDRESS");
  private static final String DOWN = env("ALDER_DOWN_NODE");

  private AlderClient node1;

  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) throw new IllegalStateException(name + " is not set: run under alder_with_cluster");
    return value;
  }

  private static AlderClient connect(String... addresses) throws TTransportException {
    return AlderClient.connect(List.of(addresses), CONNECT_TIMEOUT, REQUEST_TIMEOUT);
  }

  @Before
  public void connectToNode1() throws Exception {
    node1 = connect(NODES.get(0));
  }

  @After
  public void close() {
    node1.close();
  }

  @Test
  public void failsOverPastUnreachableAddresses() throws Exception {
    try (AlderClient alder = connect(UNUSED, DOWN, NODES.get(0))) {
      assertEquals(NODES.get(0), alder.connectedAddress());
      byte[] value = "failover".getBytes(StandardCharsets.UTF_8);
      long version = alder.put("java/failover", value, new WriteOptions());
      Entry entry = alder.get("java/failover", new ReadOptions());
      assertArrayEquals(value, entry.getValue());
      assertEquals(version, entry.getVersion());
    }
  }

  @Test
  public void binaryValueUnderUnicodeKeyRoundTripsBetweenNodes() throws Exception {
    String key = "java/ключ/ü/🔑";
    byte[] value = new byte[256];
    for (int i = 0; i < value.length; ++i) value[i] = (byte) i;
    long version = node1.put(key, value, new WriteOptions());
    try (AlderClient node2 = connect(NODES.get(1))) {
      Entry entry = node2.get(key, new ReadOptions().setConsistency(Consistency.QUORUM));
      assertArrayEquals(value, entry.getValue());
      assertEquals(version, entry.getVersion());
      assertFalse("no TTL was given", entry.isSetExpires_at_ms());
    }
  }

  @Test
  public void ttlSetsExpiryAndExpiredValuesAreGone() throws Exception {
    byte[] value = {1, 2, 3};
    long before = System.currentTimeMillis();
    node1.put("java/ttl/long", value, new WriteOptions().setTtl_ms(60_000));
    long after = System.currentTimeMillis();
    Entry entry = node1.get("java/ttl/long", new ReadOptions());
    assertTrue(entry.isSetExpires_at_ms());
    long expires = entry.getExpires_at_ms();
    assertTrue("expires_at_ms " + expires + " too early", expires >= before + 60_000 - 3_000);
    assertTrue("expires_at_ms " + expires + " too late", expires <= after + 60_000 + 3_000);

    long shortStart = System.nanoTime();
    node1.put("java/ttl/short", value, new WriteOptions().setTtl_ms(1_000));
    long deadline = shortStart + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        node1.get("java/ttl/short", new ReadOptions());
      } catch (NotFound expired) {
        long elapsedMs = (System.nanoTime() - shortStart) / 1_000_000;
        assertTrue("gone after only " + elapsedMs + " ms of a 1 s TTL", elapsedMs >= 900);
        return;
      }
      assertTrue("java/ttl/short still there 10 s after a 1 s TTL", System.nanoTime() < deadline);
      Thread.sleep(100);
    }
  }

  @Test
  public void removedKeyIsNotFoundAndRemovingAbsentKeySucceeds() throws Exception {
    String key = "java/remove";
    long written = node1.put(key, new byte[] {42}, new WriteOptions());
    long removed = node1.remove(key, new WriteOptions());
    assertTrue("the tombstone is newer than the value", removed > written);
    NotFound notFound = assertThrows(NotFound.class, () -> node1.get(key, new ReadOptions()));
    assertEquals(key, notFound.getKey());
    node1.remove("java/never-written", new WriteOptions());
  }

  @Test
  public void invalidArgumentsAreRejectedAndConnectionStaysUsable() throws Exception {
    byte[] value = {7};
    InvalidArgument emptyKey = assertThrows(InvalidArgument.class,
        () -> node1.put("", value, new WriteOptions()));
    InvalidArgument longKey = assertThrows(InvalidArgument.class,
        () -> node1.put("k".repeat(2049), value, new WriteOptions()));
    InvalidArgument zeroTtl = assertThrows(InvalidArgument.class,
        () -> node1.put("java/zero-ttl", value, new WriteOptions().setTtl_ms(0)));
    for (InvalidArgument e : List.of(emptyKey, longKey, zeroTtl)) {
      assertNotNull(e.getMessage());
      assertFalse("empty InvalidArgument message", e.getMessage().isEmpty());
    }
    long version = node1.put("java/after-invalid", value, new WriteOptions());
    assertEquals(version, node1.get("java/after-invalid", new ReadOptions()).getVersion());
  }

  @Test
  public void putAtAllIsUnavailableWithANodeDownButQuorumWorks() throws Exception {
    byte[] value = {9};
    Unavailable e = assertThrows(Unavailable.class,
        () -> node1.put("java/all", value, new WriteOptions().setConsistency(Consistency.ALL)));
    assertEquals(3, e.getRequired_replicas());
    assertEquals(2, e.getAlive_replicas());
    long version = node1.put("java/all", value, new WriteOptions().setConsistency(Consistency.QUORUM));
    assertTrue(version > 0);
  }

  @Test
  public void noReachableNodeFailsQuicklyWithClearError() {
    long start = System.nanoTime();
    AlderClient.NoNodeReachableException e =
        assertThrows(AlderClient.NoNodeReachableException.class, () -> connect(UNUSED));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue("took " + elapsedMs + " ms", elapsedMs < 3_000);
    assertTrue(e.getMessage(), e.getMessage().startsWith("no Alder node reachable: " + UNUSED));
  }

  @Test
  public void requestToSilentServerTimesOutAndNextCallFailsOver() throws Exception {
    try (SilentServer silent = new SilentServer();
         AlderClient alder = AlderClient.connect(
             List.of(silent.address(), NODES.get(0)), CONNECT_TIMEOUT, Duration.ofMillis(500))) {
      assertEquals(silent.address(), alder.connectedAddress());
      long start = System.nanoTime();
      TTransportException e = assertThrows(TTransportException.class,
          () -> alder.get("java/silent", new ReadOptions()));
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(TTransportException.TIMED_OUT, e.getType());
      assertTrue(e.getMessage(), e.getMessage().contains("within 500 ms"));
      assertTrue("took " + elapsedMs + " ms", elapsedMs >= 400 && elapsedMs < 5_000);

      long version = alder.put("java/after-timeout", new byte[] {5}, new WriteOptions());
      assertEquals(NODES.get(0), alder.connectedAddress());
      assertEquals(version, alder.get("java/after-timeout", new ReadOptions()).getVersion());
    }
  }

  // Accepts connections and never answers, holding them open until closed.
  private static final class SilentServer implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    private final List<Socket> accepted = new ArrayList<>();
    private final Thread acceptor = new Thread(this::acceptUntilClosed, "silent-server");

    SilentServer() throws IOException {
      acceptor.start();
    }

    String address() {
      return "127.0.0.1:" + listener.getLocalPort();
    }

    private void acceptUntilClosed() {
      try {
        while (true) {
          Socket socket = listener.accept();
          synchronized (accepted) {
            accepted.add(socket);
          }
        }
      } catch (IOException closed) {
        // close() closed the listener
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      try {
        acceptor.join(5_000);  // so no socket is accepted after the ones below are closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (accepted) {
        for (Socket socket : accepted) socket.close();
      }
    }
  }
}
