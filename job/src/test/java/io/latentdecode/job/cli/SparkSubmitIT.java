package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.StandaloneCluster;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.testing.SharedData;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster artifact ({@code target/latent-decode-cluster.jar}) submitted the way {@code
 * spark-submit} does it, with {@code conf/cluster/standalone.conf}, to a standalone Master and
 * Worker on loopback. The cluster runs from a Spark home that holds only what a Spark distribution
 * has (the build's class path minus what the cluster artifact carries), and its Worker announces a
 * GPU through the project's discovery script, so the run's GPU scheduling settings must be
 * satisfied for any task to start. The decode itself runs on the CPU ({@code --device cpu}): no
 * CUDA here.
 */
class SparkSubmitIT {
  /** Jars the cluster artifact carries (job/pom.xml, the shade plugin's includes). */
  private static final List<String> CARRIED =
      List.of(
          "latent-decode-",
          "api-0.35",
          "pytorch-",
          "pngencoder-",
          "webp-imageio-",
          "kotlin-stdlib-",
          "picocli-",
          "progressbar-",
          "jline-",
          "hadoop-aws-",
          "-2.35.4.jar",
          "eventstream-",
          "analyticsaccelerator-",
          "reactive-streams-");

  @Test
  void theClusterArtifactDecodesOnAStandaloneClusterWithGpuScheduling(@TempDir Path tmp)
      throws Exception {
    Path clusterJar = Path.of(System.getProperty("latentdecode.clusterJar"));
    try (ZipFile jar = new ZipFile(clusterJar.toFile())) {
      assertThat(jar.getEntry("ai/djl/pytorch/engine/PtEngine.class")).isNotNull();
      assertThat(jar.getEntry("io/latentdecode/udf/task/DecodePartition.class")).isNotNull();
      assertThat(jar.getEntry("org/apache/spark/SparkContext.class")).isNull();
    }
    Path sparkHome = sparkDistribution(tmp.resolve("spark-home"));
    Path discovery = Path.of("../conf/gpu/get-gpus-resources.sh").toAbsolutePath().normalize();
    Path model = SharedData.taef2Decoder();
    Path in = tmp.resolve("in");
    TestLatents.randomNpys(in, "z", 8, 32, 32, 32);
    Path out = tmp.resolve("out");
    Path events = Files.createDirectories(tmp.resolve("events"));

    try (StandaloneCluster cluster =
        StandaloneCluster.start(
            tmp.resolve("cluster"),
            sparkHome,
            1,
            2,
            List.of(
                "-Dspark.worker.resource.gpu.amount=1",
                "-Dspark.worker.resource.gpu.discoveryScript=" + discovery),
            // The script lists the GPUs CUDA_VISIBLE_DEVICES names, else nvidia-smi's (none here).
            Map.of("CUDA_VISIBLE_DEVICES", "0"))) {
      List<String> submit =
          new ArrayList<>(
              List.of(
                  "--master",
                  cluster.masterUrl(),
                  "--deploy-mode",
                  "client",
                  "--properties-file",
                  Path.of("../conf/cluster/standalone.conf").toAbsolutePath().toString(),
                  // This machine: 2 cores, 1 GB for the executor, the discovery script here.
                  "--conf",
                  "spark.executor.cores=2",
                  "--conf",
                  "spark.task.resource.gpu.amount=0.5",
                  "--conf",
                  "spark.executor.memory=1g",
                  "--conf",
                  "spark.driver.memory=1g",
                  "--conf",
                  "spark.executor.resource.gpu.discoveryScript=" + discovery,
                  "--conf",
                  "spark.driver.host=127.0.0.1",
                  "--conf",
                  "spark.driver.bindAddress=127.0.0.1",
                  "--conf",
                  "spark.ui.enabled=false",
                  "--conf",
                  "spark.eventLog.enabled=true",
                  "--conf",
                  "spark.eventLog.dir=" + events.toUri(),
                  "--conf",
                  "spark.eventLog.compress=false",
                  "--class",
                  "io.latentdecode.job.cli.Main",
                  clusterJar.toString(),
                  "run",
                  "--input",
                  in.toString(),
                  "--output",
                  out.toString(),
                  "--model",
                  model.toString(),
                  "--preset",
                  "taef2",
                  "--device",
                  "cpu",
                  "--partitions",
                  "4"));
      Process process = sparkSubmit(sparkHome, submit, tmp.resolve("submit.log"));
      boolean ended = process.waitFor(4, TimeUnit.MINUTES);
      String log = Files.readString(tmp.resolve("submit.log"));
      if (!ended) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      assertThat(ended).as("spark-submit ended within 4 minutes:%n%s", log).isTrue();
      assertThat(process.exitValue()).as(log).isZero();
      assertThat(log).contains("8 images, 0 errors");
    }
    assertThat(ArrowOutput.images(out).column("id")).hasSize(8);
    JsonNode report = RunReports.only(out);
    assertThat(report.at("/spark/master").asText()).startsWith("spark://127.0.0.1:");
    assertThat(report.at("/executors/0/executor_id").asText()).isNotEqualTo("driver");
    // The run's accumulators reach Spark's event log (and so the history server's UI).
    // (Spark 4 rolls event logs: a folder per application, files inside.)
    StringBuilder eventLog = new StringBuilder();
    try (Stream<Path> logs = Files.walk(events)) {
      for (Path log : logs.filter(Files::isRegularFile).toList()) {
        eventLog.append(Files.readString(log));
      }
    }
    assertThat(eventLog.toString())
        .contains("\"Name\":\"latent-decode.images\"", "latent-decode.forward_ms");
  }

  /** A Spark home with only Spark's own jars: links to the build's class path, minus ours. */
  private static Path sparkDistribution(Path home) throws Exception {
    Path lib = Path.of("target/lib").toAbsolutePath();
    Path jars = Files.createDirectories(home.resolve("jars"));
    try (Stream<Path> all = Files.list(lib)) {
      for (Path jar : (Iterable<Path>) all::iterator) {
        String name = jar.getFileName().toString();
        if (CARRIED.stream().noneMatch(name::contains)) {
          Files.createSymbolicLink(jars.resolve(name), jar);
        }
      }
    }
    Files.writeString(home.resolve("RELEASE"), "Spark 4.2.0 (test distribution)\n");
    return home;
  }

  /**
   * What {@code bin/spark-submit} does: Spark's launcher builds the driver's command (memory, Java
   * options, module flags, class path) from the arguments and the properties file; then that
   * command runs.
   */
  private static Process sparkSubmit(Path sparkHome, List<String> args, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> launcher =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx128m",
                "-cp",
                sparkHome.resolve("jars") + File.separator + "*",
                "org.apache.spark.launcher.Main",
                "org.apache.spark.deploy.SparkSubmit"));
    launcher.addAll(args);
    ProcessBuilder build = new ProcessBuilder(launcher);
    environment(build, sparkHome);
    Process building = build.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String command = new String(building.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(building.waitFor()).as("spark launcher: %s", command).isZero();
    // NUL-separated arguments (bin/spark-class reads them with `read -d ''`), after a newline.
    List<String> driver = new ArrayList<>();
    for (String arg : command.split("\0")) {
      if (!arg.isBlank()) {
        driver.add(arg.strip());
      }
    }
    ProcessBuilder run = new ProcessBuilder(driver);
    environment(run, sparkHome);
    return run.redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void environment(ProcessBuilder builder, Path sparkHome) {
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
  }
}
