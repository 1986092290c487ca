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
 * {@code --batch-size auto} (the default) sizes micro-batches to the memory budget from a probe of
 * the real decoder's memory per pixel: a budget too small for two images decodes one at a time, the
 * machine's own budget batches them, and the run report says which size each shape got and how many
 * forwards the device admitted at once.
 */
class BatchSizeAutoTest extends SparkJobTest {
  private static final String SHAPE = "32x32x32";

  @Test
  void aSmallBudgetDecodesOneLatentPerForward(@TempDir Path tmp) throws Exception {
    JsonNode report = decode(tmp, "--memory-budget-mb", "1", "--decodes-per-device", "1");

    assertThat(report.at("/counts/images").asLong()).isEqualTo(6);
    assertThat(report.at("/counts/batches").asLong()).isEqualTo(6);
    JsonNode executor = report.at("/executors/0");
    assertThat(executor.at("/batch_sizes/" + SHAPE).asInt()).isEqualTo(1);
    assertThat(executor.at("/decodes_per_device").asInt()).isEqualTo(1);
    assertThat(report.at("/settings/batch_size").asText()).isEqualTo("auto");
  }

  @Test
  void theMachinesBudgetBatchesSmallLatents(@TempDir Path tmp) throws Exception {
    // TAEF2 needs about 1 KB per output pixel: a 256x256 image ~ 64 MB, far inside half of
    // the memory any test machine has available.
    JsonNode report = decode(tmp, "--decodes-per-device", "2");

    assertThat(report.at("/counts/images").asLong()).isEqualTo(6);
    assertThat(report.at("/counts/batches").asLong()).isEqualTo(1);
    assertThat(report.at("/executors/0/batch_sizes/" + SHAPE).asInt()).isGreaterThanOrEqualTo(6);
    assertThat(report.at("/executors/0/decodes_per_device").asInt()).isEqualTo(2);
  }

  private static JsonNode decode(Path tmp, String... flags) throws Exception {
    Path model = SharedData.taef2Decoder();
    Path in = tmp.resolve("in");
    TestLatents.randomNpys(in, "z", 6, 32, 32, 32);
    Path out = tmp.resolve("out");
    String[] args = new String[flags.length + 4];
    args[0] = "--partitions";
    args[1] = "1";
    args[2] = "--image-format";
    args[3] = "raw";
    System.arraycopy(flags, 0, args, 4, flags.length);

    CliRun.Result r = CliRun.decode(in.toString(), out.toString(), model.toString(), args);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(out).column("id")).hasSize(6);
    return RunReports.only(out);
  }
}
