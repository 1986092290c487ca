package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run lays out its files: rolling past the size limit, and the write modes. */
class OutputFilesTest extends SparkJobTest {
  @Test
  void aTaskRollsToANewFilePastTheSizeLimit(@TempDir Path tmp) throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    Path input = tmp.resolve("latents");
    TestLatents.randomNpys(input, "l", 8, 4, 32, 32);
    Path output = tmp.resolve("images");

    CliRun.Result r =
        CliRun.decode(
            input.toString(),
            output.toString(),
            model.toString(),
            "--partitions",
            "1",
            "--image-format",
            "raw",
            "--batch-size",
            "1",
            "--max-file-mb",
            "1");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    try (Stream<Path> files = Files.list(output)) {
      assertThat(
              files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".arrow")).sorted())
          .hasSizeGreaterThan(1)
          .allMatch(n -> n.matches("part-00000-\\d{8}T\\d{6}Z-[0-9a-f]{6}-c\\d{3}\\.arrow"));
    }
    assertThat(ArrowOutput.images(output).column("id")).hasSize(8).doesNotHaveDuplicates();
    assertThat(RunReports.only(output).at("/counts/image_files").asInt()).isGreaterThan(1);
  }

  @Test
  void overwriteReplacesAnEarlierRunAndFailIfExistsRefusesIt(@TempDir Path tmp) throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    Path input = tmp.resolve("latents");
    TestLatents.randomNpy(input.resolve("a.npy"), 1, 4, 2, 2);
    Path output = tmp.resolve("images");
    assertThat(CliRun.decode(input.toString(), output.toString(), model.toString()).exitCode())
        .isZero();
    String firstRun = RunReports.only(output).get("run_id").asText();

    CliRun.Result refused =
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--mode", "fail-if-exists");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("already holds a finished run");
    assertThat(RunReports.only(output).get("run_id").asText()).isEqualTo(firstRun);

    CliRun.Result replaced =
        CliRun.decode(input.toString(), output.toString(), model.toString(), "--mode", "overwrite");
    assertThat(replaced.exitCode()).as(replaced.toString()).isZero();
    assertThat(RunReports.only(output).get("run_id").asText()).isNotEqualTo(firstRun);
    assertThat(ArrowOutput.images(output).column("id")).containsExactly("a");
  }
}
