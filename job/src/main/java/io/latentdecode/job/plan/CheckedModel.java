package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.config.FlagPaths;
import io.latentdecode.job.config.LatentConventions;
import io.latentdecode.job.config.RunOptions;
import io.latentdecode.job.model.ModelResolver;
import io.latentdecode.job.model.ResolvedModel;
import io.latentdecode.job.spark.SparkSessions;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.ModelRef;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The model a run or a DataFrame decode uses, checked on the driver before any task: resolved from
 * {@code --model}, loaded and tried on a tiny latent, with the decoder in the half precision, the
 * settings it decodes with and where each convention came from.
 */
public record CheckedModel(
    ResolvedModel resolved,
    ModelRef ref,
    ModelRef precisionRef,
    DecodeSettings settings,
    Map<String, String> conventionSources) {

  /** What {@code --model} points at and the settings a run would decode it with. */
  public record Resolved(
      ResolvedModel resolved,
      String modelUri,
      DecodeSettings settings,
      Map<String, String> conventionSources) {}

  /**
   * The model behind {@code --model} and the settings the run decodes with: the conventions from
   * the flags, the preset and the model's config, in that order. Reads files' headers and configs
   * only; {@link #load} loads it.
   */
  public static Resolved resolve(RunOptions options, Configuration conf) {
    String modelUri = FlagPaths.qualify(options.model(), conf, "--model").toString();
    ResolvedModel resolved = ModelResolver.resolve(modelUri, options.modelVariant(), conf);
    if (resolved.needsPreset() && options.conventionFlags().preset().isEmpty()) {
      throw new JobSetupException(
          "Cannot run: --model "
              + modelUri
              + " is a "
              + resolved.format()
              + ", which does not say how its latents are scaled; pass --preset (sd15, sdxl, sd3,"
              + " flux1, or a preset file) for the model it is");
    }
    LatentConventions.Resolved conventions =
        resolved.conventions() == null && !resolved.ref().isDirect()
            ? new LatentConventions.Resolved(
                options.settings().convention(),
                LatentConventions.resolve(options.conventionFlags(), null, null).sources())
            : LatentConventions.resolve(
                options.conventionFlags(), resolved.conventions(), resolved.conventionsSource());
    DecodeSettings settings = options.settings();
    return new Resolved(
        resolved,
        modelUri,
        settings
            .withConvention(conventions.convention())
            .withTiling(TilingMethod.resolve(settings.tiling(), resolved.ref(), modelUri)),
        conventions.sources());
  }

  /**
   * The model loaded once on the driver and tried on a tiny latent, and the decoder in the run's
   * half precision.
   *
   * @param input the channels of the input's first latent, which the tiny latent of a TorchScript
   *     decoder has where the run's conventions name none
   */
  public static CheckedModel load(
      Resolved run,
      Configuration conf,
      int taskCpus,
      boolean keepForTasks,
      ExpectedChannels input) {
    DecodeSettings settings = run.settings();
    int channels = settings.convention().requiredChannels();
    ExpectedChannels tiny = ExpectedChannels.ofConventions(channels);
    if (!run.resolved().ref().isDirect()) {
      tiny = tiny.or(input); // a weights file's architecture names its own
    }
    ModelRef model =
        ModelCheck.check(run.resolved(), run.modelUri(), conf, taskCpus, tiny, keepForTasks);
    ModelRef precisionModel =
        model.isDirect()
            ? PrecisionModel.direct(model, settings.precision(), run.resolved().forceUpcast())
            : PrecisionModel.check(run.modelUri(), settings.precision(), conf, taskCpus, channels);
    return new CheckedModel(
        run.resolved(), model, precisionModel, settings, run.conventionSources());
  }

  /**
   * Whether a run's tasks decode in the driver's JVM on the CPU (an embedded local master, not
   * local-cluster's executor JVMs; no GPU asked for the tasks): the model the driver checks is then
   * the one they decode with ({@link #load}'s {@code keepForTasks}).
   */
  public static boolean tasksDecodeHereOnCpu(
      String master, DeviceRequest device, boolean gpusForTasks) {
    return SparkSessions.tasksRunInThisJvm(master) && device != DeviceRequest.GPU && !gpusForTasks;
  }

  /** The latent channels the run's conventions or the model's architecture name, or 0. */
  public int latentChannels() {
    int channels = settings.convention().requiredChannels();
    if (channels == 0 && ref.isDirect()) {
      channels = ref.direct().architecture().latentChannels();
    }
    return channels;
  }

  public Map<String, Object> describe() {
    Map<String, Object> m = resolved.describe();
    m.put("convention_sources", conventionSources);
    if (precisionRef != null && precisionRef.isDirect()) {
      m.put("half_precision_on_gpu", precisionRef.direct().precision().text());
    }
    return m;
  }
}
