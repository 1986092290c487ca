package io.latentdecode.job.plan;

import ai.djl.Device;
import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.contract.Tiling;
import io.latentdecode.udf.decode.BatchSizes;
import io.latentdecode.udf.model.DecodeService;
import io.latentdecode.udf.model.DecoderCache;
import io.latentdecode.udf.model.ExecutorMemory;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Stops a CPU run on YARN or Kubernetes before Spark starts when its executors' memory overhead
 * cannot hold the decodes they would run at once: the cluster manager would kill every executor
 * that tried (libtorch's memory is native, outside the heap, and Linux overcommits, so no
 * allocation error would come first). One latent of the input's first shape (its first {@code .npy}
 * file; a 64x64 latent for other formats) is decoded on the driver's CPU to measure what it needs,
 * once per executor worker.
 */
public final class ExecutorMemoryCheck {
  /** What an executor holds outside its heap before decoding: the JVM's own and libtorch's. */
  static final long BASELINE_BYTES = 400L << 20;

  private static final int DEFAULT_SIDE = 64;

  private ExecutorMemoryCheck() {}

  /** The Spark settings the run's executors get: {@code --conf}, spark-submit's, the master. */
  public static Map<String, String> effectiveConf(
      Map<String, String> sparkConf, Optional<String> master) {
    Map<String, String> conf = new HashMap<>();
    System.getProperties()
        .forEach(
            (k, v) -> {
              if (k.toString().startsWith("spark.")) {
                conf.put(k.toString(), v.toString());
              }
            });
    conf.putAll(sparkConf);
    master.ifPresent(m -> conf.put("spark.master", m));
    return conf;
  }

  public static void check(
      Map<String, String> executorConf,
      DecodeSettings settings,
      ModelRef model,
      int channels,
      FileSystem inputFs,
      InputListing input,
      InputKind kind,
      Configuration conf,
      int taskCpus) {
    ExecutorMemory memory = ExecutorMemory.of(executorConf);
    boolean gpuExecutors = executorConf.containsKey("spark.executor.resource.gpu.amount");
    if (!memory.containerEnforced()
        || settings.device() == DeviceRequest.GPU
        || (settings.device() == DeviceRequest.AUTO && gpuExecutors)
        || settings.tiling().mode() != Tiling.Mode.OFF) {
      return; // no container to outgrow, decodes in device memory, or tiles bound the memory
    }
    int[] shape =
        FirstNpyLatent.of(inputFs, input, kind).map(FirstNpyLatent::singleLatentShape).orElse(null);
    if (shape == null) {
      if (channels <= 0) {
        return; // nothing says what a latent looks like until the tasks read one
      }
      shape = new int[] {channels, DEFAULT_SIDE, DEFAULT_SIDE};
    }
    long perLatent =
        BatchSizes.bytesForOneLatent(
            DecoderCache.get(model, Device.cpu(), conf, taskCpus), shape[0], shape[1], shape[2]);
    int cores = Integer.parseInt(executorConf.getOrDefault("spark.executor.cores", "1").trim());
    int workers = DecodeService.defaultWorkers(false, cores, taskCpus);
    long needed = BASELINE_BYTES + workers * perLatent;
    if (needed <= memory.overhead()) {
      return;
    }
    throw new JobSetupException(
        String.format(
            "Cannot run: one latent %s needs about %d MB to decode on the CPU and each executor"
                + " decodes %d at once (spark.executor.cores / spark.task.cpus), about %d MB with"
                + " the JVM's and libtorch's own, but %s allows %d MB outside the heap; raise"
                + " spark.executor.memoryOverhead to at least %dm, or decode in tiles"
                + " (--tile-size auto)",
            java.util.Arrays.toString(shape),
            perLatent >> 20,
            workers,
            needed >> 20,
            memory.boundingSetting(),
            memory.overhead() >> 20,
            (needed >> 20) + 1));
  }
}
