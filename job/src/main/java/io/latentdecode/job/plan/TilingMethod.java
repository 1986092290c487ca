package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.contract.Tiling;

/**
 * How the run's tiles make one image, decided on the driver from the model: the job's own decode
 * graphs share every GroupNorm's statistics over the whole map (the whole decode's pixels); a
 * TorchScript decoder is a black box, so its tiles are decoded on their own and blended.
 */
public final class TilingMethod {
  private TilingMethod() {}

  /** {@code --tile-mode auto} resolved for the model; a mode the model cannot do stops the run. */
  public static Tiling resolve(Tiling tiling, ModelRef model, String modelUri) {
    boolean shared = model.isDirect() && model.direct().architecture().tilesWithSharedStatistics();
    return switch (tiling.method()) {
      case AUTO ->
          tiling.withMethod(shared ? Tiling.Method.SHARED_STATISTICS : Tiling.Method.BLEND);
      case BLEND -> tiling;
      case SHARED_STATISTICS -> {
        if (!shared) {
          throw new JobSetupException(
              "Cannot run: --tile-mode shared-statistics needs weights the job runs through its"
                  + " own decode graphs (a diffusers folder, a safetensors checkpoint or a TAESD"
                  + " decoder), and --model "
                  + modelUri
                  + (model.isDirect()
                      ? " has GroupNorm layers after its first upsampling"
                      : " is a TorchScript file")
                  + "; pass --tile-mode blend, or point --model at the model's weights");
        }
        yield tiling;
      }
    };
  }
}
