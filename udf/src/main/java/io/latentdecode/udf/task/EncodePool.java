package io.latentdecode.udf.task;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * The executor JVM's image-encoding threads, shared by its tasks: one per executor core ({@code
 * spark.executor.cores}, or the machine's processors where that is not set, as in local mode). Each
 * task bounds its own encodes in flight, so the pool's queue stays short.
 */
final class EncodePool {
  private static volatile ExecutorService pool;

  private EncodePool() {}

  static ExecutorService get() {
    ExecutorService p = pool;
    if (p == null) {
      synchronized (EncodePool.class) {
        if (pool == null) {
          pool = create(threads());
        }
        p = pool;
      }
    }
    return p;
  }

  static int threads() {
    SparkEnv env = SparkEnv.get();
    int processors = Runtime.getRuntime().availableProcessors();
    if (env == null) {
      return processors;
    }
    SparkConf conf = env.conf();
    return Math.max(1, conf.getInt("spark.executor.cores", processors));
  }

  private static ExecutorService create(int threads) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "latent-decode-encode-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
