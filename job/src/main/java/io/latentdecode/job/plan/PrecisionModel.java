package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.contract.Precision;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The half-precision decoder of a {@code --precision fp16|bf16} run. A TorchScript file's weights
 * have one dtype and DJL cannot cast a loaded module, so the half-precision decoder is its own
 * file, written by {@code notebooks/export_decoder.py} next to the float32 one: {@code NAME.ts.pt}
 * gets {@code NAME.fp16.ts.pt} and {@code NAME.bf16.ts.pt}. The float32 {@code --model} stays the
 * fallback for images that overflow in half precision.
 */
public final class PrecisionModel {
  private PrecisionModel() {}

  /** Where the {@code precision} export of {@code modelUri} is expected. */
  public static String variantUri(String modelUri, Precision precision) {
    String tag = "." + precision.text();
    for (String suffix : new String[] {".ts.pt", ".pt", ".torchscript"}) {
      if (modelUri.endsWith(suffix)) {
        return modelUri.substring(0, modelUri.length() - suffix.length()) + tag + suffix;
      }
    }
    return modelUri + tag;
  }

  /**
   * The half-precision decoder of a run with weights run directly: the same weights cast on the
   * device, no file. For {@code auto} (used by tasks on a GPU): float16 when the model's config
   * says it does not overflow there ({@code force_upcast: false}), else bfloat16.
   */
  public static ModelRef direct(ModelRef model, Precision precision, boolean forceUpcast) {
    if (precision == Precision.FP32) {
      return null;
    }
    if (precision == Precision.AUTO) {
      return model.withPrecision(forceUpcast ? Precision.BF16 : Precision.FP16);
    }
    return model.withPrecision(precision);
  }

  /**
   * The checked half-precision decoder, or null for a float32 run. For {@code auto}, the bfloat16
   * export if it exists (tasks on a GPU use it), else null.
   */
  public static ModelRef check(
      String modelUri, Precision precision, Configuration conf, int intraOpThreads, int channels) {
    if (precision == Precision.FP32) {
      return null;
    }
    Precision half = precision == Precision.AUTO ? Precision.BF16 : precision;
    String variant = variantUri(modelUri, half);
    try {
      Path path = new Path(variant);
      boolean exists = path.getFileSystem(conf).exists(path);
      if (!exists && precision == Precision.AUTO) {
        return null;
      }
      if (!exists) {
        throw new JobSetupException(
            "Cannot run: --precision "
                + precision.text()
                + " needs the decoder exported in "
                + precision.text()
                + " at "
                + variant
                + " (TorchScript weights have one dtype). Make it with: /usr/bin/python3"
                + " notebooks/export_decoder.py ... --precisions fp32,"
                + precision.text()
                + " (see README), or run with --precision fp32");
      }
    } catch (IOException e) {
      throw JobSetupException.external(
          "Cannot run: cannot read " + variant + ": " + e.getMessage(), e);
    }
    return ModelCheck.check(variant, conf, intraOpThreads, channels);
  }
}
