package io.latentdecode.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentdecode.job.DecodeJob;
import io.latentdecode.job.model.ModelResolver;
import io.latentdecode.job.model.ResolvedModel;
import io.latentdecode.udf.contract.LatentConvention;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code latent-decode inspect-model URI}: what a model is, from its small files (config.json, the
 * safetensors header) and its digest, without Spark and without loading it.
 */
@Command(
    name = "inspect-model",
    mixinStandardHelpOptions = true,
    description = {
      "Print what a --model is: its form, architecture and parameters, latent channels, decode",
      "conventions and where they come from, parameter count, dtypes on disk and SHA-256.",
      "Reads config.json and the weights' header and digest only (no Spark, nothing loaded)."
    })
final class InspectModelCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "URI", description = "What --model of a run would be given.")
  String model;

  @Option(
      names = "--model-variant",
      paramLabel = "NAME",
      description = "Weights variant of a diffusers folder (fp16), as for run.")
  String modelVariant;

  @CommandLine.Mixin HadoopConfOption hadoop;

  @Option(names = "--json", description = "Print the description as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ResolvedModel m =
        ModelResolver.resolve(
            model, Optional.ofNullable(modelVariant), DecodeJob.hadoopConf(hadoop.conf));
    Map<String, Object> d = m.describe();
    d.put("decode_conventions", conventions(m));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(d));
      out.flush();
      return Main.EXIT_OK;
    }
    out.printf("Model %s%n", model);
    out.printf("  form:            %s%n", m.format());
    out.printf("  resolved to:     %s%n", m.location());
    out.printf("  file:            %s (%,d bytes)%n", m.ref().uri(), m.ref().sizeBytes());
    out.printf("  sha256:          %s%n", m.ref().sha256());
    if (m.weights() != null) {
      out.printf("  architecture:    %s%n", m.weights().architecture().name());
      m.weights()
          .architecture()
          .parameters()
          .forEach((k, v) -> out.printf("    %-24s %s%n", k + ":", v));
      out.printf("  weight names:    %s%n", m.weights().layout().description());
      out.printf("  parameters:      %,d%n", m.weights().parameterCount());
      out.printf("  dtypes on disk:  %s%n", m.weights().dtypesOnDisk());
      out.printf(
          "  half precision:  %s%n",
          m.forceUpcast()
              ? "force_upcast: --precision auto runs bf16 on a GPU, never fp16"
              : "--precision auto runs fp16 on a GPU (the config says it does not overflow)");
    }
    LatentConvention c = m.conventions();
    if (c != null) {
      out.printf("  conventions:     from %s%n", m.conventionsSource());
      out.printf("    latent_channels:         %d%n", c.latentChannels());
      out.printf("    scaling_factor:          %s%n", c.scalingFactor());
      out.printf("    shift_factor:            %s%n", c.shiftFactor());
      out.printf(
          "    latents_mean / std:      %s%n",
          c.hasChannelStatistics() ? c.latentsMean() + " / " + c.latentsStd() : "none");
      out.printf("    output_range:            %s%n", c.outputRange().text());
    } else {
      out.printf(
          "  conventions:     none in the model; a run needs --preset%s%n",
          m.needsPreset() ? " (required)" : " or --scaling-factor/--shift-factor/--output-range");
    }
    out.flush();
    return Main.EXIT_OK;
  }

  private static Object conventions(ResolvedModel m) {
    LatentConvention c = m.conventions();
    if (c == null) {
      return Map.of("source", m.needsPreset() ? "none: --preset is required" : "none");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", m.conventionsSource());
    out.put("latent_channels", c.latentChannels());
    out.put("scaling_factor", c.scalingFactor());
    out.put("shift_factor", c.shiftFactor());
    out.put("latents_mean", c.latentsMean());
    out.put("latents_std", c.latentsStd());
    out.put("output_range", c.outputRange().text());
    return out;
  }
}
