// Runs thrift/examples/java/AlderExample as its users would, in its own JVM,
// against the cluster of alder_with_cluster (node 3 down), and checks what it
// prints and how it exits.
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

public class ExampleTest {
  private record Result(int exitCode, String stdout, String stderr) {}

  private static Result runExample(String nodes, String... args) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = new ArrayList<>(List.of(
        java, "-cp", System.getProperty("java.class.path"), "org.alderdb.examples.AlderExample"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("alder-example", ".out");
    Path err = Files.createTempFile("alder-example", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().put("ALDER_NODES", nodes);
      Process process = builder.start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the example did not finish within 60 s");
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }

  @Test
  public void runsEveryStepAndReportsUnavailableWithANodeDown() throws Exception {
    Result result = runExample(System.getenv("ALDER_NODES"));
    String output = result.stdout();
    assertEquals(output + result.stderr(), 0, result.exitCode());
    assertTrue(output, output.contains("connected to " + System.getenv("ALDER_NODES").split(",")[0]));
    assertTrue(output, output.matches("(?s).*put example/java/greeting version=\\d+ ttl_ms=60000\n.*"));
    assertTrue(output, output.matches(
        "(?s).*get example/java/greeting value=\"hello from Java\" version=\\d+ expires=\\d+ \\(.*, in (59|60) s\\)\n.*"));
    assertTrue(output, output.contains("get after remove: NotFound key=example/java/greeting\n"));
    assertTrue(output, output.matches("(?s).*InvalidArgument caught: \\S.*"));
    assertTrue(output, output.contains("Unavailable caught: required_replicas=3 alive_replicas=2"));
  }

  @Test
  public void argumentsOverrideAlderNodes() throws Exception {
    String node2 = System.getenv("ALDER_NODES").split(",")[1];
    Result result = runExample(System.getenv("ALDER_UNUSED_ADDRESS"), node2);
    assertEquals(result.stdout() + result.stderr(), 0, result.exitCode());
    assertTrue(result.stdout(), result.stdout().startsWith("connected to " + node2 + "\n"));
  }

  @Test
  public void failsWithOneLineWhenNoNodeIsReachable() throws Exception {
    Result result = runExample(System.getenv("ALDER_UNUSED_ADDRESS"));
    assertEquals(1, result.exitCode());
    assertEquals("", result.stdout());
    assertTrue(result.stderr(), result.stderr().matches("alder example failed: .*no Alder node reachable: .*\n"));
  }
}
