package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.SetupErrors;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.job.testing.TestModels;
import io.latentdecode.udf.testing.SharedData;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model the job cannot run stops the run before Spark starts with one line naming the file, key
 * or tensor and what was expected against what was found (exit 2); nothing is written.
 */
class ModelErrorsTest {
  @TempDir Path tmp;
  Path input;
  Path output;
  Path vae;

  @BeforeEach
  void setUp() throws Exception {
    input = tmp.resolve("latents");
    TestLatents.randomNpy(input.resolve("a.npy"), 1, 4, 4, 4);
    output = tmp.resolve("images");
    vae = SharedData.autoencoderKl("sd-tiny");
  }

  @Test
  void aFolderWithoutWeights() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("vae"));
    Files.copy(vae.resolve("config.json"), folder.resolve("config.json"));
    assertRefused(folder, "has config.json but no weights", "diffusion_pytorch_model.safetensors");
  }

  @Test
  void aConfigOfAnotherClass() throws Exception {
    Path folder = folderWithConfig(config().replace("\"AutoencoderKL\"", "\"VQModel\""));
    assertRefused(folder, "config.json: _class_name is \"VQModel\"", "expected AutoencoderKL");
  }

  @Test
  void aConfigWithAnActivationTheGraphDoesNotHave() throws Exception {
    Path folder = folderWithConfig(config().replace("\"silu\"", "\"gelu\""));
    assertRefused(folder, "act_fn is \"gelu\"", "expected silu");
  }

  @Test
  void aMissingTensor() throws Exception {
    Path folder =
        folderWithWeights(
            (name, t) ->
                name.startsWith("decoder.up_blocks.1.resnets.0.conv1.")
                    ? null
                    : Map.entry(name, t));
    assertRefused(
        folder, "lacks tensor 'decoder.up_blocks.1.resnets.0.conv1.weight'", "[128, 128, 3, 3]");
  }

  @Test
  void aTensorOfTheWrongShape() throws Exception {
    Path folder =
        folderWithWeights(
            (name, t) ->
                name.equals("decoder.conv_out.weight")
                    ? Map.entry(
                        name, new TestLatents.Tensor(t.dtype(), new int[] {3, 16, 3, 6}, t.bytes()))
                    : Map.entry(name, t));
    assertRefused(
        folder, "tensor 'decoder.conv_out.weight' has shape [3, 16, 3, 6]", "needs [3, 32, 3, 3]");
  }

  @Test
  void aTruncatedWeightsFile() throws Exception {
    Path folder = linkedConfig(tmp.resolve("vae"));
    byte[] full = Files.readAllBytes(vae.resolve("diffusion_pytorch_model.safetensors"));
    Files.write(
        folder.resolve("diffusion_pytorch_model.safetensors"),
        Arrays.copyOf(full, full.length - 1000));
    assertRefused(folder, "is truncated or its header lies", "data bytes");
  }

  @Test
  void aHeaderThatLiesAboutSizesOrOffsets() throws Exception {
    Path sizes =
        headerEdited(
            "sizes", header -> header.replaceFirst("\"shape\":\\[128\\]", "\"shape\":[129]"));
    assertRefused(sizes, "has a header that lies about tensor", "needs 516");
    String overlapping =
        "{\"decoder.conv_out.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
            + "\"post_quant_conv.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
    byte[] head = overlapping.getBytes(StandardCharsets.UTF_8);
    Path offsets = linkedConfig(tmp.resolve("vae-offsets"));
    Files.write(
        offsets.resolve("diffusion_pytorch_model.safetensors"),
        ByteBuffer.allocate(8 + head.length + 24)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(head.length)
            .put(head)
            .array());
    assertRefused(offsets, "has a header that lies about offsets", "overlap");
  }

  @Test
  void aPickleCheckpoint() throws Exception {
    Path ckpt = tmp.resolve("vae-ft-mse.ckpt");
    try (OutputStream out = Files.newOutputStream(ckpt);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("archive/data.pkl"));
      zip.write(new byte[] {(byte) 0x80, 2, '}', 'q', 0, '.'});
      zip.putNextEntry(new ZipEntry("archive/data/0"));
      zip.write(new byte[16]);
      zip.putNextEntry(new ZipEntry("archive/version"));
      zip.write("3\n".getBytes(StandardCharsets.UTF_8));
    }
    assertRefused(ckpt, "is a pickle checkpoint (torch.save)", "st.save_file");
    Path legacy =
        Files.write(tmp.resolve("vae.bin"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 0x0a});
    assertRefused(legacy, "is a pickle checkpoint", "--preset");
    Path folder = linkedConfig(tmp.resolve("vae-bin"));
    Files.write(folder.resolve("diffusion_pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
    assertRefused(
        folder, "only as diffusion_pytorch_model.bin, a pickle file", "safe_serialization");
  }

  @Test
  void aSingleFileCheckpointWithoutAPreset() throws Exception {
    Path file = TestModels.sdTinyAsLdmSingleFile(tmp.resolve("vae.safetensors"));
    assertRefused(file, "does not say how its latents are scaled", "pass --preset");
  }

  @Test
  void aVariantThatIsNotThere() throws Exception {
    CliRun.Result r =
        CliRun.decode(
            input.toString(), output.toString(), vae.toString(), "--model-variant", "fp16");
    assertRefused(r, "--model-variant fp16 needs", "diffusion_pytorch_model.fp16.safetensors");
  }

  private String config() throws Exception {
    return Files.readString(vae.resolve("config.json"));
  }

  private Path folderWithConfig(String config) throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("vae"));
    Files.writeString(folder.resolve("config.json"), config);
    Files.createSymbolicLink(
        folder.resolve("diffusion_pytorch_model.safetensors"),
        vae.resolve("diffusion_pytorch_model.safetensors").toAbsolutePath());
    return folder;
  }

  private Path linkedConfig(Path folder) throws Exception {
    Files.createDirectories(folder);
    Files.createSymbolicLink(
        folder.resolve("config.json"), vae.resolve("config.json").toAbsolutePath());
    return folder;
  }

  private Path folderWithWeights(
      java.util.function.BiFunction<
              String, TestLatents.Tensor, Map.Entry<String, TestLatents.Tensor>>
          change)
      throws Exception {
    Path folder = linkedConfig(tmp.resolve("vae"));
    TestModels.rewrite(
        vae.resolve("diffusion_pytorch_model.safetensors"),
        folder.resolve("diffusion_pytorch_model.safetensors"),
        change);
    return folder;
  }

  /** The weights with their JSON header edited (its length kept by padding with spaces). */
  private Path headerEdited(String name, java.util.function.UnaryOperator<String> edit)
      throws Exception {
    byte[] file = Files.readAllBytes(vae.resolve("diffusion_pytorch_model.safetensors"));
    int length = (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    String header = new String(file, 8, length, StandardCharsets.UTF_8);
    String edited = edit.apply(header);
    assertThat(edited).as("the edit applies").isNotEqualTo(header);
    byte[] bytes = edited.getBytes(StandardCharsets.UTF_8);
    assertThat(bytes.length).isLessThanOrEqualTo(length);
    byte[] out = file.clone();
    Arrays.fill(out, 8, 8 + length, (byte) ' ');
    System.arraycopy(bytes, 0, out, 8, bytes.length);
    Path folder = linkedConfig(tmp.resolve("vae-" + name));
    Files.write(folder.resolve("diffusion_pytorch_model.safetensors"), out);
    return folder;
  }

  private void assertRefused(Path model, String... parts) {
    assertRefused(CliRun.decode(input.toString(), output.toString(), model.toString()), parts);
  }

  private void assertRefused(CliRun.Result r, String... parts) {
    SetupErrors.assertStoppedBeforeSpark(r, output, parts);
  }
}
