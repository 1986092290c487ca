package io.latentdecode.udf.model;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;

/**
 * A decoder loaded on one device, shared by all tasks of an executor. The model is thread-safe;
 * each task takes its own {@link Predictor} (DJL's predictors are not), whose forward runs under
 * {@code c10::InferenceMode}.
 */
public final class LoadedDecoder implements AutoCloseable {
  private final String cacheKey;
  private final Device device;
  private final ZooModel<NDList, NDList> model;
  private final long loadMillis;

  LoadedDecoder(String cacheKey, Device device, ZooModel<NDList, NDList> model, long loadMillis) {
    this.cacheKey = requireNonNull(cacheKey, "cacheKey is null");
    this.device = requireNonNull(device, "device is null");
    this.model = requireNonNull(model, "model is null");
    this.loadMillis = loadMillis;
  }

  public Predictor<NDList, NDList> newPredictor() {
    return model.newPredictor();
  }

  /** A scope for one batch's arrays on this decoder's device; close it when the batch is done. */
  public NDManager newBatchManager() {
    return model.getNDManager().newSubManager(device);
  }

  public Device device() {
    return device;
  }

  /**
   * The model's {@link io.latentdecode.udf.contract.ModelRef#cacheKey}: digest, graph, precision.
   */
  public String cacheKey() {
    return cacheKey;
  }

  public long loadMillis() {
    return loadMillis;
  }

  @Override
  public void close() {
    model.close();
  }
}
