package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentdecode.job.testing.RunReports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar on a plain {@code java -jar} (manifest {@code Add-Opens} and {@code lib/} class
 * path) and through the launcher beside it ({@code target/latent-decode}, which starts the JVM with
 * the class data sharing archive the build made): the README's demo command works, the launcher's
 * JVM maps the job's classes from the archive, libtorch's own log shows no warnings, a run's report
 * counts the time to its first forward from the JVM's start, and exit codes reach the shell.
 */
class JarLaunchIT {
  private record Launch(int exitCode, String output) {}

  @Test
  void theDemoRunsFromThePackagedJar(@TempDir Path tmp) throws Exception {
    Launch demo = javaJar("demo", "--output", tmp.resolve("demo").toString());

    assertThat(demo.exitCode()).as(demo.output()).isZero();
    assertThat(demo.output()).contains("6 images, 0 errors");
    assertThat(tmp.resolve("demo/png/smiley.png")).isNotEmptyFile();
    assertThat(tmp.resolve("demo/images/_SUCCESS")).exists();
  }

  @Test
  void theLauncherRunsTheDemoWithClassesFromTheBuildsArchive(@TempDir Path tmp) throws Exception {
    Launch demo = launcher(Map.of(), "demo", "--output", tmp.resolve("demo").toString());
    assertThat(demo.exitCode()).as(demo.output()).isZero();
    assertThat(demo.output()).contains("6 images, 0 errors");
    assertThat(demo.output().lines())
        .as(
            "libtorch's own warnings (\"[W1205 09:02:14.446 NNPACK.cpp:57] ...\"): ERROR by default")
        .noneMatch(line -> line.matches("^\\[W\\d{4} .*"));

    Launch run =
        launcher(
            Map.of(),
            "run",
            "--input",
            tmp.resolve("demo/latents").toString(),
            "--output",
            tmp.resolve("again").toString(),
            "--model",
            tmp.resolve("demo/model/preview-decoder.ts.pt").toString());
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertTimeToFirstForwardCountsFromTheJvmsStart(RunReports.only(tmp.resolve("again")));

    Launch version = launcher(Map.of("JAVA_OPTS", "-Xlog:class+load=info"), "--version");
    assertThat(version.exitCode()).as(version.output()).isZero();
    assertThat(version.output())
        .as(
            "the build makes target/latent-decode.jsa with the demo's run (log: target/class-archive-run.log)")
        .contains("io.latentdecode.job.cli.Main source: shared objects file");

    Launch wrong = launcher(Map.of(), "run", "--frobnicate");
    assertThat(wrong.exitCode()).as(wrong.output()).isEqualTo(2);
  }

  /**
   * A command's run report counts the time to the first forward from the JVM's start: the JVM's and
   * the command line's start ({@code command_line}, a few tenths of a second) come before the run's
   * own steps.
   */
  private static void assertTimeToFirstForwardCountsFromTheJvmsStart(JsonNode report) {
    JsonNode startup = report.path("startup_seconds");
    assertThat(startup.path("command_line").asDouble()).as(report.toString()).isGreaterThan(0.1);
    assertThat(report.path("time_to_first_forward_seconds").asDouble())
        .as(report.toString())
        .isGreaterThanOrEqualTo(RunReports.startupInTurnSeconds(report) - 0.005);
  }

  @Test
  void aWrongFlagExitsWith2AndHelpWith0() throws Exception {
    Launch wrong = javaJar("run", "--frobnicate");
    assertThat(wrong.exitCode()).as(wrong.output()).isEqualTo(2);
    assertThat(wrong.output()).contains("--frobnicate");

    Launch help = javaJar("run", "--help");
    assertThat(help.exitCode()).as(help.output()).isZero();
    assertThat(help.output()).contains("--input", "--model", "--output-range");
  }

  private static Launch javaJar(String... args) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(List.of(java, "-jar", System.getProperty("latentdecode.jar")));
    command.addAll(List.of(args));
    return launch(command, Map.of());
  }

  /** {@code target/latent-decode args...}, with the java on PATH as the build used. */
  private static Launch launcher(Map<String, String> environment, String... args)
      throws IOException, InterruptedException {
    Path script = Path.of(System.getProperty("latentdecode.jar")).resolveSibling("latent-decode");
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    return launch(command, environment);
  }

  private static Launch launch(List<String> command, Map<String, String> environment)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Launch(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
