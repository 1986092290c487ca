package io.latentdecode.job.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.contract.Precision;
import io.latentdecode.udf.graph.DecoderArchitecture;
import io.latentdecode.udf.graph.DecoderWeights;
import io.latentdecode.udf.graph.DirectDecoder;
import io.latentdecode.udf.graph.InvalidModelException;
import io.latentdecode.udf.graph.SafetensorsHeader;
import io.latentdecode.udf.graph.TaesdArchitecture;
import io.latentdecode.udf.graph.WeightLayout;
import io.latentdecode.udf.model.ModelFetcher;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Finds out what {@code --model} points at, from its small files only (config.json, the safetensors
 * header; the weights are read for their digest): a diffusers VAE folder (or a pipeline folder's
 * {@code vae/}, or a Hugging Face cache repository folder's current snapshot), a single-file
 * safetensors checkpoint (diffusers, original LDM or TAESD naming), or a TorchScript file. Anything
 * it cannot run stops the run here with one line that names the file, key or tensor.
 */
public final class ModelResolver {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String WEIGHTS = "diffusion_pytorch_model";

  private ModelResolver() {}

  /**
   * @param variant the weights variant to use ({@code fp16}), or empty for the full-precision file
   *     (the variant when it is the only one)
   */
  public static ResolvedModel resolve(String uri, Optional<String> variant, Configuration conf) {
    Path path = new Path(uri);
    try {
      FileSystem fs = path.getFileSystem(conf);
      FileStatus status;
      try {
        status = fs.getFileStatus(path);
      } catch (FileNotFoundException e) {
        throw new JobSetupException(
            "Cannot run: --model "
                + uri
                + " does not exist; pass a diffusers VAE folder, a safetensors checkpoint or a"
                + " TorchScript decoder file");
      }
      if (status.isDirectory()) {
        return folder(fs, fs.makeQualified(path), variant);
      }
      if (variant.isPresent()) {
        throw new JobSetupException(
            "Cannot run: --model-variant "
                + variant.get()
                + " picks the weights of a diffusers folder, but --model "
                + uri
                + " is a file");
      }
      if (path.getName().endsWith(".safetensors")) {
        return singleFile(fs, fs.makeQualified(path));
      }
      ModelRef ref = ModelFetcher.digest(fs, path);
      return new ResolvedModel(ref, "TorchScript", ref.uri(), null, null, false, true, null);
    } catch (InvalidModelException e) {
      throw new JobSetupException("Cannot run: --model " + uri + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw JobSetupException.external(
          "Cannot run: cannot read --model " + uri + ": " + e.getMessage(), e);
    }
  }

  private static ResolvedModel folder(FileSystem fs, Path dir, Optional<String> variant)
      throws IOException {
    Path snapshot = cacheSnapshot(fs, dir);
    if (snapshot != null) {
      dir = snapshot;
    }
    if (fs.exists(new Path(dir, "model_index.json"))) {
      Path vae = new Path(dir, "vae");
      if (!isDirectory(fs, vae)) {
        throw new JobSetupException(
            "Cannot run: --model "
                + dir
                + " is a pipeline folder (model_index.json) without a vae/ folder");
      }
      dir = vae;
    }
    Path configPath = new Path(dir, "config.json");
    if (!fs.exists(configPath)) {
      throw new JobSetupException(
          "Cannot run: --model "
              + dir
              + " is a folder without config.json; pass a diffusers VAE folder (config.json +"
              + " diffusion_pytorch_model.safetensors), a pipeline folder (model_index.json +"
              + " vae/) or a weights or TorchScript file");
    }
    JsonNode json;
    try (InputStream in = fs.open(configPath)) {
      json = JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new JobSetupException(
          "Cannot run: " + configPath + " is not valid JSON: " + e.getOriginalMessage());
    }
    if (json == null || !json.isObject()) {
      throw new JobSetupException("Cannot run: " + configPath + " is not a JSON object");
    }
    DiffusersConfig config = DiffusersConfig.parse(json, configPath.toString());
    Path weights = weightsFile(fs, dir, variant);
    SafetensorsHeader header = header(fs, weights);
    boolean tiny = config.architecture() == null;
    WeightLayout layout = tiny ? WeightLayout.DIFFUSERS_TINY : WeightLayout.DIFFUSERS;
    DecoderArchitecture architecture = config.architecture();
    if (tiny) {
      TaesdArchitecture found =
          TaesdArchitecture.infer(
              DecoderWeights.canonicalTensors(layout, header), weights.getName());
      if (found.latentChannels() != config.convention().latentChannels()) {
        throw new InvalidModelException(
            weights.getName()
                + ": the first conv takes "
                + found.latentChannels()
                + " latent channels but config.json's latent_channels is "
                + config.convention().latentChannels());
      }
      architecture = found;
    }
    DecoderWeights matched =
        DecoderWeights.match(architecture, layout, header, weights.getName(), "config.json");
    return new ResolvedModel(
        direct(fs, weights, matched),
        "diffusers " + config.className() + " folder",
        dir.toString(),
        config.convention(),
        configPath.toString(),
        false,
        config.forceUpcast(),
        matched);
  }

  private static ResolvedModel singleFile(FileSystem fs, Path file) throws IOException {
    SafetensorsHeader header = header(fs, file);
    WeightLayout layout = WeightLayout.detect(header.tensors().keySet());
    if (layout == null) {
      throw new InvalidModelException(
          file.getName()
              + " holds no decoder tensors the job knows: expected diffusers names"
              + " (decoder.up_blocks.0...), original LDM names (decoder.up.0.block.0...) or TAESD"
              + " names (1.weight, 3.conv.0.weight); is it a VAE?");
    }
    boolean tiny = layout.isTiny();
    DecoderArchitecture architecture =
        DecoderWeights.inferArchitecture(layout, header, file.getName());
    String source = "the tensor names and shapes of " + file.getName();
    DecoderWeights matched =
        DecoderWeights.match(architecture, layout, header, file.getName(), source);
    LatentConvention conventions =
        tiny
            ? new LatentConvention(
                "taesd-family",
                1.0,
                0.0,
                List.of(),
                List.of(),
                architecture.latentChannels(),
                OutputRange.ZERO_TO_ONE)
            : null;
    return new ResolvedModel(
        direct(fs, file, matched),
        (tiny ? "TAESD" : "AutoencoderKL") + " safetensors file (" + layout.description() + ")",
        file.toString(),
        conventions,
        tiny ? "the TAESD family's conventions (latent as it is, output in [0, 1])" : null,
        !tiny,
        true,
        matched);
  }

  private static ModelRef direct(FileSystem fs, Path weights, DecoderWeights matched)
      throws IOException {
    ModelRef file = ModelFetcher.digest(fs, weights);
    return new ModelRef(
        file.uri(),
        file.sha256(),
        file.sizeBytes(),
        new DirectDecoder(matched.architecture(), matched.layout(), Precision.FP32));
  }

  /**
   * The weights of a diffusers folder: {@code diffusion_pytorch_model.safetensors}, or the {@code
   * fp16} variant when it is the only one, or the variant asked for.
   */
  private static Path weightsFile(FileSystem fs, Path dir, Optional<String> variant)
      throws IOException {
    Path full = new Path(dir, WEIGHTS + ".safetensors");
    Path fp16 = new Path(dir, WEIGHTS + ".fp16.safetensors");
    if (variant.isPresent()) {
      Path chosen = new Path(dir, WEIGHTS + "." + variant.get() + ".safetensors");
      if (!fs.exists(chosen)) {
        throw new JobSetupException(
            "Cannot run: --model-variant "
                + variant.get()
                + " needs "
                + chosen
                + ", which does not exist; leave --model-variant out for "
                + full.getName());
      }
      return chosen;
    }
    if (fs.exists(full)) {
      return full;
    }
    if (fs.exists(fp16)) {
      return fp16;
    }
    for (String pickle : new String[] {WEIGHTS + ".bin", WEIGHTS + ".fp16.bin"}) {
      if (fs.exists(new Path(dir, pickle))) {
        throw new JobSetupException(
            "Cannot run: --model "
                + dir
                + " holds its weights only as "
                + pickle
                + ", a pickle file; loading pickles can run arbitrary code, so latent-decode does"
                + " not read them. Convert the folder once, where you trust it: python -c \"from"
                + " diffusers import AutoencoderKL as A; A.from_pretrained('DIR')"
                + ".save_pretrained('DIR', safe_serialization=True)\"");
      }
    }
    throw new JobSetupException(
        "Cannot run: --model "
            + dir
            + " has config.json but no weights: expected "
            + full.getName()
            + " (or "
            + fp16.getName()
            + ")");
  }

  /**
   * A Hugging Face cache repository folder ({@code refs/main}, {@code snapshots/}): its snapshot.
   */
  private static Path cacheSnapshot(FileSystem fs, Path dir) throws IOException {
    Path ref = new Path(dir, "refs/main");
    if (!fs.exists(ref) || !isDirectory(fs, new Path(dir, "snapshots"))) {
      return null;
    }
    try (InputStream in = fs.open(ref)) {
      String commit = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      Path snapshot = new Path(dir, "snapshots/" + commit);
      if (!isDirectory(fs, snapshot)) {
        throw new JobSetupException(
            "Cannot run: --model "
                + dir
                + " is a Hugging Face cache folder whose refs/main names snapshot "
                + commit
                + ", which is not there");
      }
      return snapshot;
    }
  }

  private static boolean isDirectory(FileSystem fs, Path path) throws IOException {
    try {
      return fs.getFileStatus(path).isDirectory();
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  static SafetensorsHeader header(FileSystem fs, Path file) throws IOException {
    long length = fs.getFileStatus(file).getLen();
    try (InputStream in = fs.open(file)) {
      return SafetensorsHeader.read(in, length, file.getName());
    }
  }
}
