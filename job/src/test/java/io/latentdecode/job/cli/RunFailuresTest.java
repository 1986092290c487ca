package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.FlakyFileSystem;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that cannot finish leave nothing that looks like output; GPU requests without GPUs stop
 * early.
 */
class RunFailuresTest extends SparkJobTest {
  @BeforeAll
  static void useFlakyFileSystem() {
    registerFlakyFileSystem(1000);
  }

  @Test
  void aRunWhoseTaskKeepsFailingExitsWith1AndLeavesNoImageFiles(@TempDir Path tmp)
      throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    Path input = tmp.resolve("latents");
    TestLatents.randomNpys(input, "ok", 8, 4, 4, 4);
    TestLatents.write(
        input.resolve("bad.npy"), TestLatents.withValue(new int[] {4, 4, 4}, 0, Float.NaN));
    Path output = tmp.resolve("images");

    CliRun.Result r =
        decodeWithFlakyFileSystem(
            input.toString(),
            FlakyFileSystem.SCHEME + "://" + output,
            model.toString(),
            "--partitions",
            "2");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("the run failed", "injected failure", "nothing was committed");
    assertThat(output.resolve("_SUCCESS")).doesNotExist();
    assertThat(output.resolve("_temporary")).doesNotExist();
    try (Stream<Path> files = Files.walk(output)) {
      assertThat(files.filter(p -> p.toString().endsWith(".arrow")))
          .as("published files of the failed run")
          .isEmpty();
    }
  }

  @Test
  void storageThatDoesNotAnswerIsAnExternalFailureWithExitCode1(@TempDir Path tmp)
      throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));

    CliRun.Result r =
        decodeWithFlakyFileSystem(
            FlakyFileSystem.SCHEME + "://" + tmp.resolve(FlakyFileSystem.UNREACHABLE),
            tmp.resolve("out").toString(),
            model.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("latent-decode: Cannot run: cannot read --input")
        .contains("the storage did not answer");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void deviceGpuWithoutGpuSchedulingStopsBeforeAnyTask(@TempDir Path tmp) throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    Path input = tmp.resolve("latents");
    TestLatents.randomNpy(input.resolve("a.npy"), 1, 4, 2, 2);
    long jobsBefore = spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;

    CliRun.Result r =
        CliRun.decode(
            input.toString(), tmp.resolve("out").toString(), model.toString(), "--device", "gpu");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--device gpu", "spark.task.resource.gpu.amount", "--device auto");
    assertThat(spark.sparkContext().statusTracker().getJobIdsForGroup(null))
        .hasSize((int) jobsBefore);
    assertThat(tmp.resolve("out")).doesNotExist();
  }
}
