package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.FlakyFileSystem;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model on a non-local Hadoop file system is fetched to the executor's local model cache and used
 * from there.
 */
class RemoteModelTest extends SparkJobTest {
  @BeforeAll
  static void useFlakyFileSystem() {
    registerFlakyFileSystem(1);
  }

  @Test
  void fetchesTheModelFromItsUriIntoTheLocalCacheByDigest(@TempDir Path tmp) throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    Path input = tmp.resolve("latents");
    TestLatents.randomNpy(input.resolve("a.npy"), 1, 4, 3, 3);
    Path output = tmp.resolve("images");

    CliRun.Result r =
        decodeWithFlakyFileSystem(
            input.toString(), output.toString(), FlakyFileSystem.SCHEME + "://" + model);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(output).column("id")).containsExactly("a");
    String sha256 = RunReports.only(output).at("/model/sha256").asText();
    assertThat(RunReports.only(output).at("/model/uri").asText()).startsWith("flaky:");
    assertThat(
            Paths.get(
                System.getProperty("java.io.tmpdir"),
                "latent-decode-models",
                sha256,
                "preview-decoder.ts.pt"))
        .exists()
        .hasSameBinaryContentAs(model);
  }
}
