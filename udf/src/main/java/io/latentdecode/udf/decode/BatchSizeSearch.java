package io.latentdecode.udf.decode;

import io.latentdecode.udf.contract.BatchSizeChoice;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntSupplier;

/**
 * {@code --batch-size auto} for one (model, device, latent shape) in one executor JVM: the smallest
 * batch whose throughput is within {@link #TOLERANCE} of the best, found on the run's own batches.
 * Candidates are 1, 2, 4, ... up to the largest batch the memory budget and the device allow
 * ({@link BatchSizes#ceiling}), asked for once the first batch of 1 has run (so that the first
 * forwards need not wait for a memory probe, and the probe runs on a warm model).
 *
 * <p>Each larger candidate has a trial beside the best size so far (the one before it), and the two
 * are compared on the trial's forwards alone, by the lower median of their times per image:
 *
 * <ul>
 *   <li>In blocks: the trial hands out a block of the candidate, then a block of the best size so
 *       far, and so on until the trial is decided. A block is {@value #BLOCK_PER_WORKER} batches
 *       per worker of the device, so that the workers run one size at the same time. Where workers
 *       share the cores and their memory bandwidth (two CPU workers of one thread), what a size
 *       costs the other worker is part of its throughput: a batch of 1 beside a batch of 2 and a
 *       batch of 2 beside a batch of 1 ran about equally fast, where the bare loop ran batches of 2
 *       40% faster than batches of 1 with both workers at one size.
 *   <li>On the trial's own blocks: a run speeds up as it goes (the JVM's compilation ends, the
 *       other stages warm up), so the best size's batches that were queued before the trial began,
 *       and any figures from earlier in the run, would make the candidate look faster for that
 *       alone. The candidate's block runs before the best size's, so what drift is left favours the
 *       smaller size, not the larger.
 *   <li>After a warm-up: the first block of forwards at each size is not measured. A worker's first
 *       forwards at a new size run slower, each worker's own (libtorch's first forward of a shape
 *       on a thread, the allocator growing its heaps for the larger activations): a TAEF2 run's
 *       first four batches of 2 on two CPU workers took 664, 565, 482 and 470 ms per image, where
 *       batches of 1 took 450-470 ms by then and batches of 2 ran 10% faster than 1 in the bare
 *       loop. Measured from its second forward on, 2 lost to 1, and the run kept batches of 1.
 *   <li>The lower median, not the mean: the first forwards of a run share the cores with the JVM's
 *       start, and a forward at a block's edge runs beside the other size. Not the fastest either:
 *       a short forward that happens to run while the other worker is between batches has the
 *       memory bandwidth to itself and runs up to 40% faster than its kind.
 * </ul>
 *
 * <p>The search moves on while the candidate was more than the tolerance faster per image than the
 * size beside it, and otherwise settles on that smaller size. Where the run says about how many
 * latents the executor decodes, a larger candidate is tried only when it can pay for itself: the
 * last doubling's gain per image, over the latents still to come, must save more than trying it
 * costs (about {@value #TRIAL_FORWARDS} forwards of its size). Nothing is decoded for the search
 * alone: its cost is the extra forward time of the batches it decoded at other sizes than the one
 * it settled on.
 *
 * <p>How many forwards a trial measures depends on the run's length. On a CPU two sizes often
 * differ by less than a forward's scatter: TAEF2 on the CI machine ran batches of 2 7.5% faster
 * than batches of 1 (forwards summed over 96 latents, 4 runs of each), while one forward's time
 * scatters by 6-8%, so a trial of a few forwards per size comes out either way (six trials in
 * 96-latent runs measured gains of 0 to 16%). A short run has too few latents for a longer trial. A
 * run that brings at least {@value #LONG_TRIAL_SHARE} times the latents a longer trial takes
 * measures {@value #LONG_MEASURED} batches of each size, where picking the slower size would cost
 * the whole run its difference.
 *
 * <p>Shared by the tasks of the JVM: batch sizes are handed out as batches start ({@link #next()})
 * and forward times come back as they end ({@link #record}), in about the order they were handed
 * out; batches started before the search moved on add samples to the size they ran at.
 */
public final class BatchSizeSearch {
  /** How close to the best throughput the chosen batch must be. */
  public static final double TOLERANCE = 0.05;

  static final int MEASURED = 2;
  static final int MEASURED_IMAGES = 6;

  /**
   * Batches of each size a trial measures where the run brings enough latents (see {@link
   * #LONG_TRIAL_SHARE}): the lower median of 48 forwards whose times scatter by 7% is within about
   * 1.3% of the true figure, against 4-6% for 2 to 6 forwards.
   */
  static final int LONG_MEASURED = 48;

  /** A long trial's measured batches take at most this share of the latents still to come. */
  static final int LONG_TRIAL_SHARE = 10;

  /** Batches of one size in a row in a trial, per worker of the device. */
  static final int BLOCK_PER_WORKER = 2;

  /** What trying a larger batch costs, in forwards of its size. */
  static final int TRIAL_FORWARDS = 2;

  private final IntSupplier largest;
  private final int block; // also each size's warm-up: its first block of forwards
  private long expectedLatents;
  private boolean unknownRun;
  private final Set<String> runs = new HashSet<>();
  private long handedOut;
  private final List<Integer> candidates = new ArrayList<>(List.of(1));
  private boolean bounded;
  private final Map<Integer, Samples> samples = new TreeMap<>();
  private int current; // index into candidates
  private int trialBatches; // handed out since the candidate's trial began
  private int queuedBefore; // batches of the best size so far handed out before the trial began
  private boolean longTrial; // the current trial measures LONG_MEASURED batches of each size
  private final Map<Integer, List<Long>> inTrial = new TreeMap<>(); // measured in this trial
  private final Map<Integer, Long> compared = new TreeMap<>(); // per size, its last trial's figure
  private boolean settled;
  private int chosen;

  /** Forward times at one batch size. */
  private static final class Samples {
    int handedOut;
    int returned; // every forward recorded at this size, comparable or not
    int seen;
    final List<Long> measuredNanosPerImage = new ArrayList<>();
    long totalNanos;
    long totalImages;

    long typicalNanosPerImage() {
      return lowerMedian(measuredNanosPerImage);
    }
  }

  /** The lower median of measured times per image; MAX_VALUE before any. */
  private static long lowerMedian(List<Long> nanosPerImage) {
    if (nanosPerImage.isEmpty()) {
      return Long.MAX_VALUE;
    }
    List<Long> sorted = new ArrayList<>(nanosPerImage);
    Collections.sort(sorted);
    return sorted.get((sorted.size() - 1) / 2);
  }

  /**
   * @param largest the largest batch the memory budget allows (at least 1); asked once, when the
   *     first batch of 1 has run
   */
  public BatchSizeSearch(IntSupplier largest) {
    this(largest, 0, 1);
  }

  /**
   * @param largest as above
   * @param expectedLatents about how many latents of this shape the executor decodes, or 0 when
   *     unknown (every candidate that gains is tried)
   * @param workers the forwards the device runs at once (its service's workers), which a trial's
   *     blocks are sized for
   */
  public BatchSizeSearch(IntSupplier largest, long expectedLatents, int workers) {
    this.largest = largest;
    this.expectedLatents = expectedLatents;
    this.block = BLOCK_PER_WORKER * Math.max(1, workers);
    this.chosen = 1;
  }

  /**
   * A run that uses this search (the search outlives a run in local mode, whose later runs reuse
   * it): adds the latents it brings to the ones expected, once per run; a run that does not know
   * them ({@code 0}) lifts the limit on trying larger batches.
   */
  public synchronized void expect(String run, long latents) {
    if (runs.add(run)) {
      if (latents > 0) {
        expectedLatents += latents;
      } else {
        unknownRun = true;
      }
    }
  }

  /** A search whose memory bound is known. */
  public BatchSizeSearch(int largest) {
    this(largest, 0);
  }

  /** A search whose memory bound is known, for about {@code expectedLatents} latents. */
  public BatchSizeSearch(int largest, long expectedLatents) {
    this(largest, expectedLatents, 1);
  }

  /** A search whose memory bound is known, for a device that runs {@code workers} at once. */
  public BatchSizeSearch(int largest, long expectedLatents, int workers) {
    this(() -> largest, expectedLatents, workers);
    bound();
  }

  /** Adds the candidates above 1 that the memory bound allows; settles at 1 when there are none. */
  private void bound() {
    bounded = true;
    int max = Math.max(1, largest.getAsInt());
    for (int size = 2; size < max; size *= 2) {
      candidates.add(size);
    }
    if (max > 1) {
      candidates.add(max);
    } else {
      settled = true;
    }
  }

  /** The batch size for a batch that starts now. */
  public synchronized int next() {
    if (settled) {
      return chosen;
    }
    int size = current == 0 ? 1 : trialSize(trialBatches++);
    Samples s = samples.computeIfAbsent(size, k -> new Samples()); // record() counts these only
    s.handedOut++;
    handedOut += size;
    return size;
  }

  /** A trial's n-th batch: blocks of the candidate and of the best so far in turn. */
  private int trialSize(int n) {
    return (n / block) % 2 == 1 ? candidates.get(current - 1) : candidates.get(current);
  }

  /**
   * Records one forward that decoded {@code images} latents of a batch started with {@link #next()}
   * at {@code size}, without tiling, splitting or a second decode.
   *
   * @return whether this forward settled the search
   */
  public synchronized boolean record(int size, int images, long forwardNanos) {
    Samples s = samples.get(size);
    if (s == null) {
      return false; // not handed out by this search
    }
    s.returned++;
    if (images != size || forwardNanos <= 0) {
      return false; // a batch's last, partial part, or one that lost rows: not comparable
    }
    s.seen++;
    s.totalNanos += forwardNanos;
    s.totalImages += images;
    boolean measured = s.seen > block; // after the size's warm-up block
    if (measured) {
      s.measuredNanosPerImage.add(forwardNanos / images);
    }
    if (settled) {
      return false;
    }
    if (current == 0) {
      startFirstTrial(); // a batch of 1 warmed the model up
      return settled;
    }
    boolean queued =
        size == candidates.get(current - 1) && s.returned <= queuedBefore; // before the trial
    if (measured && !queued) {
      inTrial.computeIfAbsent(size, k -> new ArrayList<>()).add(forwardNanos / images);
    }
    if (trialMeasured()) {
      decide();
      return settled;
    }
    return false;
  }

  /**
   * Whether the current trial has its measurements: the candidate's batches, and a block of the
   * best size so far handed out in the trial.
   */
  private boolean trialMeasured() {
    int size = candidates.get(current);
    return inTrial.getOrDefault(size, List.of()).size() >= measuredBatches(size, longTrial)
        && inTrial.getOrDefault(candidates.get(current - 1), List.of()).size()
            >= Math.max(longTrial ? LONG_MEASURED : MEASURED, block);
  }

  /**
   * After a forward of 1: asks for the memory bound (once), and begins the trial of 2 where the
   * bound allows it and the runs of the JVM bring enough latents for it. A run too short for the
   * trial leaves the search at 1 without settling it, so that a later, longer run in the same JVM
   * (a notebook's) still tries larger batches.
   */
  private void startFirstTrial() {
    if (!bounded) {
      bound();
    }
    if (!settled && paysOff(candidates.get(1), 1.0)) {
      beginTrial();
    }
  }

  private void beginTrial() {
    current++;
    long trialImages =
        (long) LONG_MEASURED * (candidates.get(current) + candidates.get(current - 1));
    longTrial = !unknownRun && expectedLatents - handedOut >= LONG_TRIAL_SHARE * trialImages;
    trialBatches = 0;
    inTrial.clear();
    Samples best = samples.get(candidates.get(current - 1));
    queuedBefore = best.handedOut; // forwards returned up to this count were queued before
  }

  private long typicalInTrial(int size) {
    return lowerMedian(inTrial.getOrDefault(size, List.of()));
  }

  /**
   * The measured batches a candidate needs: a batch of 1 is as cheap to measure as any other; a
   * long run's trial measures {@value #LONG_MEASURED}.
   */
  static int measuredBatches(int size, boolean longTrial) {
    return longTrial ? LONG_MEASURED : Math.max(MEASURED, (MEASURED_IMAGES + size - 1) / size);
  }

  private void decide() {
    int size = candidates.get(current);
    // the size before the candidate beat every smaller one, or the search would not have moved on:
    // it is the best so far, measured in this trial beside the candidate
    long before = typicalInTrial(candidates.get(current - 1));
    long best = typicalInTrial(size);
    compared.put(size, best);
    compared.put(candidates.get(current - 1), before);
    boolean gained = best * (1 + TOLERANCE) < before;
    if (gained
        && current + 1 < candidates.size()
        && paysOff(candidates.get(current + 1), 1 - (double) best / before)) {
      beginTrial();
      return;
    }
    chosen = gained ? size : candidates.get(current - 1);
    settled = true;
  }

  /**
   * Whether trying {@code next} can win back its trial within the latents still to come, if it
   * gains {@code gain} (a share of the time per image) as the last doubling did.
   */
  private boolean paysOff(int next, double gain) {
    if (expectedLatents <= 0 || unknownRun) {
      return true;
    }
    long remaining = Math.max(0, expectedLatents - handedOut);
    return remaining * gain >= (double) TRIAL_FORWARDS * next;
  }

  public synchronized boolean settled() {
    return settled;
  }

  /** The batch size settled on, or the one being measured while the search runs. */
  public synchronized int chosen() {
    return settled ? chosen : candidates.get(current);
  }

  /** What the search found so far, for the run report. */
  public synchronized BatchSizeChoice summary() {
    Map<Integer, Double> imagesPerSecond = new TreeMap<>();
    samples.forEach(
        (size, s) -> {
          long typical = compared.getOrDefault(size, s.typicalNanosPerImage());
          if (typical != Long.MAX_VALUE) {
            imagesPerSecond.put(size, Math.round(1e11 / typical) / 100.0);
          }
        });
    long costNanos = 0;
    Samples at = samples.get(chosen());
    long atChosen = at == null ? Long.MAX_VALUE : at.typicalNanosPerImage();
    if (settled && atChosen != Long.MAX_VALUE) {
      for (Map.Entry<Integer, Samples> e : samples.entrySet()) {
        Samples s = e.getValue();
        if (e.getKey() != chosen) {
          costNanos += Math.max(0, s.totalNanos - s.totalImages * atChosen);
        }
      }
    }
    return new BatchSizeChoice(chosen(), settled, imagesPerSecond, costNanos / 1e9);
  }
}
