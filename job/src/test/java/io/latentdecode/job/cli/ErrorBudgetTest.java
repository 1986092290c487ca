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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-error-fraction}: above it the run fails with the most common error kinds and commits
 * nothing (its quarantined rows are kept aside for inspection); at or below it the run commits and
 * names every bad id.
 */
class ErrorBudgetTest extends SparkJobTest {
  @TempDir Path tmp;
  Path model;
  Path input;
  Path output;

  @BeforeEach
  void setUp() throws Exception {
    model = Demo.extractDecoder(tmp.resolve("model"));
    input = tmp.resolve("in");
    output = tmp.resolve("out");
    TestLatents.randomNpys(input, "ok", 8, 4, 3, 3);
    int[] shape = {4, 3, 3};
    TestLatents.write(input.resolve("nan.npy"), TestLatents.withValue(shape, 0, Float.NaN));
    TestLatents.write(input.resolve("cut.npy"), TestLatents.truncated(shape));
  }

  @Test
  void aboveTheBudgetTheRunFailsAndCommitsNothing() throws Exception {
    CliRun.Result r = CliRun.decode(input.toString(), output.toString(), model.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err())
        .contains(
            "2 of 10 rows (20.0%) were quarantined, above --max-error-fraction 0.01",
            "most common: invalid_latent 1, non_finite_latent 1",
            "Nothing was committed",
            "raise --max-error-fraction");
    assertThat(ArrowOutput.images(output).rows()).isEmpty();
    assertThat(output.resolve("_SUCCESS")).doesNotExist();
    assertThat(output.resolve("_manifests"))
        .satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
    assertThat(RunReports.only(output).get("status").asText()).isEqualTo("failed_error_budget");
    Path kept;
    try (Stream<Path> runs = Files.list(output.resolve("_runs"))) {
      kept = runs.filter(p -> p.getFileName().toString().endsWith("-errors")).findFirst().get();
    }
    assertThat(ArrowOutput.errorsIn(kept).column("id")).containsExactlyInAnyOrder("nan", "cut");
  }

  @Test
  void withinTheBudgetTheRunCommitsAndNamesEveryBadId() throws Exception {
    CliRun.Result r =
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--max-error-fraction", "0.2");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(output).rows()).hasSize(8);
    assertThat(ArrowOutput.errors(output).column("id")).containsExactlyInAnyOrder("nan", "cut");
    assertThat(RunReports.only(output).at("/counts/errors_by_kind/non_finite_latent").asLong())
        .isEqualTo(1);
  }
}
