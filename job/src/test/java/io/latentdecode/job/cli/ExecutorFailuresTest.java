package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.LocalClusterHome;
import io.latentdecode.job.testing.SlowFileSystem;
import io.latentdecode.job.testing.StandaloneCluster;
import io.latentdecode.udf.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once on real executor JVMs ({@code local-cluster[2,1,1024]}): an executor killed with
 * SIGKILL while tasks decode, and speculative duplicates of slow tasks racing to publish. Every id
 * ends up exactly once, and nothing temporary or orphaned is left after {@code _SUCCESS}.
 */
class ExecutorFailuresTest {
  private static final int LATENTS = 12;

  @Test
  void anExecutorKilledMidRunLosesAndDuplicatesNothing(@TempDir Path tmp) throws Exception {
    LocalClusterHome.prepare();
    Path input = latents(tmp);
    Path output = tmp.resolve("out");
    CompletableFuture<Optional<Long>> killed =
        CompletableFuture.supplyAsync(() -> killAnExecutorOnceATaskCommitted(output));

    CliRun.Result r = CliRun.decode(input.toString(), output.toString(), model(), cluster());

    assertThat(killed.get(1, TimeUnit.MINUTES)).as("an executor was killed").isPresent();
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertExactlyOnce(output);
  }

  @Test
  void speculativeDuplicatesRaceAndOnePublishes(@TempDir Path tmp) throws Exception {
    Path input = latents(tmp);
    Path output = tmp.resolve("out");
    try (StandaloneCluster cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2)) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--preset",
                  "taef2",
                  "--partitions",
                  Integer.toString(LATENTS),
                  "--master",
                  cluster.masterUrl(),
                  "--conf",
                  "spark.cores.max=2",
                  "--conf",
                  "spark.executor.cores=1",
                  "--conf",
                  "spark.executor.memory=1g",
                  "--conf",
                  "spark.speculation=true",
                  "--conf",
                  "spark.speculation.interval=50ms",
                  "--conf",
                  "spark.speculation.quantile=0.2",
                  "--conf",
                  "spark.speculation.multiplier=1.5",
                  "--conf",
                  "spark.speculation.minTaskRuntime=500ms",
                  "--conf",
                  "spark.hadoop.fs.slow.impl=" + SlowFileSystem.class.getName(),
                  "--conf",
                  "spark.hadoop." + SlowFileSystem.DELAY + "=30000",
                  "--conf",
                  "spark.executor.extraClassPath="
                      + Path.of("target/test-classes").toAbsolutePath()));
      args.addAll(LocalClusterHome.clusterConf());
      CliRun.Result r =
          CliRun.decode(
              input.toString(),
              SlowFileSystem.SCHEME + "://" + output,
              model(),
              args.toArray(String[]::new));

      assertThat(r.exitCode()).as(r.toString()).isZero();
    }
    assertExactlyOnce(output);
    assertThat(committedAttempts(output))
        .as("partitions committed by a speculative attempt")
        .anyMatch(attempt -> attempt > 0);
  }

  private static void assertExactlyOnce(Path output) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < LATENTS; i++) {
      ids.add(String.format("b%02d", i));
    }
    assertThat(ArrowOutput.committedImages(output).column("id"))
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(ArrowOutput.images(output).column("id"))
        .as("what a reader listing the folder sees")
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(ArrowOutput.errors(output).rows()).isEmpty();
    assertThat(output.resolve("_SUCCESS")).exists();
    assertThat(output.resolve("_temporary")).doesNotExist();
  }

  private static List<Integer> committedAttempts(Path output) throws Exception {
    List<Integer> attempts = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(output.resolve("_manifests"))) {
      for (Path m : walk.filter(p -> p.toString().endsWith(".json")).toList()) {
        JsonNode manifest = new ObjectMapper().readTree(m.toFile());
        attempts.add(manifest.get("attempt").asInt());
      }
    }
    return attempts;
  }

  /** Waits for the first committed task, then SIGKILLs one executor JVM of this test's cluster. */
  private static Optional<Long> killAnExecutorOnceATaskCommitted(Path output) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    try {
      while (System.nanoTime() < deadline) {
        Path manifests = output.resolve("_manifests");
        if (Files.isDirectory(manifests)) {
          try (Stream<Path> walk = Files.walk(manifests)) {
            if (walk.anyMatch(p -> p.toString().endsWith(".json"))) {
              Optional<ProcessHandle> executor =
                  ProcessHandle.current()
                      .descendants()
                      .filter(
                          p ->
                              p.info()
                                  .commandLine()
                                  .orElse("")
                                  .contains("CoarseGrainedExecutorBackend"))
                      .findFirst();
              executor.ifPresent(ProcessHandle::destroyForcibly);
              return executor.map(ProcessHandle::pid);
            }
          }
        }
        Thread.sleep(20);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return Optional.empty();
  }

  private static Path latents(Path tmp) throws Exception {
    Path input = Files.createDirectories(tmp.resolve("in"));
    byte[] latent = Files.readAllBytes(SharedData.taef2Reference().resolve("brick.latent.npy"));
    for (int i = 0; i < LATENTS; i++) {
      Files.write(input.resolve(String.format("b%02d.npy", i)), latent);
    }
    return input;
  }

  private static String model() {
    return SharedData.taef2Decoder().toString();
  }

  private static String[] cluster() {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--preset",
                "taef2",
                "--partitions",
                Integer.toString(LATENTS),
                "--master",
                "local-cluster[2,1,1024]"));
    args.addAll(LocalClusterHome.clusterConf());
    return args.toArray(String[]::new);
  }
}
