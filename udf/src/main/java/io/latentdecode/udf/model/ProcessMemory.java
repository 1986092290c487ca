package io.latentdecode.udf.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory from Linux's {@code /proc/self/status}. libtorch allocates outside
 * the Java heap, so resident memory is what shows a decode's footprint; its high-water mark can be
 * reset (writing 5 to {@code /proc/self/clear_refs}) to measure the peak of one piece of work.
 */
public final class ProcessMemory {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
  private static final long STEADY_POLL_MILLIS = 50;
  private static final long STEADY_BYTES = 1 << 20;
  private static final long STEADY_WAIT_MILLIS = 3000;

  private ProcessMemory() {}

  public static boolean supported() {
    return Files.isReadable(STATUS) && Files.isWritable(CLEAR_REFS);
  }

  /** Current resident set size, bytes. */
  public static long residentBytes() throws IOException {
    return field("VmRSS:");
  }

  /** Peak resident set size since the last {@link #resetPeak()}, bytes. */
  public static long peakResidentBytes() throws IOException {
    return field("VmHWM:");
  }

  public static void resetPeak() throws IOException {
    Files.writeString(CLEAR_REFS, "5");
  }

  /**
   * Hands the memory that glibc's allocator holds free back to the kernel, so that a measurement
   * starting now sees the work's own demand rather than blocks an earlier piece of work left
   * behind. Does nothing where the C library has no {@code malloc_trim}.
   *
   * @return whether the allocator was asked (glibc); if not, it may serve the next work from memory
   *     it kept, which resident memory does not show
   */
  public static boolean releaseFreeMemory() {
    boolean released = trim();
    trims = released;
    return released;
  }

  private static volatile Boolean trims;

  /** Whether {@link #releaseFreeMemory} can hand free memory back here (glibc). */
  public static boolean canReleaseFreeMemory() {
    Boolean known = trims;
    return known != null ? known : releaseFreeMemory();
  }

  private static boolean trim() {
    try {
      CLibrary.get().malloc_trim(0);
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false; // not glibc: measurements include what the allocator keeps
    }
  }

  /**
   * Peak resident memory above the starting point while {@code work} runs on a fresh thread (grad
   * mode is per thread in PyTorch and on by default: a fresh thread is where a graph would be
   * recorded), after a collection, once the JVM has handed the heap it freed back to the kernel (G1
   * does that on a thread of its own for a while after a collection: a large heap shrinking during
   * the work hid the work's own growth, down to negative figures), and after the allocator's free
   * memory went back to the kernel. An {@code AutoCloseable} result is closed after the
   * measurement.
   */
  public static long peakDuringOnFreshThread(java.util.concurrent.Callable<?> work)
      throws Exception {
    java.util.concurrent.ExecutorService thread =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      return thread
          .submit(
              () -> {
                System.gc();
                awaitSteadyResidentMemory();
                releaseFreeMemory();
                long before = residentBytes();
                resetPeak();
                Object result = work.call();
                long peak = peakResidentBytes();
                if (result instanceof AutoCloseable closeable) {
                  closeable.close();
                }
                return peak - before;
              })
          .get();
    } finally {
      thread.shutdown();
    }
  }

  /**
   * Waits until resident memory holds still (two readings {@value #STEADY_POLL_MILLIS} ms apart
   * within {@value #STEADY_BYTES} bytes), at most {@value #STEADY_WAIT_MILLIS} ms.
   */
  static void awaitSteadyResidentMemory() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STEADY_WAIT_MILLIS * 1_000_000L;
    long last = residentBytes();
    while (System.nanoTime() < deadline) {
      Thread.sleep(STEADY_POLL_MILLIS);
      long now = residentBytes();
      if (Math.abs(now - last) < STEADY_BYTES) {
        return;
      }
      last = now;
    }
  }

  private static long field(String name) throws IOException {
    for (String line : Files.readAllLines(STATUS)) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) * 1024;
      }
    }
    throw new IOException("No " + name + " in " + STATUS);
  }
}
