package io.latentdecode.job.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The run reports ({@code _runs/*.json}) of an output folder. */
public final class RunReports {
  private RunReports() {}

  /** The report of the run that finished last. */
  public static JsonNode latest(Path output) throws IOException {
    JsonNode latest = null;
    try (Stream<Path> files = Files.list(output.resolve("_runs"))) {
      for (Path p :
          files.filter(f -> f.getFileName().toString().matches("[^.].*\\.json")).toList()) {
        JsonNode report = new ObjectMapper().readTree(p.toFile());
        if (latest == null
            || report.path("finished_at").asText().compareTo(latest.path("finished_at").asText())
                > 0) {
          latest = report;
        }
      }
    }
    assertThat(latest).as("run reports in %s", output).isNotNull();
    return latest;
  }

  /**
   * The start-up steps the driver's main thread takes one after another before the first task, from
   * the command's start on ({@code spark_start} overlaps them), summed: the first forward comes
   * after them.
   */
  public static double startupInTurnSeconds(JsonNode report) {
    double sum = 0;
    for (String step :
        new String[] {"command_line", "listing", "checks", "model_check", "waiting_for_spark"}) {
      sum += report.path("startup_seconds").path(step).asDouble();
    }
    return sum;
  }

  /** The output's only run report. */
  public static JsonNode only(Path output) throws IOException {
    List<Path> reports;
    try (Stream<Path> files = Files.list(output.resolve("_runs"))) {
      reports =
          files
              .filter(
                  p ->
                      p.getFileName().toString().endsWith(".json")
                          && !p.getFileName().toString().startsWith("."))
              .toList();
    }
    assertThat(reports).as("run reports in %s", output).hasSize(1);
    return new ObjectMapper().readTree(reports.get(0).toFile());
  }
}
