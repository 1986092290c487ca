package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks sized by work whatever the input's layout, and resume at any size of the committed set:
 * many tiny files pack into a few tasks per slot; rows added after a resume are spread over the
 * slots; a committed set too large to broadcast is left out by a shuffle join, and a file whose
 * rows are all committed is not read; manifests from before the columnar sources files still
 * resume.
 */
class TasksByWorkTest extends SparkJobTest {
  private static final String BROADCAST_THRESHOLD = "spark.sql.autoBroadcastJoinThreshold";

  @TempDir Path tmp;
  Path model;
  Path output;

  @BeforeEach
  void setUp() throws Exception {
    model = Demo.extractDecoder(tmp.resolve("model"));
    output = tmp.resolve("out");
  }

  @AfterEach
  void resetSession() {
    spark.conf().unset(BROADCAST_THRESHOLD); // --conf sets it on the shared session
  }

  @Test
  void manyTinyFilesPackIntoAFewTasksPerSlot() throws Exception {
    Path input = tmp.resolve("in");
    for (String folder : List.of("a", "b", "c/d")) {
      TestLatents.randomNpys(input.resolve(folder), "l", 100, 4, 2, 2);
    }
    TestLatents.randomNpys(input.resolve("_staging"), "l", 3, 4, 2, 2);
    TestLatents.randomNpys(input.resolve("c/.partial"), "l", 3, 4, 2, 2);

    CliRun.Result run = decode(input);

    assertThat(run.exitCode()).as(run.toString()).isZero();
    // 300 files of a few hundred bytes: one task per 4 MiB of work (64 KiB per file), not 300
    assertThat(RunReports.latest(output).at("/counts/tasks").asInt()).isBetween(2, 8);
    List<Object> ids = ArrowOutput.committedImages(output).column("id");
    assertThat(ids).hasSize(300).doesNotHaveDuplicates().contains("a/l0", "c/d/l99");
  }

  @Test
  void rowsAddedAfterAResumeSpreadOverTheSlotsThroughAShuffleJoin() throws Exception {
    Path table = tmp.resolve("table");
    writeParquet(table, "old", 200);
    CliRun.Result first = decode(table);
    assertThat(first.exitCode()).as(first.toString()).isZero();
    writeParquet(table, "new", 600); // one new file

    CliRun.Result resumed = decode(table, "--conf", BROADCAST_THRESHOLD + "=-1");

    assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
    var report = RunReports.latest(output);
    assertThat(report.at("/input/resume_join").asText()).isEqualTo("shuffle");
    assertThat(report.at("/input/resume_files_committed_whole").asInt())
        .as("the first file, all of whose rows are committed")
        .isEqualTo(1);
    assertThat(report.at("/counts/images").asLong()).isEqualTo(600);
    assertThat(report.at("/counts/skipped_committed_inputs").asLong()).isEqualTo(200);
    assertThat(report.at("/counts/tasks").asInt())
        .as("new rows spread over tasks")
        .isGreaterThan(1);
    assertThat(ArrowOutput.committedImages(output).column("id"))
        .hasSize(800)
        .doesNotHaveDuplicates();

    spark.conf().unset(BROADCAST_THRESHOLD);
    writeParquet(table, "more", 10);
    CliRun.Result more = decode(table);

    assertThat(more.exitCode()).as(more.toString()).isZero();
    report = RunReports.latest(output);
    assertThat(report.at("/input/resume_join").asText()).isEqualTo("broadcast");
    assertThat(report.at("/input/resume_files_committed_whole").asInt()).isEqualTo(2);
    assertThat(report.at("/counts/images").asLong()).isEqualTo(10);

    CliRun.Result again = decode(table);

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("all 810 inputs were committed by earlier runs");
    assertThat(RunReports.latest(output).at("/input/resume_join").asText())
        .as("every file committed whole: nothing read or joined")
        .isEqualTo("none");
    assertThat(ArrowOutput.committedImages(output).column("id"))
        .hasSize(810)
        .doesNotHaveDuplicates();
  }

  @Test
  void manifestsThatListTheirSourcesInlineStillResume() throws Exception {
    Path input = tmp.resolve("in");
    TestLatents.randomNpys(input, "a", 5, 4, 3, 3);
    assertThat(decode(input).exitCode()).isZero();
    inlineSources(output);

    CliRun.Result again = decode(input);

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("all 5 inputs were committed by earlier runs");
  }

  /** Rewrites each manifest as runs before the sources files wrote them. */
  private void inlineSources(Path output) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<Path> manifests;
    try (Stream<Path> walk = Files.walk(output.resolve("_manifests"))) {
      manifests = walk.filter(p -> p.toString().endsWith(".json")).toList();
    }
    assertThat(manifests).isNotEmpty();
    for (Path m : manifests) {
      ObjectNode manifest = (ObjectNode) json.readTree(m.toFile());
      Path sourcesFile = m.resolveSibling(manifest.remove("sources_file").asText());
      manifest.remove("source_count");
      ArrayNode sources = manifest.putArray("sources");
      for (Row r : spark.read().parquet(sourcesFile.toString()).collectAsList()) {
        sources.add(r.getString(0));
      }
      Files.delete(sourcesFile);
      Files.deleteIfExists(sourcesFile.resolveSibling("." + sourcesFile.getFileName() + ".crc"));
      json.writeValue(m.toFile(), manifest);
      Files.deleteIfExists(m.resolveSibling("." + m.getFileName() + ".crc")); // Hadoop's checksum
    }
  }

  private CliRun.Result decode(Path input, String... more) {
    List<String> args = new ArrayList<>(List.of("--image-format", "raw"));
    args.addAll(List.of(more));
    return CliRun.decode(
        input.toString(), output.toString(), model.toString(), args.toArray(String[]::new));
  }

  /** One Parquet file of {@code count} random [4, 32, 32] latents, ids {@code prefix-i}. */
  private void writeParquet(Path dir, String prefix, int count) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(
          RowFactory.create(
              prefix + "-" + i,
              TestLatents.float32(TestLatents.random(prefix.hashCode() + i, 4 * 32 * 32)),
              List.of(4, 32, 32)));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("latent", DataTypes.BinaryType)
            .add("shape", DataTypes.createArrayType(DataTypes.IntegerType));
    spark.createDataFrame(rows, schema).coalesce(1).write().mode("append").parquet(dir.toString());
  }
}
