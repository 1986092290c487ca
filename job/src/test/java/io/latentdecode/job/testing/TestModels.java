package io.latentdecode.job.testing;

import io.latentdecode.udf.graph.SafetensorsHeader;
import io.latentdecode.udf.testing.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model files in the other forms users have, made from the shared test models: the sd-tiny weights
 * under the original LDM names (a single-file checkpoint), TAEF2 as a diffusers {@code
 * AutoencoderTiny} folder, a pipeline folder, a Hugging Face cache folder, and broken variants. The
 * renamings here are written from the layouts' documentation independently of the job's.
 */
public final class TestModels {
  private static final Pattern UP = Pattern.compile("decoder\\.up_blocks\\.(\\d)\\.(.*)");

  private TestModels() {}

  /** Every tensor of a safetensors file, in file order. */
  public static Map<String, TestLatents.Tensor> read(Path file) throws IOException {
    SafetensorsHeader header;
    try (InputStream in = Files.newInputStream(file)) {
      header = SafetensorsHeader.read(in, Files.size(file), file.getFileName().toString());
    }
    Map<String, TestLatents.Tensor> tensors = new LinkedHashMap<>();
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      for (SafetensorsHeader.Tensor t : header.tensors().values()) {
        byte[] bytes = new byte[(int) t.bytes()];
        raf.seek(header.dataStart() + t.begin());
        raf.readFully(bytes);
        int[] shape = new int[t.shape().length];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = (int) t.shape()[i];
        }
        tensors.put(t.name(), new TestLatents.Tensor(t.dtype(), shape, bytes));
      }
    }
    return tensors;
  }

  /** A copy of a safetensors file with every tensor passed through {@code change} (null drops). */
  public static Path rewrite(
      Path from,
      Path to,
      BiFunction<String, TestLatents.Tensor, Map.Entry<String, TestLatents.Tensor>> change)
      throws IOException {
    Map<String, TestLatents.Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, TestLatents.Tensor> e : read(from).entrySet()) {
      Map.Entry<String, TestLatents.Tensor> changed = change.apply(e.getKey(), e.getValue());
      if (changed != null) {
        out.put(changed.getKey(), changed.getValue());
      }
    }
    Files.createDirectories(to.getParent());
    Files.write(to, TestLatents.safetensors(out));
    return to;
  }

  /**
   * The shared sd-tiny's weights as a single-file checkpoint in the original CompVis/LDM layout.
   */
  public static Path sdTinyAsLdmSingleFile(Path to) throws IOException {
    Path weights =
        SharedData.autoencoderKl("sd-tiny").resolve("diffusion_pytorch_model.safetensors");
    return rewrite(weights, to, (name, t) -> Map.entry(ldmName(name, 4), ldmShape(name, t)));
  }

  static String ldmName(String name, int levels) {
    String n = name.replace("conv_shortcut", "nin_shortcut");
    n = n.replace("decoder.mid_block.resnets.0.", "decoder.mid.block_1.");
    n = n.replace("decoder.mid_block.resnets.1.", "decoder.mid.block_2.");
    n = n.replace("decoder.mid_block.attentions.0.group_norm.", "decoder.mid.attn_1.norm.");
    n = n.replace("decoder.mid_block.attentions.0.to_q.", "decoder.mid.attn_1.q.");
    n = n.replace("decoder.mid_block.attentions.0.to_k.", "decoder.mid.attn_1.k.");
    n = n.replace("decoder.mid_block.attentions.0.to_v.", "decoder.mid.attn_1.v.");
    n = n.replace("decoder.mid_block.attentions.0.to_out.0.", "decoder.mid.attn_1.proj_out.");
    n = n.replace("decoder.conv_norm_out.", "decoder.norm_out.");
    Matcher m = UP.matcher(n);
    if (m.matches()) {
      int level = levels - 1 - Integer.parseInt(m.group(1));
      String rest = m.group(2).replace("resnets.", "block.").replace("upsamplers.0.", "upsample.");
      n = "decoder.up." + level + "." + rest;
    }
    return n;
  }

  /** LDM's attention projections are 1x1 convolutions: [C, C] weights stored as [C, C, 1, 1]. */
  static TestLatents.Tensor ldmShape(String name, TestLatents.Tensor t) {
    if (name.startsWith("decoder.mid_block.attentions.0.to_") && t.shape().length == 2) {
      return new TestLatents.Tensor(
          t.dtype(), new int[] {t.shape()[0], t.shape()[1], 1, 1}, t.bytes());
    }
    return t;
  }

  /** A copy of float32 weights stored as float16 (diffusers' {@code fp16} variant). */
  public static Path toFloat16(Path from, Path to) throws IOException {
    return rewrite(
        from,
        to,
        (name, t) -> {
          java.nio.FloatBuffer f =
              java.nio.ByteBuffer.wrap(t.bytes())
                  .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                  .asFloatBuffer();
          java.nio.ByteBuffer half =
              java.nio.ByteBuffer.allocate(f.remaining() * 2)
                  .order(java.nio.ByteOrder.LITTLE_ENDIAN);
          while (f.hasRemaining()) {
            half.putShort(toHalf(f.get()));
          }
          return Map.entry(name, new TestLatents.Tensor("F16", t.shape(), half.array()));
        });
  }

  /** IEEE binary16 nearest to {@code v} (ties to even), subnormals and overflow included. */
  static short toHalf(float v) {
    int bits = Float.floatToIntBits(v);
    int sign = (bits >>> 16) & 0x8000;
    float abs = Math.abs(v);
    if (Float.isNaN(v)) {
      return (short) (sign | 0x7e00);
    }
    if (abs >= 65520f) {
      return (short) (sign | 0x7c00);
    }
    if (abs < 6.103515625e-05f) {
      return (short) (sign | (int) Math.rint(abs * 16777216f)); // multiples of 2^-24
    }
    int half = ((((bits >>> 23) & 0xff) - 112) << 10) | ((bits & 0x7fffff) >>> 13);
    int rest = bits & 0x1fff;
    if (rest > 0x1000 || rest == 0x1000 && (half & 1) == 1) {
      half++;
    }
    return (short) (sign | half);
  }

  /** TAEF2 as a diffusers {@code AutoencoderTiny} folder: layers.N is madebyollin's N+1. */
  public static Path autoencoderTinyFolder(Path taesdWeights, Path dir, int latentChannels)
      throws IOException {
    rewrite(
        taesdWeights,
        dir.resolve("diffusion_pytorch_model.safetensors"),
        (name, t) -> {
          int dot = name.indexOf('.');
          int layer = Integer.parseInt(name.substring(0, dot));
          return Map.entry("decoder.layers." + (layer - 1) + name.substring(dot), t);
        });
    Files.writeString(
        dir.resolve("config.json"),
        "{\"_class_name\": \"AutoencoderTiny\", \"act_fn\": \"relu\", \"latent_channels\": "
            + latentChannels
            + ", \"decoder_block_out_channels\": [64, 64, 64, 64], \"num_decoder_blocks\": [3, 3,"
            + " 3, 1], \"upsampling_scaling_factor\": 2, \"scaling_factor\": 1.0,"
            + " \"force_upcast\": false}");
    return dir;
  }

  /** A diffusers pipeline folder ({@code model_index.json}) whose {@code vae/} links the VAE. */
  public static Path pipelineFolder(Path vaeFolder, Path dir) throws IOException {
    Files.createDirectories(dir.resolve("unet"));
    Files.writeString(
        dir.resolve("model_index.json"),
        "{\"_class_name\": \"StableDiffusionPipeline\", \"vae\": [\"diffusers\","
            + " \"AutoencoderKL\"]}");
    linkVae(vaeFolder, dir.resolve("vae"));
    return dir;
  }

  /**
   * A Hugging Face hub cache repository folder: blobs by digest, {@code snapshots/<commit>/} of
   * links to them, {@code refs/main} naming the commit.
   */
  public static Path huggingFaceCache(Path vaeFolder, Path cache) throws IOException {
    Path repo = cache.resolve("models--test--sd-tiny-vae");
    String commit = "0123456789abcdef0123456789abcdef01234567";
    Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(commit));
    Path blobs = Files.createDirectories(repo.resolve("blobs"));
    for (String file : new String[] {"config.json", "diffusion_pytorch_model.safetensors"}) {
      Path blob = blobs.resolve(file.hashCode() + "");
      Files.copy(vaeFolder.resolve(file), blob);
      Files.createSymbolicLink(snapshot.resolve(file), snapshot.relativize(blob));
    }
    Files.createDirectories(repo.resolve("refs"));
    Files.writeString(repo.resolve("refs/main"), commit);
    return repo;
  }

  /** A folder of links to a VAE folder's config and weights. */
  public static Path linkVae(Path vaeFolder, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String file : new String[] {"config.json", "diffusion_pytorch_model.safetensors"}) {
      Files.createSymbolicLink(dir.resolve(file), vaeFolder.resolve(file).toAbsolutePath());
    }
    return dir;
  }
}
