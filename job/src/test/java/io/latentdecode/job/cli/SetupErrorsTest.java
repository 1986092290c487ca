package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.SetupErrors;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings and job-level problems stop the run before Spark starts, with one line that names the
 * thing and the fix, and exit code 2; nothing is written to the output.
 */
class SetupErrorsTest {
  @TempDir Path tmp;
  Path model;
  Path input;
  Path output;

  @BeforeEach
  void setUp() throws Exception {
    model = Demo.extractDecoder(tmp.resolve("model"));
    input = tmp.resolve("latents");
    TestLatents.randomNpy(input.resolve("a.npy"), 1, 4, 2, 2);
    output = tmp.resolve("images");
  }

  @Test
  void aYarnExecutorWhoseMemoryOverheadCannotHoldItsDecodesStopsTheRunNamingTheSetting()
      throws Exception {
    // TAEF2 needs a few hundred MB for one 512x512 latent on the CPU; with the JVM's and
    // libtorch's own, 256 MB of overhead cannot hold it: YARN would kill every executor.
    Path latents = tmp.resolve("large");
    TestLatents.randomNpy(latents.resolve("a.npy"), 1, 32, 64, 64);
    CliRun.Result r =
        CliRun.decode(
            latents.toString(),
            output.toString(),
            SharedData.taef2Decoder().toString(),
            "--output-range",
            "0,1",
            "--master",
            "yarn",
            "--conf",
            "spark.executor.memoryOverhead=256m",
            "--conf",
            "spark.executor.cores=2");

    SetupErrors.assertStoppedBeforeSpark(
        r,
        output,
        "one latent [32, 64, 64] needs about",
        "decodes 2 at once",
        "spark.executor.memoryOverhead (256m)",
        "raise spark.executor.memoryOverhead to at least");
  }

  @Test
  void anUnknownFlagIsOneLineNamingItAndExitCode2() {
    CliRun.Result r =
        CliRun.decode(input.toString(), output.toString(), model.toString(), "--bogus", "1");
    assertUsageError(r, "--bogus");
  }

  @Test
  void anUnknownFlagIsNamedBeforeMissingRequiredOnes() {
    assertUsageError(CliRun.run("run", "--imput", input.toString()), "Unknown option: '--imput'");
  }

  @Test
  void aWrongValueNamesTheOptionAndTheAllowedValues() {
    assertUsageError(
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--output-range", "0,255"),
        "--output-range");
    assertUsageError(
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--image-format", "gif"),
        "png, jpeg, webp or raw");
    assertUsageError(
        CliRun.decode(input.toString(), output.toString(), model.toString(), "--batch-size", "0"),
        "--batch-size 0");
    assertUsageError(
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--memory-budget-mb", "lots"),
        "--memory-budget-mb lots: expected auto or a whole number");
    assertUsageError(
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--decodes-per-device", "0"),
        "--decodes-per-device 0");
    assertUsageError(
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--scaling-factor", "0"),
        "--scaling-factor");
    assertUsageError(
        CliRun.decode(input.toString(), output.toString(), model.toString(), "--device", "tpu"),
        "auto, cpu or gpu");
    assertUsageError(
        CliRun.decode(input.toString(), output.toString(), model.toString(), "--partitions", "0"),
        "--partitions 0");
  }

  @Test
  void aMissingRequiredOptionIsNamed() {
    assertUsageError(
        CliRun.run("run", "--input", input.toString(), "--output", output.toString()), "--model");
  }

  @Test
  void helpWorksOnEveryCommand() {
    for (String[] args : new String[][] {{"--help"}, {"run", "--help"}, {"demo", "--help"}}) {
      CliRun.Result r = CliRun.run(args);
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains("Usage:");
    }
    assertThat(CliRun.run("run", "--help").out())
        .contains("--scaling-factor", "--output-range", "--mode", "--conf");
  }

  @Test
  void aMissingModelFile() {
    assertSetupError(
        CliRun.decode(input.toString(), output.toString(), tmp.resolve("nope.pt").toString()),
        "--model",
        "does not exist");
  }

  @Test
  void aCorruptModelFile() throws Exception {
    Path corrupt = tmp.resolve("corrupt.ts.pt");
    byte[] noise = new byte[4096];
    new Random(1).nextBytes(noise);
    Files.write(corrupt, noise);
    assertSetupError(
        CliRun.decode(input.toString(), output.toString(), corrupt.toString()),
        "is not a usable TorchScript decoder",
        "torch.jit");
  }

  @Test
  void anEmptyInputFolder() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(empty.resolve("notes.txt"), "no latents here");
    assertSetupError(
        CliRun.decode(empty.toString(), output.toString(), model.toString()),
        "holds no *.npy, *.safetensors, *.parquet or *.arrow files");
  }

  @Test
  void aMissingInputFolder() {
    assertSetupError(
        CliRun.decode(tmp.resolve("missing").toString(), output.toString(), model.toString()),
        "--input",
        "does not exist");
  }

  @Test
  void anOutputThatAlreadyHoldsARun() throws Exception {
    Files.createDirectories(output);
    Files.writeString(output.resolve("_SUCCESS"), "{}");
    CliRun.Result r =
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--mode", "fail-if-exists");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("already holds a finished run", "--mode overwrite");
    assertThat(output.resolve("_SUCCESS")).hasContent("{}");
  }

  @Test
  void anOutputInsideTheInput() {
    assertSetupError(
        CliRun.decode(input.toString(), input.resolve("out").toString(), model.toString()),
        "overlap");
  }

  @Test
  void anInputOfOnlyPickleFilesIsRefusedSayingWhyAndHowToConvert() throws Exception {
    Path pickles = Files.createDirectories(tmp.resolve("pickles"));
    Files.write(pickles.resolve("latents.pt"), new byte[] {(byte) 0x80, 2, 'c'});
    assertSetupError(
        CliRun.decode(pickles.toString(), output.toString(), model.toString()),
        "latents.pt is a pickle-based PyTorch file",
        "arbitrary code",
        "st.save_file");
  }

  @Test
  void anOutputThatCannotBeWrittenStopsBeforeAnyTask() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "not a folder");
    assertSetupErrorAt(
        CliRun.decode(input.toString(), file.resolve("images").toString(), model.toString()),
        file.resolve("images"),
        "is not writable",
        "check the path, its permissions or the storage credentials");
  }

  @Test
  void aModelThatDoesNotTakeThePresetsLatentsStopsBeforeAnyTask() {
    // The preview decoder takes 4 channels; sd3 latents have 16.
    assertSetupError(
        CliRun.decode(input.toString(), output.toString(), model.toString(), "--preset", "sd3"),
        "does not decode a latent (1, 16, 8, 8)",
        "Is it the decoder for this preset?");
  }

  @Test
  void anUnknownPresetListsTheBuiltInOnes() {
    assertSetupError(
        CliRun.decode(input.toString(), output.toString(), model.toString(), "--preset", "sd5"),
        "--preset sd5 is neither a built-in preset (sd15, sdxl, sd3, flux1");
  }

  @Test
  void halfPrecisionWithoutItsExportNamesTheFileToMake() {
    assertSetupError(
        CliRun.decode(input.toString(), output.toString(), model.toString(), "--precision", "fp16"),
        "--precision fp16 needs the decoder exported in fp16 at",
        "preview-decoder.fp16.ts.pt",
        "export_decoder.py");
  }

  @Test
  void tilingValuesAreChecked() {
    assertUsageError(
        CliRun.decode(
            input.toString(),
            output.toString(),
            model.toString(),
            "--tile-size",
            "64",
            "--tile-overlap",
            "40"),
        "--tile-overlap 40 for --tile-size 64");
    assertUsageError(
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--packed-latents", "7x8"),
        "even");
    assertUsageError(
        CliRun.decode(
            input.toString(), output.toString(), model.toString(), "--tile-mode", "seamless"),
        "--tile-mode 'seamless': expected auto, shared-statistics or blend");
  }

  @Test
  void sharedStatisticsTilesOfATorchScriptDecoderAreRefusedNamingTheWayOut() {
    assertSetupError(
        CliRun.decode(
            input.toString(),
            output.toString(),
            model.toString(),
            "--tile-size",
            "64",
            "--tile-mode",
            "shared-statistics"),
        "--tile-mode shared-statistics needs weights the job runs through its own decode graphs",
        "is a TorchScript file",
        "pass --tile-mode blend");
  }

  private void assertSetupErrorAt(CliRun.Result r, Path out, String... parts) {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).startsWith("latent-decode: Cannot run").contains(parts);
    assertThat(Files.exists(out)).as("%s exists", out).isFalse();
  }

  private void assertSetupError(CliRun.Result r, String... parts) {
    SetupErrors.assertStoppedBeforeSpark(r, output, parts);
  }

  private void assertUsageError(CliRun.Result r, String part) {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).contains(part);
    assertThat(output).doesNotExist();
  }
}
