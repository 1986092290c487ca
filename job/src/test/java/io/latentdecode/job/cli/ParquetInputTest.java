package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Parquet contract: dtypes, carried-through columns, raw output, and bad rows quarantined. */
class ParquetInputTest extends SparkJobTest {
  private static final int C = 4;
  private static final int H = 3;
  private static final int W = 5;

  @Test
  void decodesEveryDtypeCarriesOtherColumnsAndQuarantinesBadRows(@TempDir Path tmp)
      throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    float[] values = new float[C * H * W];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((i % 13) - 6) * 0.25f; // exact in float16 and bfloat16
    }
    List<Row> rows = new ArrayList<>();
    rows.add(row("f32", float32(values), "float32", "a red fox", 1L));
    rows.add(row("f16", float16(values), "float16", "a blue bird", 2L));
    rows.add(row("bf16", bfloat16(values), "bfloat16", "a green frog", 3L));
    rows.add(row("default-dtype", float32(values), null, "no dtype column value", 4L));
    float[] withNan = values.clone();
    withNan[7] = Float.NaN;
    rows.add(row("nan", float32(withNan), "float32", "nan", 5L));
    rows.add(row("short", new byte[10], "float32", "too few bytes", 6L));
    rows.add(row("int8", new byte[C * H * W], "int8", "unsupported dtype", 7L));
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("latent", DataTypes.BinaryType)
            .add("shape", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("dtype", DataTypes.StringType)
            .add("prompt", DataTypes.StringType)
            .add("seed", DataTypes.LongType);
    Path input = tmp.resolve("latents.parquet");
    spark.createDataFrame(rows, schema).repartition(2).write().parquet(input.toString());
    Path out = tmp.resolve("images");

    CliRun.Result r =
        CliRun.decode(
            input.toString(),
            out.toString(),
            model.toString(),
            "--image-format",
            "raw",
            "--scaling-factor",
            "0.5",
            "--max-error-fraction",
            "1");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    ArrowOutput.Table images = ArrowOutput.images(out);
    assertThat(images.column("id"))
        .containsExactlyInAnyOrder("f32", "f16", "bf16", "default-dtype");
    assertThat(images.schemas().get(0).getFields())
        .extracting(f -> f.getName())
        .containsExactly("id", "image", "format", "width", "height", "prompt", "seed");
    byte[] reference = null;
    for (Map<String, Object> image : images.rows()) {
      assertThat(image.get("format")).isEqualTo("raw");
      assertThat((byte[]) image.get("image")).hasSize(H * 8 * W * 8 * 3);
      if (reference == null) {
        reference = (byte[]) image.get("image");
      }
      assertThat((byte[]) image.get("image"))
          .as("pixels of %s", image.get("id"))
          .isEqualTo(reference);
    }
    Map<Object, Object> prompts = new java.util.HashMap<>();
    images
        .rows()
        .forEach(row -> prompts.put(row.get("id"), row.get("prompt") + "/" + row.get("seed")));
    assertThat(prompts)
        .containsEntry("f16", "a blue bird/2")
        .containsEntry("bf16", "a green frog/3");

    ArrowOutput.Table errors = ArrowOutput.errors(out);
    Map<Object, Object> kinds = new java.util.HashMap<>();
    errors.rows().forEach(row -> kinds.put(row.get("id"), row.get("error_kind")));
    assertThat(kinds)
        .containsOnly(
            Map.entry("nan", "non_finite_latent"),
            Map.entry("short", "invalid_latent"),
            Map.entry("int8", "unsupported_dtype"));
  }

  @Test
  void aParquetWithoutTheContractColumnsStopsBeforeAnyTask(@TempDir Path tmp) throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    Path input = tmp.resolve("wrong.parquet");
    spark.range(3).toDF("id").write().parquet(input.toString());

    CliRun.Result r =
        CliRun.decode(input.toString(), tmp.resolve("out").toString(), model.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("Parquet column 'id' is bigint", "needs string");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  private static Row row(String id, byte[] latent, String dtype, String prompt, long seed) {
    return RowFactory.create(id, latent, List.of(C, H, W), dtype, prompt, seed);
  }

  private static byte[] float32(float[] values) {
    return TestLatents.float32(values);
  }

  private static byte[] bfloat16(float[] values) {
    return TestLatents.bfloat16(values);
  }

  private static byte[] float16(float[] values) {
    return TestLatents.float16(values);
  }
}
