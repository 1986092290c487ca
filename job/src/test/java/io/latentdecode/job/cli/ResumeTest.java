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
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --mode resume} (the default): reruns decode only what no earlier run committed, by input
 * file or by id, from the task manifests alone; what dead runs left is swept; a rerun with another
 * decode is refused.
 */
class ResumeTest extends SparkJobTest {
  @TempDir Path tmp;
  Path model;
  Path input;
  Path output;

  @BeforeEach
  void setUp() throws Exception {
    model = Demo.extractDecoder(tmp.resolve("model"));
    input = tmp.resolve("in");
    output = tmp.resolve("out");
    TestLatents.randomNpys(input, "a", 5, 4, 3, 3);
  }

  @Test
  void aRerunOverTheSameInputDecodesNothingAndSaysSo() throws Exception {
    CliRun.Result first = decode();
    CliRun.Result again = decode();

    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("0 images", "all 5 inputs were committed by earlier runs");
    assertThat(ArrowOutput.images(output).column("id"))
        .containsExactlyInAnyOrder("a0", "a1", "a2", "a3", "a4");
    assertThat(Files.list(output.resolve("_runs")).filter(p -> p.toString().endsWith(".json")))
        .hasSize(2);
  }

  @Test
  void aRerunAfterTheInputGrewDecodesOnlyTheNewFiles() throws Exception {
    assertThat(decode().exitCode()).isZero();
    TestLatents.randomNpys(input, "b", 3, 4, 3, 3);

    CliRun.Result again = decode();

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(RunReports.latest(output).at("/counts/images").asLong()).isEqualTo(3);
    assertThat(RunReports.latest(output).at("/counts/skipped_committed_inputs").asLong())
        .isEqualTo(5);
    List<Object> ids = ArrowOutput.committedImages(output).column("id");
    assertThat(ids).hasSize(8).doesNotHaveDuplicates();
    assertThat(ArrowOutput.images(output).column("id")).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void parquetRowsResumeById() throws Exception {
    Path table = tmp.resolve("table");
    writeParquet(table, List.of("r1", "r2", "r3"));
    CliRun.Result first = CliRun.decode(table.toString(), output.toString(), model.toString());
    assertThat(first.exitCode()).as(first.toString()).isZero();
    writeParquet(table, List.of("r4", "r5")); // appended next to the first files

    CliRun.Result again = CliRun.decode(table.toString(), output.toString(), model.toString());

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(RunReports.latest(output).at("/counts/images").asLong()).isEqualTo(2);
    assertThat(ArrowOutput.committedImages(output).column("id"))
        .containsExactlyInAnyOrder("r1", "r2", "r3", "r4", "r5");
  }

  @Test
  void whatADeadRunLeftIsSweptAndItsCommittedTasksKept() throws Exception {
    assertThat(decode().exitCode()).isZero();
    // A run killed after publishing a file whose task manifest never came, mid-attempt too.
    Path orphan = output.resolve("part-00003-20261122T000000Z-dead00-c000.arrow");
    Files.write(orphan, new byte[] {1, 2, 3});
    Path attempt =
        Files.createDirectories(
            output.resolve("_temporary/20261122T000000Z-dead00/task-00001-attempt-0"));
    Files.write(attempt.resolve("staged.arrow"), new byte[] {4});
    TestLatents.randomNpys(input, "c", 2, 4, 3, 3);

    CliRun.Result again = decode();

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(orphan).doesNotExist();
    assertThat(output.resolve("_temporary")).doesNotExist();
    assertThat(ArrowOutput.images(output).column("id")).hasSize(7).doesNotHaveDuplicates();
  }

  @Test
  void resumingWithAnotherDecodeIsRefused() throws Exception {
    assertThat(decode().exitCode()).isZero();

    CliRun.Result other =
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--scaling-factor", "2");

    assertThat(other.exitCode()).as(other.toString()).isEqualTo(2);
    assertThat(other.err()).contains("would mix two decodes", "--mode overwrite");
  }

  private CliRun.Result decode() {
    return CliRun.decode(input.toString(), output.toString(), model.toString());
  }

  private void writeParquet(Path dir, List<String> ids) {
    List<Row> rows = new ArrayList<>();
    for (String id : ids) {
      rows.add(
          RowFactory.create(
              id, TestLatents.float32(TestLatents.random(id.hashCode(), 36)), List.of(4, 3, 3)));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("latent", DataTypes.BinaryType)
            .add("shape", DataTypes.createArrayType(DataTypes.IntegerType));
    spark.createDataFrame(rows, schema).write().mode("append").parquet(dir.toString());
  }
}
