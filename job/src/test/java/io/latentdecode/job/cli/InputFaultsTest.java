package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input faults beyond single bad tensors: duplicated ids, zero or negative dimensions, latents too
 * large to decode. Each bad id is reported exactly once with its reason; the rest decodes.
 */
class InputFaultsTest extends SparkJobTest {
  @TempDir Path tmp;
  Path model;

  @BeforeEach
  void setUp() throws Exception {
    model = Demo.extractDecoder(tmp.resolve("model"));
  }

  @Test
  void aDuplicatedIdIsReportedOnceAndNoneOfItsRowsDecoded() throws Exception {
    Path input = tmp.resolve("table");
    writeParquet(
        input,
        List.of(row("r1", 4, 3, 3), row("r2", 4, 3, 3), row("r2", 4, 3, 3), row("r3", 4, 3, 3)));
    Path out = tmp.resolve("out");

    CliRun.Result r = decode(input, out);
    CliRun.Result again = decode(input, out);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(out).column("id")).containsExactlyInAnyOrder("r1", "r3");
    Map<Object, Object> errors = errorsById(out);
    assertThat(errors).containsOnlyKeys("r2");
    assertThat(errors.get("r2").toString())
        .isEqualTo(
            "duplicate_id: the id occurs 2 times in the input; none of its rows was decoded (ids"
                + " must be unique)");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("Nothing to decode");
    assertThat(errorsById(out)).hasSize(1);
  }

  @Test
  void zeroAndNegativeDimensionsAreQuarantined() throws Exception {
    Path input = tmp.resolve("table");
    writeParquet(
        input, List.of(row("ok", 4, 3, 3), row("zero", 4, 0, 3), row("negative", 4, -2, 3)));
    Path out = tmp.resolve("out");

    CliRun.Result r = decode(input, out);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(out).column("id")).containsExactly("ok");
    Map<Object, Object> errors = errorsById(out);
    assertThat(errors).containsOnlyKeys("zero", "negative");
    assertThat(errors.get("zero").toString())
        .startsWith("invalid_latent")
        .contains("[4, 0, 3]", "every dimension must be between 1 and 65536");
    assertThat(errors.get("negative").toString())
        .startsWith("invalid_latent")
        .contains("[4, -2, 3]", "negative dimension");
  }

  @Test
  void aLatentTooLargeToDecodeIsQuarantinedNotACrash() throws Exception {
    Path input = tmp.resolve("in");
    TestLatents.randomNpy(input.resolve("small.npy"), 1, 4, 8, 8);
    TestLatents.randomNpy(input.resolve("huge.npy"), 2, 4, 40, 48);
    Path out = tmp.resolve("out");

    CliRun.Result r =
        CliRun.decode(
            input.toString(),
            out.toString(),
            model.toString(),
            "--max-image-megapixels",
            "0.1",
            "--max-error-fraction",
            "1");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(out).column("id")).containsExactly("small");
    assertThat(errorsById(out).get("huge").toString())
        .isEqualTo(
            "too_large: the latent [4, 40, 48] would decode to about 384x320 pixels (0.12 M),"
                + " above the limit of 0.10 M pixels per image (--max-image-megapixels)");
  }

  @Test
  void aCorruptParquetFileIsReportedWholeAndTheOtherFilesDecode() throws Exception {
    Path input = tmp.resolve("table");
    writeParquet(input, List.of(row("p1", 4, 3, 3), row("p2", 4, 3, 3)));
    Path good;
    try (var files = java.nio.file.Files.list(input)) {
      good = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().get();
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(good);
    java.nio.file.Files.write(
        input.resolve("cut.parquet"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Path out = tmp.resolve("out");

    CliRun.Result r = decode(input, out);
    CliRun.Result again = decode(input, out);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(out).column("id")).containsExactlyInAnyOrder("p1", "p2");
    Map<Object, Object> errors = errorsById(out);
    assertThat(errors).containsOnlyKeys("cut.parquet");
    assertThat(errors.get("cut.parquet").toString())
        .startsWith("invalid_latent: the whole file is unreadable as Parquet")
        .endsWith("none of its rows was decoded, the other files were");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(errorsById(out)).as("not reported again by a rerun").hasSize(1);
  }

  private CliRun.Result decode(Path input, Path out) {
    return CliRun.decode(
        input.toString(), out.toString(), model.toString(), "--max-error-fraction", "1");
  }

  private static Map<Object, Object> errorsById(Path out) throws Exception {
    Map<Object, Object> errors = new HashMap<>();
    ArrowOutput.errors(out)
        .rows()
        .forEach(e -> errors.put(e.get("id"), e.get("error_kind") + ": " + e.get("message")));
    return errors;
  }

  private static Row row(String id, int c, int h, int w) {
    int n = Math.max(0, c * h * w);
    return RowFactory.create(
        id, TestLatents.float32(TestLatents.random(id.hashCode(), n)), List.of(c, h, w));
  }

  private void writeParquet(Path dir, List<Row> rows) {
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("latent", DataTypes.BinaryType)
            .add("shape", DataTypes.createArrayType(DataTypes.IntegerType));
    spark.createDataFrame(new ArrayList<>(rows), schema).write().parquet(dir.toString());
  }
}
