package io.latentdecode.udf.decode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * How much memory a batch is taken to need from the figure measured on one latent, and the largest
 * batch {@code auto} tries on a device.
 */
class BatchSizesTest {
  private static final long ONE = 100 << 20;

  @Test
  void oneLatentNeedsWhatWasMeasuredAndMoreNeedTheMarginOnEachImage() {
    assertThat(BatchSizes.bytesForBatch(ONE, 1)).isEqualTo(ONE);
    assertThat(BatchSizes.bytesForBatch(ONE, 2)).isEqualTo((long) (2 * ONE * 1.3));
    assertThat(BatchSizes.bytesForBatch(ONE, 4)).isEqualTo((long) (4 * ONE * 1.3));
  }

  @Test
  void theLargestBatchIsTheLargestWhoseNeedFitsTheBudget() {
    long forTwo = BatchSizes.bytesForBatch(ONE, 2);
    assertThat(BatchSizes.largestBatch(forTwo - 1, ONE)).isEqualTo(1);
    assertThat(BatchSizes.largestBatch(forTwo, ONE)).isEqualTo(2);
    // twice the figure alone, which sized batches before the margin, no longer makes it 2
    assertThat(BatchSizes.largestBatch(2 * ONE, ONE)).isEqualTo(1);
    assertThat(BatchSizes.largestBatch(BatchSizes.bytesForBatch(ONE, 7), ONE)).isEqualTo(7);
    // a budget below one latent still decodes one at a time (its out-of-memory split may tile it)
    assertThat(BatchSizes.largestBatch(ONE / 2, ONE)).isEqualTo(1);
  }

  @Test
  void onACpuTheSearchTriesAtMostTwoLatentsPerThreadAndOnAGpuUpToItsMemory() {
    assertThat(BatchSizes.ceiling(false, 1)).isEqualTo(2);
    assertThat(BatchSizes.ceiling(false, 2)).isEqualTo(4);
    assertThat(BatchSizes.ceiling(false, 0)).isEqualTo(2);
    assertThat(BatchSizes.ceiling(false, 64)).isEqualTo(BatchSizes.MAX_AUTO);
    assertThat(BatchSizes.ceiling(true, 1)).isEqualTo(BatchSizes.MAX_AUTO);
  }
}
