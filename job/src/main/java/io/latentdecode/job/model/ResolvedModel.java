package io.latentdecode.job.model;

import static java.util.Objects.requireNonNull;

import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.graph.DecoderWeights;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code --model} points at, found out on the driver before any task: the decoder to run and
 * what it says about its own decode conventions.
 *
 * @param ref the decoder file (float32 for weights run directly)
 * @param format how users would name the form ("diffusers AutoencoderKL folder", "TorchScript",
 *     ...)
 * @param location the folder or file {@code --model} resolved to
 * @param conventions the model's own decode conventions (config.json, or the TAESD family's), or
 *     null when it has none
 * @param conventionsSource where {@code conventions} came from
 * @param needsPreset true for single-file checkpoints: nothing in them says how to scale latents
 * @param forceUpcast the model overflows in float16 (config.json), so {@code --precision auto} does
 *     not pick it
 * @param weights the checked tensors of a directly run decoder, or null for TorchScript
 */
public record ResolvedModel(
    ModelRef ref,
    String format,
    String location,
    LatentConvention conventions,
    String conventionsSource,
    boolean needsPreset,
    boolean forceUpcast,
    DecoderWeights weights) {

  public ResolvedModel {
    requireNonNull(ref, "ref is null");
    requireNonNull(format, "format is null");
    requireNonNull(location, "location is null");
  }

  /** The model as the run report and {@code inspect-model} describe it. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", format);
    m.put("location", location);
    m.put("uri", ref.uri());
    m.put("sha256", ref.sha256());
    m.put("size_bytes", ref.sizeBytes());
    if (weights != null) {
      m.put("architecture", weights.architecture().name());
      m.put("parameters", weights.architecture().parameters());
      m.put("weight_layout", weights.layout().description());
      m.put("parameter_count", weights.parameterCount());
      m.put("dtypes_on_disk", weights.dtypesOnDisk());
      m.put("force_upcast", forceUpcast);
    }
    return m;
  }
}
