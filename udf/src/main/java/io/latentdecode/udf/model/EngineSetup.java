package io.latentdecode.udf.model;

import ai.djl.pytorch.jni.JniUtils;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DJL reads these properties once, when its PyTorch engine starts in a JVM; every JVM that decodes
 * must set them first. Offline: DJL never downloads and never calls home. Threads: PyTorch's
 * intra-op pool is per process, shared by all tasks of the JVM, so its size is chosen per task
 * slot, not per core. Huge pages: libtorch's CPU allocator asks the kernel for transparent huge
 * pages for tensors of 2 MB and more when {@code THP_MEM_ALLOC_ENABLE} is set in the process
 * environment (read once, at its first large allocation); without them every large activation is
 * fresh memory faulted in 4 KB at a time, which cost a 512x512 AutoencoderKL decode a third of its
 * time on this project's CPUs (BENCHMARKS.md). Set {@code THP_MEM_ALLOC_ENABLE=0} to opt out.
 */
public final class EngineSetup {
  private static final Logger LOG = LoggerFactory.getLogger(EngineSetup.class);
  static final String HUGE_PAGES = "THP_MEM_ALLOC_ENABLE";
  private static boolean hugePagesChecked;

  private EngineSetup() {}

  /** Sets DJL's properties unless the user set them already. Call before the engine's first use. */
  public static synchronized void configure(int intraOpThreads) {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("OPT_OUT_TRACKING", "true");
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(Math.max(1, intraOpThreads)));
    if (!hugePagesChecked) {
      hugePagesChecked = true;
      askForHugePages();
    }
  }

  private static void askForHugePages() {
    if (System.getenv(HUGE_PAGES) != null
        || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return;
    }
    try {
      CLibrary.get().setenv(HUGE_PAGES, "1", 0);
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("Cannot set {} for libtorch ({}); large tensors use 4 KB pages", HUGE_PAGES, e);
    }
  }

  /** PyTorch's intra-op threads per forward, as configured (1 before {@link #configure}). */
  public static int intraOpThreads() {
    String value = System.getProperty("ai.djl.pytorch.num_threads");
    if (value == null) {
      value = System.getenv("ai.djl.pytorch.num_threads");
    }
    try {
      return value == null ? 1 : Math.max(1, Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * Runs work with PyTorch's intra-op threads raised to {@code threads} on the calling thread, then
   * set back to the configured number: for work that has the device to itself (the memory probe),
   * which would otherwise leave all but one of the workers' cores idle. Threads that already ran a
   * forward keep their own count (libtorch sets a thread's OpenMP team size at its first parallel
   * op, from the count of that moment).
   */
  public static <T> T withIntraOpThreads(int threads, Callable<T> work) throws Exception {
    int configured = intraOpThreads();
    if (threads <= configured) {
      return work.call();
    }
    JniUtils.setNumThreads(threads);
    try {
      return work.call();
    } finally {
      JniUtils.setNumThreads(configured);
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null && System.getenv(key) == null) {
      System.setProperty(key, value);
    }
  }
}
