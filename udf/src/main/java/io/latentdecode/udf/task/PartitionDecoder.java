package io.latentdecode.udf.task;

import io.latentdecode.udf.contract.BatchSizeChoice;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.EncodingOptions;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.RunMetrics;
import io.latentdecode.udf.contract.TaskStages;
import io.latentdecode.udf.contract.Thumbnail;
import io.latentdecode.udf.decode.BatchDecoder;
import io.latentdecode.udf.decode.BatchSizes;
import io.latentdecode.udf.decode.DecodedBatch;
import io.latentdecode.udf.decode.MergedBatches;
import io.latentdecode.udf.decode.ShapeBatcher;
import io.latentdecode.udf.image.EncodedImage;
import io.latentdecode.udf.image.ImageEncoder;
import io.latentdecode.udf.image.Thumbnails;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentException;
import io.latentdecode.udf.latent.LatentRows;
import io.latentdecode.udf.latent.LatentSink;
import io.latentdecode.udf.model.DecodeService;
import io.latentdecode.udf.output.ErrorSink;
import io.latentdecode.udf.output.ImageSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The decode loop of one partition: every input row ends up exactly once, either as an image row or
 * as a quarantined error row. Rows are read and grouped into equal-shape micro-batches on the
 * calling thread, decoded by the device's {@link DecodeService} (whose workers serve every task of
 * the executor), encoded by the executor's {@link EncodePool} and handed to the task's sinks (its
 * files, or a DataFrame's rows) by the task's write thread, in the order they were read.
 */
final class PartitionDecoder {
  /** Batches in flight per task beyond one per service worker: hides a stage's jitter. */
  private static final int EXTRA_IN_FLIGHT = 1;

  private static final InFlight END_OF_WRITES = new InFlight(null, null);

  private final String taskName;
  private final LatentRows rows;
  private final BatchSizes batchSizes;
  private final ShapeBatcher batcher;
  private final DecodeService.Client service;
  private final Object mergeScope;
  private final BatchDecoderPool decoders;
  private final int inFlight;
  private final ImageFormat format;
  private final EncodingOptions encoding;
  private final ImageSink images;
  private final ErrorSink errors;
  private final StageClock clock;
  private final RunMetrics metrics;
  private final Map<String, Long> errorsByKind = new LinkedHashMap<>();
  private final int requiredChannels;
  private final long maxImagePixels;
  private final String presetName;
  private long readStart;
  private final List<String> sources = new ArrayList<>();
  private final java.util.Map<String, Long> rowsByInputFile = new java.util.TreeMap<>();
  private long imageCount;
  private long batches;
  private final AtomicLong mergedBatches = new AtomicLong();
  private long fp32Redecoded;
  private long tiledImages;
  private long oomSplits;
  private final int thumbnailsWanted;
  private final List<Thumbnail> thumbnails = new ArrayList<>();

  PartitionDecoder(
      String taskName,
      LatentRows rows,
      LatentConvention convention,
      long maxImagePixels,
      BatchSizes batchSizes,
      DecodeService service,
      Object mergeScope,
      BatchDecoderPool decoders,
      ImageFormat format,
      EncodingOptions encoding,
      ImageSink images,
      ErrorSink errors,
      StageClock clock,
      RunMetrics metrics,
      int thumbnails) {
    this.taskName = taskName;
    this.thumbnailsWanted = thumbnails;
    this.rows = rows;
    this.requiredChannels = convention.requiredChannels();
    this.maxImagePixels = maxImagePixels;
    this.presetName = convention.name();
    this.batchSizes = batchSizes;
    this.batcher = new ShapeBatcher(batchSizes::forLatent);
    this.service = service.client(taskName);
    this.mergeScope = mergeScope;
    this.decoders = decoders;
    this.inFlight = service.workers() + EXTRA_IN_FLIGHT;
    this.format = format;
    this.encoding = encoding;
    this.images = images;
    this.errors = errors;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * Decodes every row of the partition through stages that overlap: this (the task's) thread reads,
   * batches and hands each batch to the device's service, a write thread takes the results in order
   * and appends the images encoded by the executor's {@link EncodePool}. At most one batch per
   * service worker (and one more) is in flight, so that the workers can all serve this task when it
   * is the executor's last, and memory holds a few batches only. When the task ends, fails or is
   * killed, its batches still queued on the device are dropped.
   */
  void decodeAll(Iterator<InternalRow> input) throws IOException {
    try (StageThreads stages = new StageThreads(taskName)) {
      StageThreads.Handoff<InFlight> toWrite = stages.handoff(inFlight);
      stages.start("write", () -> writeStage(toWrite));
      try {
        readStage(input, toWrite);
      } catch (StageThreads.Stopped stopped) {
        // another stage failed; finish() rethrows its failure
      } catch (IOException | RuntimeException | Error e) {
        stages.fail(e);
        throw e;
      }
      stages.finish();
    } finally {
      service.close(); // the writer is done: drops what a failure left queued on the device
    }
  }

  /** When this task's first forward started (epoch milliseconds), or 0 if none ran. */
  long firstForwardMillis() {
    return service.firstStartMillis();
  }

  private void readStage(Iterator<InternalRow> input, StageThreads.Handoff<InFlight> toWrite)
      throws IOException {
    LatentSink sink =
        new LatentSink() {
          @Override
          public void accept(Latent latent) throws IOException {
            LatentException refused = refusal(latent);
            if (refused != null) {
              quarantine(latent.id(), latent.carried(), refused);
              return;
            }
            long sizing = System.nanoTime();
            ShapeBatcher.Batch full = batcher.add(latent); // the first of a shape may probe memory
            sizing = System.nanoTime() - sizing;
            clock.add(TaskStages.BATCH_SIZING, sizing);
            readStart += sizing;
            if (full != null) {
              readStart = clock.since(TaskStages.READ, readStart);
              toWrite.put(submit(full));
              readStart = System.nanoTime();
            }
          }

          @Override
          public void reject(String id, InternalRow carried, LatentException reason)
              throws IOException {
            quarantine(id, carried, reason);
          }
        };
    readStart = System.nanoTime();
    while (input.hasNext()) {
      InternalRow row = input.next();
      sources.add(rows.source(row));
      String file = rows.inputFile(row);
      if (file != null) {
        rowsByInputFile.merge(file, 1L, Long::sum);
      }
      rows.read(row, sink);
    }
    readStart = clock.since(TaskStages.READ, readStart);
    for (ShapeBatcher.Batch rest : batcher.drain()) {
      toWrite.put(submit(rest));
    }
    toWrite.put(END_OF_WRITES);
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

  /** A batch handed to the device's service, and what its worker will return. */
  private record InFlight(List<Latent> batch, Future<Pending> result) {}

  /** A decoded batch on its way to the writer, with its images' encodes in flight. */
  private record Pending(
      DecodedBatch batch, List<Future<EncodedImage>> encoded, long queuedNanos) {}

  /**
   * A batch of this task on the device's queue. Batches of equal {@link MergeKey} may share a
   * forward: those of the tasks of one run in this JVM, of one latent shape and dtype.
   */
  private record Part(PartitionDecoder task, List<Latent> latents, long queuedAt) {}

  /** What must be equal for batches of different tasks to run in one forward. */
  private record MergeKey(Object decoding, String latents) {}

  private InFlight submit(ShapeBatcher.Batch batch) {
    List<Latent> latents = batch.latents();
    MergeKey key = new MergeKey(mergeScope, ShapeBatcher.keyOf(latents.get(0)));
    Part part = new Part(this, latents, System.nanoTime());
    return new InFlight(
        latents,
        service.submit(key, part, latents.size(), batch.size(), PartitionDecoder::decodeOnWorker));
  }

  /**
   * Runs on a service worker: decodes the batches (of one task, or merged from several) in one
   * forward with the first one's decoder, then each task hands its images to the encoders.
   */
  private static List<Pending> decodeOnWorker(List<Part> parts) {
    PartitionDecoder lead = parts.get(0).task();
    long started = System.nanoTime();
    BatchDecoder decoder = lead.decoders.borrow();
    List<DecodedBatch> results;
    try {
      results = MergedBatches.decode(decoder, parts.stream().map(Part::latents).toList());
    } finally {
      lead.decoders.giveBack(decoder);
    }
    List<Pending> pending = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      Part part = parts.get(i);
      if (parts.size() > 1) {
        part.task().mergedBatches.incrementAndGet();
      }
      pending.add(part.task().encodeAll(results.get(i), started - part.queuedAt()));
    }
    return pending;
  }

  /** Hands a decoded batch's images to the executor's encoders. */
  private Pending encodeAll(DecodedBatch result, long queuedNanos) {
    List<Future<EncodedImage>> encoded = new ArrayList<>(result.decoded().size());
    if (format != ImageFormat.RAW) {
      ExecutorService pool = EncodePool.get();
      for (int i = 0; i < result.decoded().size(); i++) {
        int image = i;
        encoded.add(pool.submit(() -> encode(result, image)));
      }
    }
    return new Pending(result, encoded, queuedNanos);
  }

  /** Waits for a batch's decode, seeing within a poll whether the pipeline stopped meanwhile. */
  private static Pending decoded(InFlight inFlight, StageThreads.Handoff<InFlight> toWrite)
      throws Exception {
    while (true) {
      try {
        return inFlight.result().get(StageThreads.POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        toWrite.checkRunning();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Exception cause) {
          throw cause;
        }
        throw e;
      }
    }
  }

  /** The run's counts and stage times for one decoded batch, and its quarantined rows. */
  private void account(InFlight inFlight, Pending pending) throws IOException {
    DecodedBatch result = pending.batch();
    batches++;
    fp32Redecoded += result.fp32Redecoded();
    tiledImages += result.tiled();
    oomSplits += result.oomSplits();
    clock.add(TaskStages.WAIT_FOR_DEVICE, pending.queuedNanos());
    clock.add(TaskStages.FORWARD, result.forwardNanos());
    long sizing = System.nanoTime(); // the search's memory probe, when it needs the bound
    batchSizes.record(inFlight.batch().size(), result, result.forwardNanos());
    clock.since(TaskStages.BATCH_SIZING, sizing);
    metrics.addBatch(result.oomSplits(), result.forwardNanos());
    clock.add(TaskStages.PREPROCESS, result.preprocessNanos());
    clock.add(TaskStages.POSTPROCESS, result.postprocessNanos());
    for (DecodedBatch.Rejected r : result.rejected()) {
      quarantine(r.latent().id(), r.latent().carried(), r.reason());
    }
  }

  private void writeStage(StageThreads.Handoff<InFlight> toWrite) throws Exception {
    for (InFlight next = toWrite.take(); next != END_OF_WRITES; next = toWrite.take()) {
      Pending pending = decoded(next, toWrite);
      account(next, pending);
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
              latent.carried(),
              new LatentException(
                  ErrorKind.ENCODE_FAILED, "cannot encode " + format.text() + ": " + cause));
          continue;
        }
        long t = System.nanoTime();
        images.add(
            latent.id(), encoded, format.text(), result.width(), result.height(), latent.carried());
        clock.since(TaskStages.WRITE, t);
        if (thumbnails.size() < thumbnailsWanted) {
          thumbnail(result, i, latent.id());
        }
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

  private void thumbnail(DecodedBatch result, int image, String id) {
    long t = System.nanoTime();
    thumbnails.add(
        Thumbnails.of(
            id,
            result.pixels(),
            image * result.imageBytes(),
            result.height(),
            result.width(),
            format.text()));
    clock.since(TaskStages.ENCODE, t);
  }

  long images() {
    return imageCount;
  }

  /** Thumbnails of the task's first images, as many as it was asked for. */
  List<Thumbnail> thumbnails() {
    return thumbnails;
  }

  /** The inputs consumed: what the task manifest records for {@code --mode resume}. */
  List<String> sources() {
    return sources;
  }

  /** Table inputs: the rows consumed from each input file. */
  java.util.Map<String, Long> rowsByInputFile() {
    return rowsByInputFile;
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

  /** This task's batches that shared a forward with other tasks' batches. */
  long mergedBatches() {
    return mergedBatches.get();
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
  private synchronized void quarantine(String id, InternalRow carried, LatentException reason)
      throws IOException {
    errors.add(id, reason.kind(), reason.getMessage(), carried);
    errorsByKind.merge(reason.kind().text(), 1L, Long::sum);
    metrics.addErrors(1);
  }
}
