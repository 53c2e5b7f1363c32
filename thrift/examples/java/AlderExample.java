// AlderExample: put with a TTL, get, remove, get again (NotFound), and how
// the API's errors are caught: InvalidArgument (an empty key), and
// Unavailable or TimedOut (a put at consistency ALL, which needs every
// replica).
//
//   java -cp CLASSPATH org.alderdb.examples.AlderExample [HOST:PORT...]
//
// Addresses come from the arguments, else from ALDER_NODES (comma-separated),
// else 127.0.0.1:7700. Exits 0 on success, 1 with a one-line message on
// stderr on any other failure.
package org.alderdb.examples;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.alderdb.api.Consistency;
import org.alderdb.api.Entry;
import org.alderdb.api.InvalidArgument;
import org.alderdb.api.NotFound;
import org.alderdb.api.ReadOptions;
import org.alderdb.api.TimedOut;
import org.alderdb.api.Unavailable;
import org.alderdb.api.WriteOptions;

public final class AlderExample {
  private static final String KEY = "example/java/greeting";
  private static final long TTL_MS = 60_000;

  public static void main(String[] args) {
    try {
      run(addresses(args));
    } catch (Exception e) {
      System.err.println("alder example failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      System.exit(1);
    }
  }

  private static List<String> addresses(String[] args) {
    if (args.length > 0) return Arrays.asList(args);
    String fromEnv = System.getenv("ALDER_NODES");
    if (fromEnv != null && !fromEnv.isBlank()) return Arrays.asList(fromEnv.split(","));
    return List.of("127.0.0.1:" + AlderClient.DEFAULT_PORT);
  }

  private static void run(List<String> addresses) throws Exception {
    try (AlderClient alder =
        AlderClient.connect(addresses, Duration.ofSeconds(2), Duration.ofSeconds(5))) {
      System.out.println("connected to " + alder.connectedAddress());

      byte[] value = "hello from Java".getBytes(StandardCharsets.UTF_8);
      long version = alder.put(KEY, value, new WriteOptions().setTtl_ms(TTL_MS));
      System.out.println("put " + KEY + " version=" + version + " ttl_ms=" + TTL_MS);

      Entry entry = alder.get(KEY, new ReadOptions());
      System.out.println("get " + KEY + " value=\"" + new String(entry.getValue(), StandardCharsets.UTF_8)
          + "\" version=" + entry.getVersion() + " expires=" + expiry(entry));

      long tombstone = alder.remove(KEY, new WriteOptions());
      System.out.println("remove " + KEY + " version=" + tombstone);

      try {
        alder.get(KEY, new ReadOptions());
        throw new IllegalStateException(KEY + " is still there after remove");
      } catch (NotFound e) {
        System.out.println("get after remove: NotFound key=" + e.getKey());
      }

      try {
        alder.put("", value, new WriteOptions());
        throw new IllegalStateException("an empty key was accepted");
      } catch (InvalidArgument e) {
        System.out.println("InvalidArgument caught: " + e.getMessage());
      }

      // ALL needs every replica: with a node down this is Unavailable (the
      // coordinator knows before writing), with a slow one TimedOut.
      try {
        alder.put(KEY, value, new WriteOptions().setConsistency(Consistency.ALL).setTtl_ms(TTL_MS));
        System.out.println("put at ALL succeeded: every replica is up");
      } catch (Unavailable e) {
        System.out.println("Unavailable caught: required_replicas=" + e.getRequired_replicas()
            + " alive_replicas=" + e.getAlive_replicas() + " (" + e.getMessage() + ")");
      } catch (TimedOut e) {
        System.out.println("TimedOut caught: acknowledged=" + e.getAcknowledged()
            + " required_acks=" + e.getRequired_acks() + " (" + e.getMessage() + ")");
      }
    }
  }

  private static String expiry(Entry entry) {
    if (!entry.isSetExpires_at_ms()) return "never";
    long inMs = entry.getExpires_at_ms() - System.currentTimeMillis();
    return entry.getExpires_at_ms() + " (" + Instant.ofEpochMilli(entry.getExpires_at_ms())
        + ", in " + Math.round(inMs / 1000.0) + " s)";
  }
}
