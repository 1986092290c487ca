package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.FlakyFileSystem;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task attempt that dies halfway through publishing (its image file is out, its error file is
 * not) is retried; the output still holds every id exactly once, and nothing temporary is left.
 */
class TaskRetryTest extends SparkJobTest {
  @BeforeAll
  static void useFlakyFileSystem() {
    registerFlakyFileSystem(1);
  }

  @Test
  void aRetriedTaskLeavesEveryIdExactlyOnce(@TempDir Path tmp) throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    Path input = tmp.resolve("latents");
    TestLatents.randomNpys(input, "ok", 6, 4, 4, 4);
    TestLatents.write(
        input.resolve("bad.npy"), TestLatents.withValue(new int[] {4, 4, 4}, 0, Float.NaN));
    Path output = tmp.resolve("images");

    CliRun.Result r =
        decodeWithFlakyFileSystem(
            input.toString(),
            FlakyFileSystem.SCHEME + "://" + output,
            model.toString(),
            "--partitions",
            "1",
            "--max-error-fraction",
            "1");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(FlakyFileSystem.renamesUnder(output))
        .as("publishes of the error file: one failed, one retried")
        .isEqualTo(2);
    List<Object> ids = new ArrayList<>(ArrowOutput.images(output).column("id"));
    ids.addAll(ArrowOutput.errors(output).column("id"));
    assertThat(ids).containsExactlyInAnyOrder("ok0", "ok1", "ok2", "ok3", "ok4", "ok5", "bad");
    assertThat(output.resolve("_temporary")).doesNotExist();
    try (Stream<Path> files = Files.list(output)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".arrow")))
          .hasSize(1);
    }
  }

  @Test
  void aTaskThatDiesMidWriteLeavesNothingAndItsRetryPublishesTheOnlyCopy(@TempDir Path tmp)
      throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    Path input = tmp.resolve("latents");
    TestLatents.randomNpys(input, "ok", 4, 4, 32, 32);
    Path output = tmp.resolve(FlakyFileSystem.FAIL_MID_WRITE);

    CliRun.Result r =
        decodeWithFlakyFileSystem(
            input.toString(),
            FlakyFileSystem.SCHEME + "://" + output,
            model.toString(),
            "--partitions",
            "1");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.committedImages(output).column("id"))
        .containsExactlyInAnyOrder("ok0", "ok1", "ok2", "ok3");
    assertThat(ArrowOutput.images(output).column("id")).hasSize(4);
    assertThat(output.resolve("_temporary")).doesNotExist();
    assertThat(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(
                    Files.walk(output.resolve("_manifests"))
                        .filter(p -> p.toString().endsWith(".json"))
                        .findFirst()
                        .get()
                        .toFile())
                .get("attempt")
                .asInt())
        .as("the retry published")
        .isEqualTo(1);
  }
}
