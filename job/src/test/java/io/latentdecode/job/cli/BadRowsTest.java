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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows that cannot be decoded are quarantined in {@code _errors/} with a reason, the rest decode,
 * and every input id is in exactly one of the two.
 */
class BadRowsTest extends SparkJobTest {
  private static final int[] SHAPE = {4, 6, 5};

  @Test
  void quarantinesEachBadNpyWithItsReasonAndDecodesTheRest(@TempDir Path tmp) throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    Path in = tmp.resolve("latents");
    TestLatents.randomNpys(in, "good/g", 5, SHAPE);
    TestLatents.write(in.resolve("bad/truncated.npy"), TestLatents.truncated(SHAPE));
    TestLatents.write(in.resolve("bad/int64.npy"), TestLatents.int64(SHAPE));
    TestLatents.write(in.resolve("bad/nan.npy"), TestLatents.withValue(SHAPE, 11, Float.NaN));
    TestLatents.write(
        in.resolve("bad/inf.npy"), TestLatents.withValue(SHAPE, 3, Float.NEGATIVE_INFINITY));
    TestLatents.randomNpy(in.resolve("bad/channels.npy"), 9, 16, 6, 5);
    TestLatents.write(in.resolve("bad/not-numpy.npy"), "hello".getBytes());
    Path out = tmp.resolve("images");

    CliRun.Result result =
        CliRun.decode(
            in.toString(),
            out.toString(),
            model.toString(),
            "--batch-size",
            "3",
            "--max-error-fraction",
            "1");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("5 images, 6 errors").contains("_errors");
    ArrowOutput.Table images = ArrowOutput.images(out);
    ArrowOutput.Table errors = ArrowOutput.errors(out);
    assertThat(images.column("id"))
        .containsExactlyInAnyOrder("good/g0", "good/g1", "good/g2", "good/g3", "good/g4");
    assertThat(images.column("width")).containsOnly(40);
    assertThat(images.column("height")).containsOnly(48);
    Map<Object, Map<String, Object>> byId = new java.util.HashMap<>();
    errors.rows().forEach(r -> byId.put(r.get("id"), r));
    assertThat(byId)
        .containsOnlyKeys(
            "bad/truncated", "bad/int64", "bad/nan", "bad/inf", "bad/channels", "bad/not-numpy");
    assertError(byId.get("bad/truncated"), "invalid_latent", "bytes but shape [4, 6, 5]");
    assertError(byId.get("bad/int64"), "unsupported_dtype", "'<i8'");
    assertError(byId.get("bad/nan"), "non_finite_latent", "NaN or Inf");
    assertError(byId.get("bad/inf"), "non_finite_latent", "NaN or Inf");
    assertError(byId.get("bad/channels"), "model_rejected", "[16, 6, 5]");
    assertError(byId.get("bad/not-numpy"), "invalid_latent", "not a .npy file");

    List<Object> every = new ArrayList<>(images.column("id"));
    every.addAll(errors.column("id"));
    assertThat(every).hasSize(11).doesNotHaveDuplicates();
  }

  private static void assertError(Map<String, Object> row, String kind, String messagePart) {
    assertThat(row.get("error_kind")).as("error_kind of %s", row.get("id")).isEqualTo(kind);
    assertThat(row.get("message").toString())
        .as("message of %s", row.get("id"))
        .contains(messagePart);
  }
}
