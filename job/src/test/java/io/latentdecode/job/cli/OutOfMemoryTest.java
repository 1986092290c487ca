package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.PythonTorch;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forward that runs out of memory never loses a row nor stops the run: the batch is halved down
 * to single latents, a single latent is decoded in smaller tiles, and only a latent that fits in no
 * way is quarantined ({@code out_of_memory}). The splits are counted in the run report. The OOMs
 * come from a decoder that raises libtorch's own allocation errors past a size (no GPU here).
 */
class OutOfMemoryTest extends SparkJobTest {
  @Test
  void batchesAreHalvedLatentsTiledAndOnlyTheHopelessQuarantined(@TempDir Path tmp)
      throws Exception {
    PythonTorch.require();
    Path model = tmp.resolve("oom.ts.pt");
    PythonTorch.Result made =
        PythonTorch.run(
            List.of(
                Path.of("src/test/python/oom_decoder.py").toAbsolutePath().toString(),
                model.toString()));
    assertThat(made.exitCode()).as(made.output()).isZero();
    Path in = tmp.resolve("in");
    TestLatents.randomNpys(in, "small", 4, 4, 8, 8); // one batch of 4: OOM unless alone
    TestLatents.randomNpy(in.resolve("big.npy"), 9, 4, 32, 32); // OOM unless in 16x16 tiles
    TestLatents.randomNpy(in.resolve("hopeless.npy"), 7, 5, 8, 8); // OOM however small
    Path out = tmp.resolve("out");

    CliRun.Result r =
        CliRun.decode(
            in.toString(),
            out.toString(),
            model.toString(),
            "--batch-size",
            "4",
            "--partitions",
            "1",
            "--image-format",
            "raw",
            "--max-error-fraction",
            "0.5");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(out).column("id"))
        .containsExactlyInAnyOrder("small0", "small1", "small2", "small3", "big");
    Map<String, Object> error = ArrowOutput.errors(out).rows().get(0);
    assertThat(error.get("id")).isEqualTo("hopeless");
    assertThat(error.get("error_kind")).isEqualTo("out_of_memory");
    assertThat(error.get("message").toString())
        .startsWith("the decoder ran out of memory for this latent alone")
        .contains("not enough memory");
    // 4 -> 2 + 2 -> 1 + 1 + 1 + 1: three splits; the big latent alone -> 16x16 tiles: one more.
    assertThat(RunReports.only(out).at("/counts/oom_splits").asLong()).isEqualTo(4);
  }
}
