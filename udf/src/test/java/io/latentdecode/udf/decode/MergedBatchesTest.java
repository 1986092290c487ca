package io.latentdecode.udf.decode;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.model.DecodeService;
import io.latentdecode.udf.model.LoadedDecoder;
import io.latentdecode.udf.testing.ReferenceDecodes;
import io.latentdecode.udf.testing.SharedData;
import io.latentdecode.udf.testing.TestDecoders;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Partial batches of two tasks queued on one device run as one forward of the real TAEF2 decoder,
 * and each task gets back its own ids, pixels and quarantined rows: the pixels of decoding its
 * latents alone.
 */
class MergedBatchesTest {
  private static final DecodeSettings TAEF2 = ReferenceDecodes.SETTINGS;

  @Test
  void twoTasksPartialBatchesRunAsOneForwardAndSplitBackByIdAndPixels() throws Exception {
    LoadedDecoder decoder = TestDecoders.onCpu(SharedData.taef2Decoder());
    Latent brick = ReferenceDecodes.latent("brick");
    Latent grass = croppedLike(ReferenceDecodes.latent("grass"), brick);
    Latent gravel = croppedLike(ReferenceDecodes.latent("gravel"), brick);
    Latent nan = withNan(gravel, "gravel-with-nan");
    DecodeService service = DecodeService.unshared(Device.cpu());
    List<Integer> forwardSizes = new ArrayList<>();
    try (Predictor<NDList, NDList> predictor = decoder.newPredictor()) {
      BatchDecoder batchDecoder = new BatchDecoder(decoder, predictor, TAEF2);
      DecodeService.MergedRun<List<Latent>, DecodedBatch> forward =
          parts -> {
            forwardSizes.add(parts.stream().mapToInt(List::size).sum());
            return MergedBatches.decode(batchDecoder, parts);
          };
      DecodeService.Client taskA = service.client("task-a");
      DecodeService.Client taskB = service.client("task-b");
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      taskA.submit( // holds the worker until both tasks' batches are queued
          () -> {
            started.countDown();
            return release.await(10, TimeUnit.SECONDS);
          });
      started.await();
      Future<DecodedBatch> a = taskA.submit("32x32x32", List.of(gravel), 1, 4, forward);
      Future<DecodedBatch> b = taskB.submit("32x32x32", List.of(grass, nan, brick), 3, 4, forward);
      release.countDown();

      DecodedBatch fromA = a.get(60, TimeUnit.SECONDS);
      DecodedBatch fromB = b.get(60, TimeUnit.SECONDS);
      taskA.close();
      taskB.close();

      assertThat(forwardSizes).containsExactly(4);
      assertThat(service.mergedForwards()).isEqualTo(1);
      assertThat(fromA.decoded()).extracting(Latent::id).containsExactly("gravel");
      assertThat(fromA.rejected()).isEmpty();
      assertThat(fromB.decoded()).extracting(Latent::id).containsExactly("grass", "brick");
      assertThat(fromB.rejected()).extracting(r -> r.latent().id()).containsExactly(nan.id());
      assertThat(fromB.rejected().get(0).reason().kind()).isEqualTo(ErrorKind.NON_FINITE_LATENT);
      assertSamePixels(fromA, 0, batchDecoder.decode(List.of(gravel)));
      assertSamePixels(fromB, 0, batchDecoder.decode(List.of(grass)));
      assertSamePixels(fromB, 1, batchDecoder.decode(List.of(brick)));
      byte[] expected = ReferenceDecodes.expectedPixelsHwc("brick", fromB.height(), fromB.width());
      assertThat(
              ReferenceDecodes.psnr(fromB.pixels(), fromB.imageBytes(), expected, expected.length))
          .isGreaterThan(45);
      assertThat(fromA.forwardNanos() + fromB.forwardNanos()).isPositive();
    }
  }

  @Test
  void batchesOfAnotherShapeOrAlreadyFullAreNotMerged() throws Exception {
    DecodeService service = DecodeService.unshared(Device.cpu());
    List<List<String>> forwards = new ArrayList<>();
    DecodeService.MergedRun<List<String>, List<String>> forward =
        parts -> {
          List<String> all = new ArrayList<>();
          parts.forEach(all::addAll);
          synchronized (forwards) {
            forwards.add(all);
          }
          return parts;
        };
    DecodeService.Client taskA = service.client("task-a");
    DecodeService.Client taskB = service.client("task-b");
    DecodeService.Client killed = service.client("killed");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    taskA.submit(
        () -> {
          started.countDown();
          return release.await(10, TimeUnit.SECONDS);
        });
    started.await();
    Future<List<String>> a = taskA.submit("4x8x8", List.of("a1"), 1, 4, forward);
    killed.submit("4x8x8", List.of("k1"), 1, 4, forward);
    Future<List<String>> other = taskB.submit("4x8x16", List.of("b1"), 1, 4, forward);
    Future<List<String>> full =
        taskB.submit("4x8x8", List.of("b2", "b3", "b4", "b5"), 4, 4, forward);
    Future<List<String>> b = taskB.submit("4x8x8", List.of("b6", "b7"), 2, 4, forward);
    killed.close(); // its queued batch is never decoded, alone or merged
    release.countDown();

    assertThat(a.get(10, TimeUnit.SECONDS)).containsExactly("a1");
    assertThat(b.get(10, TimeUnit.SECONDS)).containsExactly("b6", "b7");
    assertThat(other.get(10, TimeUnit.SECONDS)).containsExactly("b1");
    assertThat(full.get(10, TimeUnit.SECONDS)).containsExactly("b2", "b3", "b4", "b5");
    taskA.close();
    taskB.close();
    assertThat(forwards)
        .containsExactly(List.of("a1", "b6", "b7"), List.of("b1"), List.of("b2", "b3", "b4", "b5"));
  }

  private static void assertSamePixels(DecodedBatch merged, int image, DecodedBatch alone) {
    int bytes = merged.imageBytes();
    assertThat(alone.imageBytes()).isEqualTo(bytes);
    int maxDiff = 0;
    for (int i = 0; i < bytes; i++) {
      int m = merged.pixels()[image * bytes + i] & 0xff;
      maxDiff = Math.max(maxDiff, Math.abs(m - (alone.pixels()[i] & 0xff)));
    }
    assertThat(maxDiff)
        .as("max 8-bit difference, merged vs alone, %s", merged.decoded().get(image).id())
        .isLessThanOrEqualTo(1);
  }

  /** The top left of {@code latent}, cut to the shape of {@code like} (the references differ). */
  private static Latent croppedLike(Latent latent, Latent like) throws Exception {
    int c = like.channels();
    int h = like.height();
    int w = like.width();
    ByteBuffer from = ByteBuffer.wrap(latent.data()).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer to = ByteBuffer.allocate(c * h * w * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          to.putFloat(from.getFloat(((ch * latent.height() + y) * latent.width() + x) * 4));
        }
      }
    }
    return Latent.of(latent.id(), like.shape(), like.dtype(), to.array(), latent.carried());
  }

  private static Latent withNan(Latent base, String id) throws Exception {
    byte[] data = base.data().clone();
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat(40, Float.NaN);
    return Latent.of(id, base.shape(), base.dtype(), data, base.carried());
  }
}
