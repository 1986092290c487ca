package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar on a plain {@code java -jar} (manifest {@code Add-Opens} and {@code lib/} class
 * path): the README's demo command works, and exit codes reach the shell.
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
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Launch(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
