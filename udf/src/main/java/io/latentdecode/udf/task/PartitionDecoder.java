package io.latentdecode.udf.task;

import io.latentdecode.udf.contract.BatchSizeChoice;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.EncodingOptions;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.RunMetrics;
import io.latentdecode.udf.contract.TaskStages;
import io.latentdecode.udf.decode.BatchDecoder;
import io.latentdecode.udf.decode.BatchSizes;
import io.latentdecode.udf.decode.DecodedBatch;
import io.latentdecode.udf.decode.ShapeBatcher;
import io.latentdecode.udf.image.EncodedImage;
import io.latentdecode.udf.image.ImageEncoder;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentException;
import io.latentdecode.udf.latent.LatentRows;
import io.latentdecode.udf.latent.LatentSink;
import io.latentdecode.udf.output.ErrorFileWriter;
import io.latentdecode.udf.output.ImageFileWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The decode loop of one partition: every input row ends up exactly once, either as an image row or
 * as a quarantined error row. Rows are read, grouped into equal-shape micro-batches, decoded,
 * encoded and appended to the task's writers, each stage on its own thread so that the decoder
 * never waits for the others.
 */
final class PartitionDecoder {
  /** Batches queued between two stages: enough to hide a stage's jitter, few enough for memory. */
  private static final int QUEUED_BATCHES = 2;

  private static final List<Latent> END_OF_BATCHES = new ArrayList<>();
  private static final Pending END_OF_WRITES = new Pending(null, null);

  private final String taskName;
  private final LatentRows rows;
  private final BatchSizes batchSizes;
  private final ShapeBatcher batcher;
  private final BatchDecoder decoder;
  private final ImageFormat format;
  private final EncodingOptions encoding;
  private final ImageFileWriter images;
  private final ErrorFileWriter errors;
  private final StageClock clock;
  private final RunMetrics metrics;
  private final Map<String, Long> errorsByKind = new LinkedHashMap<>();
  private final int requiredChannels;
  private final long maxImagePixels;
  private final String presetName;
  private long readStart;
  private final List<String> sources = new ArrayList<>();
  private long imageCount;
  private long batches;
  private long fp32Redecoded;
  private long tiledImages;
  private long oomSplits;

  PartitionDecoder(
      String taskName,
      LatentRows rows,
      LatentConvention convention,
      long maxImagePixels,
      BatchSizes batchSizes,
      BatchDecoder decoder,
      ImageFormat format,
      EncodingOptions encoding,
      ImageFileWriter images,
      ErrorFileWriter errors,
      StageClock clock,
      RunMetrics metrics) {
    this.taskName = taskName;
    this.rows = rows;
    this.requiredChannels = convention.requiredChannels();
    this.maxImagePixels = maxImagePixels;
    this.presetName = convention.name();
    this.batchSizes = batchSizes;
    this.batcher = new ShapeBatcher(batchSizes::forLatent);
    this.decoder = decoder;
    this.format = format;
    this.encoding = encoding;
    this.images = images;
    this.errors = errors;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * Decodes every row of the partition through three stages that overlap: this (the task's) thread
   * reads and batches, a decode thread runs the forward passes, a write thread appends the images
   * encoded by the executor's {@link EncodePool}; bounded queues between them keep at most a few
   * batches in memory.
   */
  void decodeAll(Iterator<InternalRow> input) throws IOException {
    try (StageThreads stages = new StageThreads(taskName)) {
      StageThreads.Handoff<List<Latent>> toDecode = stages.handoff(QUEUED_BATCHES);
      StageThreads.Handoff<Pending> toWrite = stages.handoff(QUEUED_BATCHES);
      stages.start("decode", () -> decodeStage(toDecode, toWrite));
      stages.start("write", () -> writeStage(toWrite));
      try {
        readStage(input, toDecode);
      } catch (StageThreads.Stopped stopped) {
        // another stage failed; finish() rethrows its failure
      } catch (IOException | RuntimeException | Error e) {
        stages.fail(e);
        throw e;
      }
      stages.finish();
    }
  }

  private void readStage(Iterator<InternalRow> input, StageThreads.Handoff<List<Latent>> toDecode)
      throws IOException {
    LatentSink sink =
        new LatentSink() {
          @Override
          public void accept(Latent latent) throws IOException {
            LatentException refused = refusal(latent);
            if (refused != null) {
              quarantine(latent.id(), refused);
              return;
            }
            long sizing = System.nanoTime();
            List<Latent> full = batcher.add(latent); // the first of a shape may probe memory
            sizing = System.nanoTime() - sizing;
            clock.add(TaskStages.BATCH_SIZING, sizing);
            readStart += sizing;
            if (full != null) {
              readStart = clock.since(TaskStages.READ, readStart);
              toDecode.put(full);
              readStart = System.nanoTime();
            }
          }

          @Override
          public void reject(String id, LatentException reason) throws IOException {
            quarantine(id, reason);
          }
        };
    readStart = System.nanoTime();
    while (input.hasNext()) {
      InternalRow row = input.next();
      sources.add(rows.source(row));
      rows.read(row, sink);
    }
    readStart = clock.since(TaskStages.READ, readStart);
    for (List<Latent> rest : batcher.drain()) {
      toDecode.put(rest);
    }
    toDecode.put(END_OF_BATCHES);
  }

  /** Why this latent cannot be decoded by this run, or null when it can. */
  private LatentException refusal(Latent latent) {
    if (requiredChannels != 0 && latent.channels() != requiredChannels) {
      return new LatentException(
          ErrorKind.WRONG_CHANNELS,
          "the latent has "
              + latent.channels()
              + " channels but preset "
              + presetName
              + " expects "
              + requiredChannels);
    }
    long pixels =
        (long) latent.height()
            * latent.width()
            * DecodeSettings.VAE_SCALE
            * DecodeSettings.VAE_SCALE;
    if (pixels > maxImagePixels) {
      return new LatentException(
          ErrorKind.TOO_LARGE,
          String.format(
              "the latent %s would decode to about %dx%d pixels (%.2f M), above the"
                  + " limit of %.2f M pixels per image (--max-image-megapixels)",
              java.util.Arrays.toString(latent.shape()),
              latent.width() * DecodeSettings.VAE_SCALE,
              latent.height() * DecodeSettings.VAE_SCALE,
              pixels / 1e6,
              maxImagePixels / 1e6));
    }
    return null;
  }

  /** A decoded batch on its way to the writer, with its images' encodes in flight. */
  private record Pending(DecodedBatch batch, List<Future<EncodedImage>> encoded) {}

  private void decodeStage(
      StageThreads.Handoff<List<Latent>> toDecode, StageThreads.Handoff<Pending> toWrite)
      throws IOException {
    for (List<Latent> batch = toDecode.take(); batch != END_OF_BATCHES; batch = toDecode.take()) {
      long waited = decoder.deviceWaitNanos();
      DecodedBatch result = decoder.decode(batch);
      waited = decoder.deviceWaitNanos() - waited;
      batches++;
      fp32Redecoded += result.fp32Redecoded();
      tiledImages += result.tiled();
      oomSplits += result.oomSplits();
      clock.add(TaskStages.WAIT_FOR_DEVICE, waited);
      clock.add(TaskStages.FORWARD, result.forwardNanos() - waited);
      batchSizes.record(batch.size(), result, result.forwardNanos() - waited);
      metrics.addBatch(result.oomSplits(), result.forwardNanos() - waited);
      clock.add(TaskStages.PREPROCESS, result.preprocessNanos());
      clock.add(TaskStages.POSTPROCESS, result.postprocessNanos());
      for (DecodedBatch.Rejected r : result.rejected()) {
        quarantine(r.latent().id(), r.reason());
      }
      List<Future<EncodedImage>> encoded = new ArrayList<>(result.decoded().size());
      if (format != ImageFormat.RAW) {
        ExecutorService pool = EncodePool.get();
        for (int i = 0; i < result.decoded().size(); i++) {
          int image = i;
          encoded.add(pool.submit(() -> encode(result, image)));
        }
      }
      toWrite.put(new Pending(result, encoded));
    }
    toWrite.put(END_OF_WRITES);
  }

  private void writeStage(StageThreads.Handoff<Pending> toWrite) throws Exception {
    for (Pending pending = toWrite.take(); pending != END_OF_WRITES; pending = toWrite.take()) {
      DecodedBatch result = pending.batch();
      List<Latent> decoded = result.decoded();
      for (int i = 0; i < decoded.size(); i++) {
        Latent latent = decoded.get(i);
        EncodedImage encoded;
        try {
          encoded = format == ImageFormat.RAW ? encode(result, i) : pending.encoded().get(i).get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof RuntimeException cause)) {
            throw e;
          }
          quarantine(
              latent.id(),
              new LatentException(
                  ErrorKind.ENCODE_FAILED, "cannot encode " + format.text() + ": " + cause));
          continue;
        }
        long t = System.nanoTime();
        images.add(
            latent.id(), encoded, format.text(), result.width(), result.height(), latent.carried());
        clock.since(TaskStages.WRITE, t);
        imageCount++;
        metrics.addImages(1);
      }
    }
  }

  private EncodedImage encode(DecodedBatch result, int image) {
    long t = System.nanoTime();
    EncodedImage encoded =
        ImageEncoder.encode(
            format,
            encoding,
            result.pixels(),
            image * result.imageBytes(),
            result.height(),
            result.width());
    metrics.addEncodeNanos(clock.since(TaskStages.ENCODE, t) - t);
    return encoded;
  }

  long images() {
    return imageCount;
  }

  /** The inputs consumed: what the task manifest records for {@code --mode resume}. */
  List<String> sources() {
    return sources;
  }

  String sourceKind() {
    return rows.sourceKind();
  }

  synchronized long errors() {
    return errorsByKind.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The batch size used per latent shape. */
  Map<String, Integer> batchSizes() {
    return batchSizes.chosen();
  }

  /** What {@code --batch-size auto} measured per latent shape in this JVM. */
  Map<String, BatchSizeChoice> batchSizeSearch() {
    return batchSizes.searched();
  }

  long batches() {
    return batches;
  }

  long fp32Redecoded() {
    return fp32Redecoded;
  }

  long tiledImages() {
    return tiledImages;
  }

  long oomSplits() {
    return oomSplits;
  }

  synchronized Map<String, Long> errorsByKind() {
    return Map.copyOf(errorsByKind);
  }

  /** Called by every stage: the error file and the counts are shared. */
  private synchronized void quarantine(String id, LatentException reason) throws IOException {
    errors.add(id, reason.kind(), reason.getMessage());
    errorsByKind.merge(reason.kind().text(), 1L, Long::sum);
    metrics.addErrors(1);
  }
}
