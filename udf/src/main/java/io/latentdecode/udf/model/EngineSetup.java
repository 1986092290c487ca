package io.latentdecode.udf.model;

/**
 * DJL reads these properties once, when its PyTorch engine starts in a JVM; every JVM that decodes
 * must set them first. Offline: DJL never downloads and never calls home. Threads: PyTorch's
 * intra-op pool is per process, shared by all tasks of the JVM, so its size is chosen per task
 * slot, not per core.
 */
public final class EngineSetup {
  private EngineSetup() {}

  /** Sets DJL's properties unless the user set them already. Call before the engine's first use. */
  public static synchronized void configure(int intraOpThreads) {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("OPT_OUT_TRACKING", "true");
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(Math.max(1, intraOpThreads)));
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

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null && System.getenv(key) == null) {
      System.setProperty(key, value);
    }
  }
}
