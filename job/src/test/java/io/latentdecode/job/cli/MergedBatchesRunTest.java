package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small batches of two tasks share one forward on a device with one worker, and the run report
 * counts them ({@code counts.merged_batches}); every latent still comes out once.
 */
class MergedBatchesRunTest extends SparkJobTest {
  @Test
  void theLastSmallBatchesOfTwoTasksShareAForwardAndTheReportCountsThem(@TempDir Path tmp)
      throws Exception {
    // two tasks of five latents, batches of 4, one forward at a time: each task queues a full
    // batch and its last batch of 1 while the first forward runs; the two batches of 1 share one
    Path in = tmp.resolve("in");
    TestLatents.randomNpys(in, "z", 10, 32, 32, 32);
    Path out = tmp.resolve("out");

    CliRun.Result r =
        CliRun.decode(
            in.toString(),
            out.toString(),
            SharedData.taef2Decoder().toString(),
            "--partitions",
            "2",
            "--batch-size",
            "4",
            "--decodes-per-device",
            "1",
            "--image-format",
            "raw");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(out).column("id")).hasSize(10).doesNotHaveDuplicates();
    JsonNode report = RunReports.only(out);
    assertThat(report.at("/counts/batches").asLong()).as(report.toString()).isEqualTo(4);
    assertThat(report.at("/counts/merged_batches").asLong()).as(report.toString()).isEqualTo(2);
  }
}
