package io.latentdecode.udf.task;

import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.EncodingOptions;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.decode.BatchDecoder;
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
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The decode loop of one partition: every input row ends up exactly once, either as an image row or
 * as a quarantined error row. Rows are read, grouped into equal-shape micro-batches, decoded,
 * encoded and appended to the task's writers.
 */
final class PartitionDecoder {
  private final LatentRows rows;
  private final ShapeBatcher batcher;
  private final BatchDecoder decoder;
  private final ImageFormat format;
  private final EncodingOptions encoding;
  private final ImageFileWriter images;
  private final ErrorFileWriter errors;
  private final StageClock clock;
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
      LatentRows rows,
      LatentConvention convention,
      long maxImagePixels,
      int batchSize,
      BatchDecoder decoder,
      ImageFormat format,
      EncodingOptions encoding,
      ImageFileWriter images,
      ErrorFileWriter errors,
      StageClock clock) {
    this.rows = rows;
    this.requiredChannels = convention.requiredChannels();
    this.maxImagePixels = maxImagePixels;
    this.presetName = convention.name();
    this.batcher = new ShapeBatcher(batchSize);
    this.decoder = decoder;
    this.format = format;
    this.encoding = encoding;
    this.images = images;
    this.errors = errors;
    this.clock = clock;
  }

  void decodeAll(Iterator<InternalRow> input) throws IOException {
    LatentSink sink =
        new LatentSink() {
          @Override
          public void accept(Latent latent) throws IOException {
            if (requiredChannels != 0 && latent.channels() != requiredChannels) {
              quarantine(
                  latent.id(),
                  new LatentException(
                      ErrorKind.WRONG_CHANNELS,
                      "the latent has "
                          + latent.channels()
                          + " channels but preset "
                          + presetName
                          + " expects "
                          + requiredChannels));
              return;
            }
            long pixels =
                (long) latent.height()
                    * latent.width()
                    * DecodeSettings.VAE_SCALE
                    * DecodeSettings.VAE_SCALE;
            if (pixels > maxImagePixels) {
              quarantine(
                  latent.id(),
                  new LatentException(
                      ErrorKind.TOO_LARGE,
                      String.format(
                          "the latent %s would decode to about %dx%d pixels (%.2f M), above the"
                              + " limit of %.2f M pixels per image (--max-image-megapixels)",
                          java.util.Arrays.toString(latent.shape()),
                          latent.width() * DecodeSettings.VAE_SCALE,
                          latent.height() * DecodeSettings.VAE_SCALE,
                          pixels / 1e6,
                          maxImagePixels / 1e6)));
              return;
            }
            List<Latent> full = batcher.add(latent);
            if (full != null) {
              readStart = clock.since(StageClock.READ, readStart);
              decode(full);
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
    readStart = clock.since(StageClock.READ, readStart);
    for (List<Latent> rest : batcher.drain()) {
      decode(rest);
    }
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

  long errors() {
    return errorsByKind.values().stream().mapToLong(Long::longValue).sum();
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

  Map<String, Long> errorsByKind() {
    return Map.copyOf(errorsByKind);
  }

  private void decode(List<Latent> batch) throws IOException {
    DecodedBatch result = decoder.decode(batch);
    batches++;
    fp32Redecoded += result.fp32Redecoded();
    tiledImages += result.tiled();
    oomSplits += result.oomSplits();
    clock.add(StageClock.FORWARD, result.forwardNanos());
    clock.add(StageClock.PREPOST, result.prePostNanos());
    for (DecodedBatch.Rejected r : result.rejected()) {
      quarantine(r.latent().id(), r.reason());
    }
    List<Latent> decoded = result.decoded();
    for (int i = 0; i < decoded.size(); i++) {
      Latent latent = decoded.get(i);
      long t = System.nanoTime();
      EncodedImage encoded;
      try {
        encoded =
            ImageEncoder.encode(
                format,
                encoding,
                result.pixels(),
                i * result.imageBytes(),
                result.height(),
                result.width());
      } catch (RuntimeException e) {
        quarantine(
            latent.id(),
            new LatentException(
                ErrorKind.ENCODE_FAILED, "cannot encode " + format.text() + ": " + e));
        continue;
      }
      t = clock.since(StageClock.ENCODE, t);
      images.add(
          latent.id(), encoded, format.text(), result.width(), result.height(), latent.carried());
      clock.since(StageClock.WRITE, t);
      imageCount++;
    }
  }

  private void quarantine(String id, LatentException reason) throws IOException {
    errors.add(id, reason.kind(), reason.getMessage());
    errorsByKind.merge(reason.kind().text(), 1L, Long::sum);
  }
}
