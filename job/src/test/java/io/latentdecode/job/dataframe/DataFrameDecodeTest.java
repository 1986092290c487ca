package io.latentdecode.job.dataframe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentdecode.job.DecodeOptions;
import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.LatentDecode;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.latent.NpyFile;
import io.latentdecode.udf.latent.RawTensor;
import io.latentdecode.udf.testing.SharedData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code LatentDecode.decode} from Java on {@code local[2]}: a Dataset of latents in, a lazy
 * Dataset of images out, with the same pixels as the command line, quarantined rows as rows with
 * their error kind, the CLI's flag names and checks, and Spark's writer writing the result.
 */
class DataFrameDecodeTest extends SparkJobTest {
  private static final StructType LATENTS =
      new StructType()
          .add("id", DataTypes.StringType)
          .add("latent", DataTypes.BinaryType)
          .add("shape", DataTypes.createArrayType(DataTypes.IntegerType))
          .add("caption", DataTypes.StringType);

  @TempDir Path tmp;

  @Test
  void theSharedReferencesDecodeToTheSamePixelsAsTheCommandLine() throws Exception {
    Path taef2 = tmp.resolve("taef2");
    for (String name : List.of("brick", "grass", "gravel")) {
      TestLatents.reference(taef2, name);
    }
    assertSamePixelsAsTheCli(taef2, SharedData.taef2Decoder().toString(), "--preset", "taef2");
    Path kl = tmp.resolve("sd-tiny");
    Files.createDirectories(kl);
    for (String name : List.of("a_32x32", "b_24x40")) {
      Files.copy(
          SharedData.autoencoderKlReference("sd-tiny").resolve(name + ".npy"),
          kl.resolve(name + ".npy"));
    }
    assertSamePixelsAsTheCli(kl, SharedData.autoencoderKl("sd-tiny").toString());
  }

  private void assertSamePixelsAsTheCli(Path npys, String model, String... conventions)
      throws Exception {
    List<String> flags = new ArrayList<>(List.of("--model", model, "--image-format", "raw"));
    flags.addAll(Arrays.asList(conventions));
    List<Row> rows = new ArrayList<>();
    try (var files = Files.list(npys)) {
      for (Path file : files.sorted().toList()) {
        String id = file.getFileName().toString().replace(".npy", "");
        rows.add(latentRow(id, NpyFile.toTensor(Files.readAllBytes(file)), "caption of " + id));
      }
    }
    Dataset<Row> decoded =
        LatentDecode.decode(spark.createDataFrame(rows, LATENTS), DecodeOptions.of(flags));
    assertThat(decoded.columns())
        .containsExactly(
            "id", "image", "format", "width", "height", "caption", "error_kind", "error_message");
    Map<String, byte[]> api = new HashMap<>();
    for (Row row : decoded.collectAsList()) {
      assertThat(row.isNullAt(row.fieldIndex("error_kind"))).as(row.mkString(", ")).isTrue();
      assertThat(row.<String>getAs("caption")).isEqualTo("caption of " + row.getAs("id"));
      assertThat(row.<String>getAs("format")).isEqualTo("raw");
      api.put(row.getAs("id"), row.getAs("image"));
    }

    Path output = tmp.resolve("cli-" + npys.getFileName());
    List<String> more = new ArrayList<>(List.of("--image-format", "raw"));
    more.addAll(Arrays.asList(conventions));
    CliRun.Result r =
        CliRun.decode(npys.toString(), output.toString(), model, more.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    Map<Object, byte[]> cli = ArrowOutput.imagesById(output);
    assertThat(api.keySet()).hasSize(rows.size()).isEqualTo(cli.keySet());
    for (String id : api.keySet()) {
      assertThat(api.get(id)).as("pixels of %s", id).isEqualTo(cli.get(id));
    }
  }

  @Test
  void badRowsComeBackAsRowsWithTheirErrorKindAndEveryRowOnce() throws Exception {
    Path npy = TestLatents.reference(tmp.resolve("good"), "brick");
    RawTensor good = NpyFile.toTensor(Files.readAllBytes(npy));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(latentRow("good-" + i, good, "fine"));
    }
    rows.add(RowFactory.create("truncated", new byte[12], shapeList(good.shape()), "short"));
    rows.add(RowFactory.create("no-latent", null, shapeList(good.shape()), "null"));
    int[] fourChannels = {4, 8, 8};
    rows.add(
        RowFactory.create(
            "four-channels",
            TestLatents.float32(new float[4 * 8 * 8]),
            shapeList(fourChannels),
            "wrong"));
    Dataset<Row> decoded =
        LatentDecode.decode(
            spark.createDataFrame(rows, LATENTS).repartition(2),
            DecodeOptions.builder()
                .model(SharedData.taef2Decoder().toString())
                .preset("taef2")
                .build());

    Map<String, Row> byId = new HashMap<>();
    for (Row row : decoded.collectAsList()) {
      String id = row.getAs("id");
      assertThat(byId.put(id, row)).as("row %s once", id).isNull();
    }
    assertThat(byId).hasSize(rows.size());
    for (int i = 0; i < 5; i++) {
      Row row = byId.get("good-" + i);
      assertThat(row.isNullAt(row.fieldIndex("error_kind"))).isTrue();
      BufferedImage png = ImageIO.read(new ByteArrayInputStream(row.getAs("image")));
      assertThat(png.getWidth()).isEqualTo(row.<Integer>getAs("width"));
      assertThat(row.<String>getAs("caption")).isEqualTo("fine");
    }
    assertThat(byId.get("truncated").<String>getAs("error_kind")).isEqualTo("invalid_latent");
    assertThat(byId.get("no-latent").<String>getAs("error_message"))
        .isEqualTo("the latent column is null");
    Row wrong = byId.get("four-channels");
    assertThat(wrong.<String>getAs("error_kind")).isEqualTo("wrong_channels");
    assertThat(wrong.isNullAt(wrong.fieldIndex("image"))).isTrue();
    // a quarantined row keeps its carried columns, so it can be joined back to its input
    assertThat(byId.get("truncated").<String>getAs("caption")).isEqualTo("short");
    assertThat(byId.get("no-latent").<String>getAs("caption")).isEqualTo("null");
    assertThat(wrong.<String>getAs("caption")).isEqualTo("wrong");
  }

  @Test
  void theDecodeIsLazyStopsEarlyUnderLimitAndSparksWriterWritesIt() throws Exception {
    Path npy = TestLatents.reference(tmp.resolve("one"), "grass");
    RawTensor latent = NpyFile.toTensor(Files.readAllBytes(npy));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rows.add(latentRow("g" + i, latent, "c" + i));
    }
    Dataset<Row> input = spark.createDataFrame(rows, LATENTS).repartition(1);
    int jobsBefore = spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;
    Dataset<Row> decoded =
        LatentDecode.decode(
            input, DecodeOptions.of("--model", SharedData.taef2Decoder().toString()));
    assertThat(spark.sparkContext().statusTracker().getJobIdsForGroup(null).length)
        .as("Spark jobs started by decode() itself")
        .isEqualTo(jobsBefore);

    assertThat(decoded.limit(1).collectAsList()).hasSize(1);

    Path written = tmp.resolve("written");
    decoded.select("id", "image", "width").write().parquet(written.toString());
    assertThat(spark.read().parquet(written.toString()).count()).isEqualTo(6);
  }

  @Test
  void theCommandLinesChecksStopABadSettingBeforeAnyTask() {
    assertThatThrownBy(() -> DecodeOptions.of("--model", "m", "--output-format", "parquet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--output-format")
        .hasMessageContaining("Spark's writer");
    assertThatThrownBy(() -> DecodeOptions.builder().model("m").batchSize("zero").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--batch-size zero");
    assertThatThrownBy(() -> DecodeOptions.builder().preset("sdxl").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--model");

    Dataset<Row> input = spark.createDataFrame(List.of(), LATENTS);
    int jobsBefore = spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;
    assertThatThrownBy(
            () ->
                LatentDecode.decode(
                    input, DecodeOptions.of("--model", tmp.resolve("missing").toString())))
        .isInstanceOf(JobSetupException.class)
        .hasMessageContaining("missing");
    assertThatThrownBy(
            () ->
                LatentDecode.decode(
                    input.drop("shape"),
                    DecodeOptions.of("--model", SharedData.taef2Decoder().toString())))
        .isInstanceOf(JobSetupException.class)
        .hasMessageContaining("no 'shape' column");
    assertThat(spark.sparkContext().statusTracker().getJobIdsForGroup(null).length)
        .isEqualTo(jobsBefore);
  }

  private static Row latentRow(String id, RawTensor tensor, String caption) {
    byte[] bytes =
        Arrays.copyOfRange(tensor.data(), tensor.offset(), tensor.offset() + tensor.length());
    return RowFactory.create(id, bytes, shapeList(tensor.shape()), caption);
  }

  private static List<Integer> shapeList(int[] shape) {
    return Arrays.stream(shape).boxed().toList();
  }
}
