package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.LocalClusterHome;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.TestLatents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On real executor JVMs ({@code local-cluster[2,1,1024]}), each executor loads the decoder once and
 * shares it across its tasks: the model is never reloaded per task or partition.
 */
class LocalClusterTest {
  @Test
  void eachExecutorJvmLoadsTheDecoderOnceForAllItsTasks(@TempDir Path tmp) throws Exception {
    LocalClusterHome.prepare();
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    Path input = tmp.resolve("latents");
    TestLatents.randomNpys(input, "l", 12, 4, 16, 16);
    Path output = tmp.resolve("images");

    List<String> args =
        new ArrayList<>(
            List.of(
                "--partitions", "6", "--batch-size", "2", "--master", "local-cluster[2,1,1024]"));
    args.addAll(LocalClusterHome.clusterConf());
    CliRun.Result r =
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), args.toArray(String[]::new));

    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode report = RunReports.only(output);
    assertThat(report.at("/counts/tasks").asInt()).isEqualTo(6);
    JsonNode executors = report.get("executors");
    assertThat(executors).hasSize(2);
    Set<String> jvms = new HashSet<>();
    long tasks = 0;
    for (JsonNode executor : executors) {
      assertThat(executor.get("executor_id").asText()).isNotEqualTo("driver");
      assertThat(executor.get("model_loads_in_jvm").asInt())
          .as("decoder loads in executor %s", executor)
          .isEqualTo(1);
      jvms.add(executor.get("jvm").asText());
      tasks += executor.get("tasks").asLong();
    }
    assertThat(jvms).as("distinct executor JVMs").hasSize(2);
    assertThat(tasks).isEqualTo(6);
    assertThat(ArrowOutput.images(output).column("id")).hasSize(12).doesNotHaveDuplicates();
  }
}
