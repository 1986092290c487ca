package io.latentdecode.udf.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.contract.BatchSizeChoice;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * {@code --batch-size auto}'s search, fed forward times of a device whose speed per batch size is
 * known: it grows the batch while that pays, settles on the smallest batch within 5% of the best,
 * never passes the memory bound, ignores forwards it cannot compare, and reports its cost.
 */
class BatchSizeSearchTest {
  private static final long MS = 1_000_000;

  /** Runs batches as the search hands them out until it settles; returns the batches run. */
  private static int runUntilSettled(BatchSizeSearch search, IntToLongFunction nanosForBatch) {
    int batches = 0;
    Set<Integer> warm = new HashSet<>();
    while (!search.settled() && batches < 1000) {
      int size = search.next();
      boolean warmUp = warm.add(size); // the first forward at a size is slow
      search.record(size, size, nanosForBatch.applyAsLong(size) * (warmUp ? 5 : 1));
      batches++;
    }
    return batches;
  }

  @Test
  void aCpuThatIsNoFasterWithLargerBatchesGetsBatchesOfOne() {
    BatchSizeSearch search = new BatchSizeSearch(31);

    int batches = runUntilSettled(search, size -> size * 100 * MS);

    assertThat(search.chosen()).isEqualTo(1);
    // batches of 1: a warm-up and six measured; then the trial of 2 hands out 2 and 1 in turn until
    // 2 has a warm-up and three measured batches (six images)
    assertThat(batches).isEqualTo(1 + 6 + 4 + 3);
    BatchSizeChoice found = search.summary();
    assertThat(found.imagesPerSecond()).containsOnlyKeys(1, 2);
    assertThat(found.imagesPerSecond().get(1)).isEqualTo(10.0);
    // the measured batches of 2 cost what batches of 1 would have: only their warm-up is extra
    assertThat(found.costSeconds()).isEqualTo(0.8);
    assertThat(search.next()).isEqualTo(1);
  }

  @Test
  void slowFirstBatchesOfOneDoNotMakeLargerBatchesLookFaster() {
    BatchSizeSearch search = new BatchSizeSearch(31);
    AtomicInteger ofOne = new AtomicInteger();

    // a CPU no faster with larger batches, whose first three measured batches of 1 ran 30% slower
    // (the JVM's start on the same cores)
    runUntilSettled(
        search,
        size -> size * 100 * MS * (size == 1 && ofOne.incrementAndGet() <= 4 ? 13 : 10) / 10);

    assertThat(search.chosen()).isEqualTo(1);
    assertThat(search.summary().imagesPerSecond()).containsOnlyKeys(1, 2);
  }

  @Test
  void aFewLuckyShortBatchesDoNotHideTheGainOfLargerOnes() {
    BatchSizeSearch search = new BatchSizeSearch(31);
    AtomicInteger ofOne = new AtomicInteger();

    // two workers sharing the cores: per image 100 ms at 1, 85 ms at 2 and 4; every third batch of
    // 1 runs 40% faster, while the other worker is between batches (its fastest was 60 ms)
    runUntilSettled(
        search,
        size -> size == 1 ? (ofOne.incrementAndGet() % 3 == 0 ? 60 : 100) * MS : size * 85 * MS);

    assertThat(search.chosen()).isEqualTo(2);
    assertThat(search.summary().imagesPerSecond()).containsEntry(1, 10.0).containsKeys(2, 4);
  }

  @Test
  void aRunThatSpeedsUpAsItGoesDoesNotMakeEachLargerSizeLookFaster() {
    BatchSizeSearch search = new BatchSizeSearch(31);
    AtomicInteger batches = new AtomicInteger();

    // a CPU no faster with larger batches, whose forwards get faster batch by batch for the run's
    // first fifteen (the JVM's start ending): each size tried later than the last would look
    // faster than it, were it not measured beside it
    runUntilSettled(search, size -> size * MS * Math.max(100, 160 - 4 * batches.incrementAndGet()));

    assertThat(search.chosen()).isEqualTo(1);
  }

  @Test
  void aGpuThatGainsUpToEightGetsEight() {
    BatchSizeSearch search = new BatchSizeSearch(32);

    // per image: 100 ms alone, halved with each doubling up to 8, flat after that
    runUntilSettled(search, size -> size * 100 * MS / Math.min(size, 8));

    assertThat(search.chosen()).isEqualTo(8);
    assertThat(search.summary().imagesPerSecond()).containsOnlyKeys(1, 2, 4, 8, 16);
  }

  @Test
  void aShortRunStopsWhereTheNextSizeCouldNotWinItsTrialBack() {
    // the GPU above, in a run of about 40 latents: after batches of 4 (27 latents handed out), the
    // 13 left at the last doubling's 50% gain would save 6.5 forwards' worth of images, less than
    // trying 8 costs (two forwards of 8)
    BatchSizeSearch search = new BatchSizeSearch(32, 40);

    runUntilSettled(search, size -> size * 100 * MS / Math.min(size, 8));

    assertThat(search.chosen()).isEqualTo(4);
    assertThat(search.summary().imagesPerSecond()).containsOnlyKeys(1, 2, 4);
  }

  @Test
  void aLaterRunInTheSameJvmBringsItsOwnLatents() {
    BatchSizeSearch search = new BatchSizeSearch(() -> 32);
    search.expect("run-a", 6);
    for (int i = 0; i < 6; i++) {
      search.record(search.next(), 1, 100 * MS); // run a ends before the search could settle
    }
    search.expect("run-b", 64);
    search.expect("run-b", 64); // a run counts once, whatever its tasks

    runUntilSettled(search, size -> size * 100 * MS / Math.min(size, 2));

    assertThat(search.summary().imagesPerSecond()).containsKey(2);
    assertThat(search.chosen()).isEqualTo(2);
  }

  @Test
  void takesTheSmallestWithinFivePercentOfTheBest() {
    BatchSizeSearch search = new BatchSizeSearch(32);
    // per image: 1 -> 100 ms, 2 -> 80 ms (a gain), 4 -> 78 ms (within 5% of 80: stop)
    long[] perImage = {0, 100, 80, 0, 78};

    runUntilSettled(search, size -> size * perImage[size] * MS);

    assertThat(search.chosen()).isEqualTo(2);
  }

  @Test
  void neverPassesTheMemoryBound() {
    BatchSizeSearch search = new BatchSizeSearch(6);

    runUntilSettled(search, size -> 100 * MS); // larger is always better

    assertThat(search.chosen()).isEqualTo(6);
    assertThat(search.summary().imagesPerSecond()).containsOnlyKeys(1, 2, 4, 6);
  }

  @Test
  void aBoundOfOneNeedsNoSearch() {
    BatchSizeSearch search = new BatchSizeSearch(1);

    assertThat(search.settled()).isTrue();
    assertThat(search.next()).isEqualTo(1);
    assertThat(search.summary().costSeconds()).isZero();
  }

  @Test
  void forwardsThatLostRowsOrWereNotHandedOutAreNotCounted() {
    BatchSizeSearch search = new BatchSizeSearch(8);
    search.next();

    assertThat(search.record(1, 0, 10 * MS)).isFalse(); // no image came out
    assertThat(search.record(4, 4, 10 * MS)).isFalse(); // size 4 was never handed out
    for (int i = 0; i < 1 + 6; i++) {
      search.record(1, 1, 100 * MS);
    }

    assertThat(search.settled()).isFalse();
    assertThat(search.chosen()).isEqualTo(2);
    assertThat(search.summary().imagesPerSecond()).containsOnlyKeys(1);
  }

  @Test
  void asksForTheMemoryBoundOnlyOnceBatchesOfOneAreMeasured() {
    AtomicInteger asked = new AtomicInteger();
    BatchSizeSearch search =
        new BatchSizeSearch(
            () -> {
              asked.incrementAndGet();
              return 1;
            });
    for (int i = 0; i < 6; i++) {
      search.record(search.next(), 1, 100 * MS);
    }
    assertThat(asked.get()).isZero();

    search.record(search.next(), 1, 100 * MS);

    assertThat(asked.get()).isEqualTo(1);
    assertThat(search.settled()).isTrue();
    assertThat(search.chosen()).isEqualTo(1);
  }
}
