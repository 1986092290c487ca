package io.latentdecode.udf.task;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import io.latentdecode.udf.decode.BatchDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;

/**
 * One task's batch decoders, one per service worker that runs its batches at the same time: a
 * predictor and its staging buffers serve one thread at a time, so a worker borrows a decoder for a
 * batch and gives it back. Closed with the task, after its last batch.
 */
final class BatchDecoderPool implements AutoCloseable {
  /** Opens a batch decoder and the predictor it alone uses. */
  interface Factory {
    BatchDecoder open(Predictor<NDList, NDList> predictor);
  }

  private final Supplier<Predictor<NDList, NDList>> predictors;
  private final Factory factory;
  private final ConcurrentLinkedDeque<BatchDecoder> idle = new ConcurrentLinkedDeque<>();
  private final List<Runnable> opened = new ArrayList<>();

  BatchDecoderPool(Supplier<Predictor<NDList, NDList>> predictors, Factory factory) {
    this.predictors = predictors;
    this.factory = factory;
  }

  BatchDecoder borrow() {
    BatchDecoder decoder = idle.pollFirst();
    if (decoder != null) {
      return decoder;
    }
    Predictor<NDList, NDList> predictor = predictors.get();
    BatchDecoder opening = factory.open(predictor);
    decoder = opening;
    synchronized (opened) {
      opened.add(opening::close);
      opened.add(predictor::close);
    }
    return decoder;
  }

  void giveBack(BatchDecoder decoder) {
    idle.addFirst(decoder);
  }

  @Override
  public void close() {
    synchronized (opened) {
      for (Runnable closer : opened) {
        closer.run();
      }
      opened.clear();
    }
    idle.clear();
  }
}
