package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.udf.testing.SharedData;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver killed midway (SIGKILL: no shutdown hook, no abort) and the same command started again:
 * the rerun keeps the tasks the killed run committed, sweeps what it left half done, decodes the
 * rest, and the output holds every id exactly once.
 */
class ResumeAfterKillIT {
  private static final int LATENTS = 16;

  @Test
  void aKilledRunStartedAgainCompletesTheRest(@TempDir Path tmp) throws Exception {
    Path input = Files.createDirectories(tmp.resolve("in"));
    byte[] latent = Files.readAllBytes(SharedData.taef2Reference().resolve("brick.latent.npy"));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < LATENTS; i++) {
      Files.write(input.resolve(String.format("b%02d.npy", i)), latent);
      ids.add(String.format("b%02d", i));
    }
    Path output = tmp.resolve("out");
    List<String> command =
        List.of(
            "run",
            "--input",
            input.toString(),
            "--output",
            output.toString(),
            "--model",
            SharedData.taef2Decoder().toString(),
            "--preset",
            "taef2",
            "--partitions",
            Integer.toString(LATENTS),
            "--master",
            "local[1]");

    Process killed = start(command, tmp.resolve("killed.log"));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (committedTasks(output) < 3 && killed.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(killed.isAlive()).as("the run is still going when it is killed").isTrue();
    killed.destroyForcibly(); // SIGKILL
    assertThat(killed.waitFor(1, TimeUnit.MINUTES)).isTrue();
    long committedBeforeKill = committedTasks(output);
    assertThat(output.resolve("_SUCCESS")).doesNotExist();

    Process rerun = start(command, tmp.resolve("rerun.log"));
    assertThat(rerun.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String log = Files.readString(tmp.resolve("rerun.log"));

    assertThat(rerun.exitValue()).as(log).isZero();
    assertThat(log).contains("Resumed: skipped");
    assertThat(committedBeforeKill).isBetween(3L, (long) LATENTS - 1);
    List<Object> committed = ArrowOutput.committedImages(output).column("id");
    assertThat(committed).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(ArrowOutput.images(output).column("id"))
        .as("a reader that lists the folder sees the same")
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(ArrowOutput.errors(output).rows()).isEmpty();
    assertThat(output.resolve("_temporary")).doesNotExist();
    assertThat(output.resolve("_SUCCESS")).exists();
  }

  private static long committedTasks(Path output) throws Exception {
    Path manifests = output.resolve("_manifests");
    if (!Files.isDirectory(manifests)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(manifests)) {
      return walk.filter(p -> p.getFileName().toString().matches("part-\\d+\\.json")).count();
    }
  }

  private static Process start(List<String> args, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(List.of(java, "-jar", System.getProperty("latentdecode.jar")));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return builder.redirectOutput(new File(log.toString())).start();
  }
}
