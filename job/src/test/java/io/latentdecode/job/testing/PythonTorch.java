package io.latentdecode.job.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code /usr/bin/python3} with {@code python3-torch}, for the export tool's tests.
 * Missing: skipped with a message outside CI, a failure under {@code CI=true} ({@code .ci/run}
 * installs it).
 */
public final class PythonTorch {
  public static final String PYTHON = "/usr/bin/python3";

  private PythonTorch() {}

  public record Result(int exitCode, String output) {}

  public static void require() throws Exception {
    Result r = run(List.of("-c", "import torch"));
    if (r.exitCode() != 0) {
      String why =
          PYTHON + " cannot import torch (apt-get install python3-torch): " + r.output().strip();
      if ("true".equals(System.getenv("CI"))) {
        fail(why);
      }
      assumeTrue(false, why);
    }
  }

  public static Result run(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PYTHON));
    command.addAll(args);
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(127, e.getMessage());
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("python timed out: " + command);
    }
    return new Result(p.exitValue(), out);
  }

  /** Runs {@code notebooks/export_decoder.py} with these arguments. */
  public static Result exportDecoder(String... args) throws IOException, InterruptedException {
    List<String> all =
        new ArrayList<>(List.of(notebooks().resolve("export_decoder.py").toString()));
    all.addAll(List.of(args));
    return run(all);
  }

  /** The project's notebooks/ folder (tests run in job/). */
  public static Path notebooks() {
    return Path.of(System.getProperty("user.dir")).resolve("../notebooks").normalize();
  }
}
