package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.DeviceRequest;
import org.apache.spark.SparkConf;

/**
 * {@code --device gpu} needs Spark to hand a GPU to every task; without GPU scheduling every task
 * would fail, so the run stops before it starts.
 */
public final class DeviceCheck {
  static final String TASK_GPU_AMOUNT = "spark.task.resource.gpu.amount";

  private DeviceCheck() {}

  public static void check(DeviceRequest device, SparkConf conf) {
    if (device == DeviceRequest.GPU && conf.getDouble(TASK_GPU_AMOUNT, 0) <= 0) {
      throw new JobSetupException(
          "Cannot run: --device gpu but Spark assigns no GPU to tasks ("
              + TASK_GPU_AMOUNT
              + " is not set); set spark.executor.resource.gpu.amount and "
              + TASK_GPU_AMOUNT
              + " with a GPU discovery script, or use --device auto");
    }
  }
}
