package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.PythonTorch;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.contract.ImagePaths;
import io.latentdecode.udf.contract.SampleKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --output-format parquet|webdataset}: the Arrow output's rows, columns and schema metadata
 * as Parquet files, read back by Spark and by the plain Parquet reader; the same images as
 * WebDataset shards, read by plain tar readers (Java's and Python's); each committed, resumed,
 * inspected and extracted as the Arrow output is.
 */
class OutputFormatsTest extends SparkJobTest {
  @TempDir Path tmp;
  Path model;
  Path table;

  @BeforeEach
  void setUp() throws Exception {
    model = Demo.extractDecoder(tmp.resolve("model"));
    table = tmp.resolve("table");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rows.add(
          RowFactory.create(
              "img/" + i + ".v2",
              TestLatents.float32(TestLatents.random(i, 4 * 4 * 3)),
              List.of(4, 4, 3),
              "a caption " + i,
              1000L + i,
              java.sql.Timestamp.valueOf("2026-01-0" + (i + 1) + " 10:20:30.123456"),
              List.of("t" + i, "all"),
              RowFactory.create(i * 10, "src-" + i)));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("latent", DataTypes.BinaryType)
            .add("shape", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("caption", DataTypes.StringType)
            .add("seed", DataTypes.LongType)
            .add("taken", DataTypes.TimestampType)
            .add("tags", DataTypes.createArrayType(DataTypes.StringType))
            .add(
                "meta",
                new StructType().add("w", DataTypes.IntegerType).add("src", DataTypes.StringType));
    spark.createDataFrame(rows, schema).repartition(2).write().parquet(table.toString());
  }

  @Test
  void theParquetFilesHoldTheArrowOutputsRowsColumnsAndMetadata() throws Exception {
    Path arrowOut = tmp.resolve("arrow");
    Path parquetOut = tmp.resolve("parquet");
    assertThat(decode(arrowOut).exitCode()).isZero();
    CliRun.Result r = decode(parquetOut, "--output-format", "parquet");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("(Parquet files)");
    assertThat(RunReports.only(parquetOut).at("/output/format").asText()).isEqualTo("parquet");
    assertThat(RunReports.only(arrowOut).at("/output/format").asText()).isEqualTo("arrow");
    List<Path> files = imageFiles(parquetOut);
    assertThat(files)
        .isNotEmpty()
        .allMatch(
            p ->
                p.getFileName()
                    .toString()
                    .matches("part-\\d{5}-\\d{8}T\\d{6}Z-[0-9a-f]{6}-c\\d{3}\\.parquet"));
    assertThat(Files.exists(parquetOut.resolve("_SUCCESS"))).isTrue();

    // Spark reads the folder as it is, and sees the Arrow output's rows
    Map<Object, byte[]> arrowImages = ArrowOutput.imagesById(arrowOut);
    List<Row> read = spark.read().parquet(parquetOut.toString()).collectAsList();
    assertThat(read).hasSize(6);
    assertThat(spark.read().parquet(parquetOut.toString()).columns())
        .containsExactly(
            "id", "image", "format", "width", "height", "caption", "seed", "taken", "tags", "meta");
    for (Row row : read) {
      String id = row.getString(0);
      int i = Integer.parseInt(id.substring(4, 5));
      assertThat((byte[]) row.get(1)).as(id).isEqualTo(arrowImages.get(id));
      assertThat(row.getString(2)).isEqualTo("png");
      assertThat(row.getInt(3)).isEqualTo(24);
      assertThat(row.getInt(4)).isEqualTo(32);
      assertThat(row.getString(5)).isEqualTo("a caption " + i);
      assertThat(row.getLong(6)).isEqualTo(1000L + i);
      assertThat(row.getTimestamp(7))
          .isEqualTo(java.sql.Timestamp.valueOf("2026-01-0" + (i + 1) + " 10:20:30.123456"));
      assertThat(row.<String>getList(8)).containsExactly("t" + i, "all");
      assertThat(row.getStruct(9).getInt(0)).isEqualTo(i * 10);
      assertThat(row.getStruct(9).getString(1)).isEqualTo("src-" + i);
    }

    // the plain Parquet reader: the footer holds the run's metadata, the rows every id once
    Configuration conf = new Configuration();
    List<String> ids = new ArrayList<>();
    for (Path file : files) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toUri());
      ParquetMetadata footer;
      try (ParquetFileReader reader =
          ParquetFileReader.open(HadoopInputFile.fromPath(path, conf))) {
        footer = reader.getFooter();
      }
      Map<String, String> meta = new HashMap<>(footer.getFileMetaData().getKeyValueMetaData());
      assertThat(meta.get("latentdecode.run_id"))
          .isEqualTo(RunReports.only(parquetOut).get("run_id").asText());
      assertThat(meta).containsKeys("latentdecode.model_sha256", "latentdecode.decode_settings");
      assertThat(
              footer.getFileMetaData().getSchema().getFields().stream().map(Type::getName).toList())
          .containsExactly(
              "id", "image", "format", "width", "height", "caption", "seed", "taken", "tags",
              "meta");
      try (ParquetReader<Group> rows =
          ParquetReader.builder(new GroupReadSupport(), path).withConf(conf).build()) {
        for (Group g = rows.read(); g != null; g = rows.read()) {
          ids.add(g.getString("id", 0));
          assertThat(g.getBinary("image", 0).getBytes())
              .isEqualTo(arrowImages.get(g.getString("id", 0)));
        }
      }
    }
    assertThat(ids)
        .containsExactlyInAnyOrderElementsOf(
            arrowImages.keySet().stream().map(String::valueOf).toList());
  }

  @Test
  void inspectAndExtractReadTheParquetOutput() throws Exception {
    Path out = tmp.resolve("parquet");
    assertThat(decode(out, "--output-format", "parquet").exitCode()).isZero();
    Path to = tmp.resolve("extracted");

    CliRun.Result inspect = CliRun.run("inspect", out.toString());
    CliRun.Result extract =
        CliRun.run("extract", out.toString(), "--ids", "img/3.v2", "--to", to.toString());

    assertThat(inspect.exitCode()).as(inspect.toString()).isZero();
    assertThat(inspect.out()).contains("6 images, 0 errors").contains("img/0.v2");
    assertThat(extract.exitCode()).as(extract.toString()).isZero();
    assertThat(Files.readAllBytes(to.resolve("img/3.v2.png")))
        .isEqualTo(
            spark
                .read()
                .parquet(out.toString())
                .where("id = 'img/3.v2'")
                .select("image")
                .first()
                .get(0));
  }

  @Test
  void aResumeInAnotherFormatIsRefusedNamingTheFormatToPass() throws Exception {
    Path out = tmp.resolve("out");
    assertThat(decode(out, "--output-format", "parquet").exitCode()).isZero();

    CliRun.Result again = decode(out);

    assertThat(again.exitCode()).as(again.toString()).isEqualTo(2);
    assertThat(again.err())
        .contains("holds parquet images, this run writes arrow")
        .contains("--output-format parquet");
    assertThat(imageFiles(out)).allMatch(p -> p.toString().endsWith(".parquet"));
  }

  @Test
  void webDatasetShardsHoldEverySampleOnceWithKeysThatGiveTheIdBack() throws Exception {
    Path arrowOut = tmp.resolve("arrow");
    Path shardsOut = tmp.resolve("shards");
    assertThat(decode(arrowOut).exitCode()).isZero();
    CliRun.Result r = decode(shardsOut, "--output-format", "webdataset", "--shard-samples", "2");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("(WebDataset files)");
    assertThat(RunReports.only(shardsOut).at("/output/format").asText()).isEqualTo("webdataset");
    List<Path> shards = imageFiles(shardsOut);
    assertThat(shards)
        .hasSizeGreaterThanOrEqualTo(3) // 6 samples, at most 2 per shard
        .allMatch(
            p ->
                p.getFileName()
                    .toString()
                    .matches("part-\\d{5}-\\d{8}T\\d{6}Z-[0-9a-f]{6}-c\\d{3}\\.tar"));

    // a plain tar reader: two members per sample, KEY.png and KEY.json, the key before the first
    // dot
    Map<Object, byte[]> arrowImages = ArrowOutput.imagesById(arrowOut);
    Map<String, byte[]> pngs = new HashMap<>();
    Map<String, JsonNode> jsons = new HashMap<>();
    for (Path shard : shards) {
      try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(shard))) {
        for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
          String name = e.getName();
          String key = name.substring(0, name.indexOf('.'));
          assertThat(key).doesNotContain("/", ".");
          byte[] bytes = tar.readAllBytes();
          if (name.endsWith(".json")) {
            assertThat(jsons.put(key, new ObjectMapper().readTree(bytes))).as(name).isNull();
          } else {
            assertThat(name).isEqualTo(key + ".png");
            assertThat(pngs.put(key, bytes)).as(name).isNull();
          }
        }
      }
    }
    assertThat(pngs.keySet()).isEqualTo(jsons.keySet()).hasSize(6);
    for (Map.Entry<String, JsonNode> e : jsons.entrySet()) {
      JsonNode json = e.getValue();
      String id = json.get("id").asText();
      assertThat(SampleKeys.id(e.getKey())).isEqualTo(id);
      assertThat(pngs.get(e.getKey())).as(id).isEqualTo(arrowImages.get(id));
      int i = Integer.parseInt(id.substring(4, 5));
      assertThat(json.get("width").asInt()).isEqualTo(24);
      assertThat(json.get("height").asInt()).isEqualTo(32);
      assertThat(json.get("format").asText()).isEqualTo("png");
      assertThat(json.get("caption").asText()).isEqualTo("a caption " + i);
      assertThat(json.get("seed").asLong()).isEqualTo(1000L + i);
      assertThat(json.get("taken").asText()).startsWith("2026-01-0" + (i + 1) + "T10:20:30.123");
      assertThat(json.get("tags").get(0).asText()).isEqualTo("t" + i);
      assertThat(json.get("meta").get("src").asText()).isEqualTo("src-" + i);
    }

    // Python's tarfile, as a WebDataset loader opens the shards: every id once
    List<String> args = new ArrayList<>(List.of(PythonTorch.PYTHON, "-c", PYTHON_SAMPLE_IDS));
    shards.forEach(s -> args.add(s.toString()));
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(printed).isZero();
    assertThat(printed.strip().lines().toList())
        .containsExactlyInAnyOrderElementsOf(
            arrowImages.keySet().stream().map(String::valueOf).toList());

    // inspect and extract read the shards
    Path to = tmp.resolve("extracted");
    CliRun.Result extract =
        CliRun.run("extract", shardsOut.toString(), "--ids", "img/5.v2", "--to", to.toString());
    assertThat(extract.exitCode()).as(extract.toString()).isZero();
    assertThat(Files.readAllBytes(to.resolve("img/5.v2.png")))
        .isEqualTo(arrowImages.get("img/5.v2"));
    assertThat(CliRun.run("inspect", shardsOut.toString()).out()).contains("6 images, 0 errors");
  }

  @Test
  void filesOutputsHoldOneImageFilePerIdAtAPathThatGivesTheIdBack() throws Exception {
    Path arrowOut = tmp.resolve("arrow");
    Path filesOut = tmp.resolve("files");
    assertThat(decode(arrowOut).exitCode()).isZero();
    CliRun.Result r = decode(filesOut, "--output-format", "files");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    Map<Object, byte[]> arrowImages = ArrowOutput.imagesById(arrowOut);
    for (Map.Entry<Object, byte[]> e : arrowImages.entrySet()) {
      Path file = filesOut.resolve(ImagePaths.path((String) e.getKey()) + ".png");
      assertThat(file).as(e.getKey().toString()).exists();
      assertThat(Files.readAllBytes(file)).isEqualTo(e.getValue());
    }
    assertThat(filesOut.resolve("img/3.v2.png")).exists();
    try (Stream<Path> all = Files.walk(filesOut)) {
      assertThat(all.filter(p -> p.toString().endsWith(".png"))).hasSize(6);
    }
    assertThat(CliRun.run("inspect", filesOut.toString()).out())
        .contains("6 images, 0 errors")
        .contains("img/");
    CliRun.Result again = decode(filesOut, "--output-format", "files");
    assertThat(again.out()).contains("0 images");
    CliRun.Result other = decode(filesOut);
    assertThat(other.exitCode()).isEqualTo(2);
    assertThat(other.err()).contains("holds files images").contains("--output-format files");
    assertThat(decode(tmp.resolve("raw"), "--output-format", "files", "--image-format", "raw"))
        .satisfies(
            raw -> {
              assertThat(raw.exitCode()).isEqualTo(2);
              assertThat(raw.err()).contains("--image-format raw with --output-format files");
            });
  }

  /** Prints each sample's id from its JSON member, grouping members by key as WebDataset does. */
  private static final String PYTHON_SAMPLE_IDS =
      "import json, sys, tarfile\n"
          + "for shard in sys.argv[1:]:\n"
          + "    with tarfile.open(shard) as t:\n"
          + "        for m in t.getmembers():\n"
          + "            if m.name.endswith('.json'):\n"
          + "                print(json.load(t.extractfile(m))['id'])\n";

  private CliRun.Result decode(Path output, String... more) {
    return CliRun.decode(table.toString(), output.toString(), model.toString(), more);
  }

  private static List<Path> imageFiles(Path output) throws Exception {
    try (Stream<Path> files = Files.list(output)) {
      return files
          .filter(
              p ->
                  p.toString().endsWith(".parquet")
                      || p.toString().endsWith(".arrow")
                      || p.toString().endsWith(".tar"))
          .sorted()
          .toList();
    }
  }
}
