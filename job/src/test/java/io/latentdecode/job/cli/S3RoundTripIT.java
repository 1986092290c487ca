package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.S3Proxy;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.latent.NpyFile;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on a real S3 API server (S3Proxy on loopback) through Hadoop's S3A: latents, model and
 * output in a bucket, the packaged jar on a plain {@code java -jar}. The committed output follows
 * the task manifests; nothing temporary is left; a rerun decodes nothing; the secret key appears in
 * no log, report, output object or Spark event log.
 */
class S3RoundTripIT {
  private static final String BUCKET = "latents";
  @TempDir static Path tmp;
  static S3Proxy s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Proxy.start(tmp.resolve("s3proxy"));
    s3.createBucket(BUCKET);
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void decodesFromAndToABucketExactlyOnceWithoutLeakingTheSecret() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      s3.put(
          BUCKET,
          "in/batch/x" + i + ".npy",
          NpyFile.float32(TestLatents.random(i, 4 * 8 * 8), 4, 8, 8));
      ids.add("batch/x" + i);
    }
    s3.put(BUCKET, "in/bad.npy", TestLatents.withValue(new int[] {4, 8, 8}, 3, Float.NaN));
    s3.put(
        BUCKET,
        "models/preview.ts.pt",
        Files.readAllBytes(Demo.extractDecoder(tmp.resolve("model"))));
    Path events = Files.createDirectories(tmp.resolve("events"));

    Run first = run(events, tmp.resolve("first.log"));
    Run again = run(events, tmp.resolve("again.log"));

    assertThat(first.exitCode()).as(first.log()).isZero();
    assertThat(first.log()).contains("6 images, 1 errors");
    List<String> keys = s3.keys(BUCKET, "out/");
    assertThat(keys).contains("out/_SUCCESS").noneMatch(k -> k.contains("_temporary"));

    // Follow the manifests, as a reader that must not see uncommitted files does.
    ObjectMapper json = new ObjectMapper();
    List<byte[]> imageFiles = new ArrayList<>();
    List<byte[]> errorFiles = new ArrayList<>();
    Set<String> named = new HashSet<>();
    for (String key : keys) {
      if (key.startsWith("out/_manifests/") && key.endsWith(".json")) {
        JsonNode manifest = json.readTree(s3.get(BUCKET, key));
        for (JsonNode f : manifest.path("image_files")) {
          imageFiles.add(s3.get(BUCKET, "out/" + f.asText()));
          named.add("out/" + f.asText());
        }
        for (JsonNode f : manifest.path("error_files")) {
          errorFiles.add(s3.get(BUCKET, "out/" + f.asText()));
          named.add("out/" + f.asText());
        }
      }
    }
    assertThat(ArrowOutput.readBytes(imageFiles).column("id"))
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(ArrowOutput.readBytes(errorFiles).column("id")).containsExactly("bad");
    assertThat(keys.stream().filter(k -> k.endsWith(".arrow")).toList())
        .as("every Arrow object in the bucket is committed by a manifest")
        .containsExactlyInAnyOrderElementsOf(named);

    assertThat(again.exitCode()).as(again.log()).isZero();
    assertThat(again.log()).contains("Nothing to decode: all 7 inputs were committed");

    String secret = s3.secretKey();
    assertThat(first.log()).doesNotContain(secret);
    assertThat(again.log()).doesNotContain(secret);
    for (String key : s3.keys(BUCKET, "out/")) {
      assertThat(new String(s3.get(BUCKET, key), StandardCharsets.ISO_8859_1))
          .as("object %s", key)
          .doesNotContain(secret);
    }
    try (Stream<Path> logs = Files.walk(events)) {
      List<Path> files = logs.filter(Files::isRegularFile).toList();
      assertThat(files).as("Spark event logs").isNotEmpty();
      for (Path f : files) {
        assertThat(Files.readString(f, StandardCharsets.ISO_8859_1))
            .as("event log %s", f)
            .doesNotContain(secret);
      }
    }
  }

  private record Run(int exitCode, String log) {}

  private static Run run(Path events, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-jar",
                System.getProperty("latentdecode.jar"),
                "run",
                "--input",
                "s3a://" + BUCKET + "/in",
                "--output",
                "s3a://" + BUCKET + "/out",
                "--model",
                "s3a://" + BUCKET + "/models/preview.ts.pt",
                "--max-error-fraction",
                "0.5",
                "--master",
                "local[2]",
                "--conf",
                "spark.eventLog.enabled=true",
                "--conf",
                "spark.eventLog.dir=" + events.toUri()));
    for (Map.Entry<String, String> e : s3.sparkConf().entrySet()) {
      command.add("--conf");
      command.add(e.getKey() + "=" + e.getValue());
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = builder.redirectOutput(new File(log.toString())).start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), Files.readString(log));
  }
}
