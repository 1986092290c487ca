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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --batch-size auto} (the default) takes the smallest batch within a few percent of the best
 * throughput, measured on the run's own batches, never above what the memory budget allows (from a
 * probe of the real decoder's memory per pixel): a budget too small for two images decodes one at a
 * time, the machine's own budget lets the search try larger batches, and the run report says which
 * size each shape got, what the search measured and how many forwards the device admitted at once.
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
  void theMachinesBudgetLetsTheSearchSettleOnTheFastestSmallBatch(@TempDir Path tmp)
      throws Exception {
    // TAEF2 needs about 1 KB per output pixel: a 256x256 image ~ 64 MB, so the budget allows
    // batches far larger than the search needs to try on a CPU.
    JsonNode report = decode(tmp, LATENTS_TO_SETTLE, "--decodes-per-device", "2");

    assertThat(report.at("/counts/images").asLong()).isEqualTo(LATENTS_TO_SETTLE);
    JsonNode search = report.at("/executors/0/batch_size_search/" + SHAPE);
    assertThat(search.at("/settled").asBoolean()).as(search.toString()).isTrue();
    int chosen = search.at("/chosen").asInt();
    assertThat(report.at("/executors/0/batch_sizes/" + SHAPE).asInt()).isEqualTo(chosen);
    JsonNode rates = search.at("/forward_images_per_second");
    assertThat(rates.size()).as(search.toString()).isGreaterThanOrEqualTo(2);
    // on a CPU at most 2 latents per intra-op thread (spark.task.cpus, 1 by default) are tried
    for (Map.Entry<String, JsonNode> size : rates.properties()) {
      assertThat(Integer.parseInt(size.getKey())).as(search.toString()).isLessThanOrEqualTo(2);
    }
    double best = 0;
    for (JsonNode rate : rates) {
      best = Math.max(best, rate.asDouble());
    }
    // the smallest batch within 5% of the best rate measured (rates are rounded to 0.01)
    for (Map.Entry<String, JsonNode> size : rates.properties()) {
      double rate = size.getValue().asDouble();
      if (Integer.parseInt(size.getKey()) < chosen) {
        assertThat(rate * 1.05).as(search.toString()).isLessThan(best + 0.01);
      }
    }
    assertThat(rates.path(String.valueOf(chosen)).asDouble() * 1.05)
        .as(search.toString())
        .isGreaterThanOrEqualTo(best - 0.01);
    assertThat(search.at("/cost_seconds").asDouble()).isGreaterThanOrEqualTo(0);
    assertThat(report.at("/executors/0/decodes_per_device").asInt()).isEqualTo(2);
  }

  @Test
  void theReportTellsTheTimeToFirstForwardTheStartUpStepsAndHowBusyTheDeviceWas(@TempDir Path tmp)
      throws Exception {
    JsonNode report = decode(tmp, 6, "--batch-size", "2");

    double duration = report.at("/duration_seconds").asDouble();
    double firstForward = report.at("/time_to_first_forward_seconds").asDouble();
    assertThat(firstForward).as(report.toString()).isPositive().isLessThan(duration);
    String[] steps = {
      "command_line", "listing", "checks", "model_check", "spark_start", "planning"
    };
    for (String step : steps) {
      assertThat(report.at("/startup_seconds").has(step)).as(report.toString()).isTrue();
    }
    assertThat(firstForward)
        .as(report.toString())
        .isGreaterThanOrEqualTo(RunReports.startupInTurnSeconds(report) - 0.005);
    double utilisation = report.at("/executors/0/device_utilisation").asDouble();
    assertThat(utilisation).as(report.toString()).isGreaterThan(0.2).isLessThanOrEqualTo(1.0);
    assertThat(report.at("/executors/0/batch_size_search").isEmpty()).isTrue(); // a fixed size
  }

  /** Enough 256x256 latents for the search to measure batches of 1 and 2 and settle. */
  private static final int LATENTS_TO_SETTLE = 64;

  private static JsonNode decode(Path tmp, String... flags) throws Exception {
    return decode(tmp, 6, flags);
  }

  private static JsonNode decode(Path tmp, int latents, String... flags) throws Exception {
    Path model = SharedData.taef2Decoder();
    Path in = tmp.resolve("in");
    TestLatents.randomNpys(in, "z", latents, 32, 32, 32);
    Path out = tmp.resolve("out");
    String[] args = new String[flags.length + 4];
    args[0] = "--partitions";
    args[1] = "1";
    args[2] = "--image-format";
    args[3] = "raw";
    System.arraycopy(flags, 0, args, 4, flags.length);

    CliRun.Result r = CliRun.decode(in.toString(), out.toString(), model.toString(), args);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(out).column("id")).hasSize(latents).doesNotHaveDuplicates();
    return RunReports.only(out);
  }
}
