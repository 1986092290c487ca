package io.latentdecode.job.plan;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.model.ResolvedModel;
import io.latentdecode.udf.contract.Causes;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.model.DecoderCache;
import io.latentdecode.udf.model.LoadedDecoder;
import io.latentdecode.udf.model.ModelFetcher;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks {@code --model} on the driver before any task starts: the file exists, its digest
 * identifies it, and libtorch loads it (a TorchScript file as it is, safetensors weights into their
 * decode graph; on the CPU, then closes it). A missing or corrupt model is one clear message
 * instead of a failure in every task.
 */
public final class ModelCheck {
  private static final Logger LOG = LoggerFactory.getLogger(ModelCheck.class);

  private ModelCheck() {}

  /**
   * Loads a resolved model on the CPU and decodes one tiny latent with it.
   *
   * @param channels the latent channel count the tiny latent has, and where it comes from
   * @param keepForTasks whether this JVM's tasks will decode with it on the CPU (an embedded local
   *     run): the model then stays in the JVM's {@link DecoderCache} for them, loaded and warmed
   *     once, instead of being closed
   */
  public static ModelRef check(
      ResolvedModel resolved,
      String modelUri,
      Configuration conf,
      int intraOpThreads,
      ExpectedChannels channels,
      boolean keepForTasks) {
    ModelRef model = resolved.ref();
    if (!model.isDirect()) {
      return checkTorchScript(model, modelUri, conf, intraOpThreads, channels, keepForTasks);
    }
    LoadedDecoder loaded;
    try {
      loaded = load(model, conf, intraOpThreads, keepForTasks);
    } catch (RuntimeException e) {
      throw new JobSetupException(
          "Cannot run: --model "
              + modelUri
              + " cannot be loaded into its "
              + model.direct().architecture().name()
              + " decode graph: "
              + Causes.rootMessage(e),
          e);
    }
    try {
      tinyForward(
          loaded,
          modelUri,
          channels.known()
              ? channels
              : new ExpectedChannels(
                  model.direct().architecture().latentChannels(),
                  "the architecture's channel count",
                  "Check --model and --preset",
                  true));
    } finally {
      if (!keepForTasks) {
        loaded.close();
      }
    }
    return model;
  }

  /**
   * @param channels the latent channel count the preset expects, or 0 when unknown; when known, the
   *     check also decodes one tiny latent {@code [1, channels, 8, 8]} on the CPU
   */
  public static ModelRef check(
      String modelUri, Configuration conf, int intraOpThreads, int channels) {
    Path path = new Path(modelUri);
    ModelRef model;
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.getFileStatus(path).isFile()) {
        throw new JobSetupException(
            "Cannot run: --model " + modelUri + " is a directory; pass the TorchScript file");
      }
      model = ModelFetcher.digest(fs, path);
    } catch (FileNotFoundException e) {
      throw new JobSetupException(
          "Cannot run: --model "
              + modelUri
              + " does not exist; pass a TorchScript decoder file"
              + " (torch.jit.save of a traced or scripted VAE decoder)");
    } catch (IOException e) {
      throw JobSetupException.external(
          "Cannot run: cannot read --model " + modelUri + ": " + e.getMessage(), e);
    }
    return checkTorchScript(
        model, modelUri, conf, intraOpThreads, ExpectedChannels.ofConventions(channels), false);
  }

  /** Loads a TorchScript file (refusing pickle checkpoints) and tries it on a tiny latent. */
  private static ModelRef checkTorchScript(
      ModelRef model,
      String modelUri,
      Configuration conf,
      int intraOpThreads,
      ExpectedChannels channels,
      boolean keepForTasks) {
    LoadedDecoder loaded;
    try {
      if (PickleCheckpoints.isPickle(ModelFetcher.localCopy(model, conf))) {
        throw new JobSetupException(
            "Cannot run: --model " + modelUri + " " + PickleCheckpoints.refusal(model.fileName()));
      }
      loaded = load(model, conf, intraOpThreads, keepForTasks);
    } catch (IOException | UncheckedIOException e) {
      throw new JobSetupException(
          "Cannot run: --model "
              + modelUri
              + " is not a usable TorchScript decoder. "
              + (e instanceof UncheckedIOException u ? u.getCause() : e).getMessage(),
          e);
    }
    try {
      if (channels.binding()) {
        tinyForward(loaded, modelUri, channels);
      } else if (channels.known()) {
        try {
          tinyForward(loaded, modelUri, channels);
        } catch (JobSetupException e) {
          // a hint only: that file may be a bad row; the tasks quarantine what the model refuses
          LOG.warn(
              "--model {} does not decode a latent of {} ({}); the run goes on, and its tasks"
                  + " quarantine the latents the model refuses",
              modelUri,
              channels.source(),
              Causes.rootMessage(e));
        }
      }
    } finally {
      if (!keepForTasks) {
        loaded.close();
      }
    }
    return model;
  }

  private static LoadedDecoder load(
      ModelRef model, Configuration conf, int intraOpThreads, boolean keepForTasks) {
    return keepForTasks
        ? DecoderCache.get(model, Device.cpu(), conf, intraOpThreads)
        : DecoderCache.loadUncached(model, Device.cpu(), conf, intraOpThreads);
  }

  private static void tinyForward(LoadedDecoder model, String modelUri, ExpectedChannels channels) {
    Shape input = new Shape(1, channels.count(), 8, 8);
    try (Predictor<NDList, NDList> predictor = model.newPredictor();
        NDManager scope = model.newBatchManager()) {
      Shape out = predictor.predict(new NDList(scope.zeros(input))).get(0).getShape();
      if (out.dimension() != 4 || out.get(0) != 1 || out.get(1) != 3) {
        throw new JobSetupException(
            "Cannot run: --model "
                + modelUri
                + " returns shape "
                + out
                + " for a latent "
                + input
                + "; a decoder must return [N, 3, H, W] RGB images");
      }
    } catch (TranslateException | RuntimeException e) {
      if (e instanceof JobSetupException setup) {
        throw setup;
      }
      throw new JobSetupException(
          "Cannot run: --model "
              + modelUri
              + " does not decode a latent "
              + input
              + " ("
              + channels.source()
              + "): "
              + Causes.rootMessage(e)
              + ". "
              + channels.advice(),
          e);
    }
  }
}
