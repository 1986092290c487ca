package io.latentdecode.job.commit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Many small reads on the driver (task manifests, their sources files) at once: each costs a round
 * trip to the file system (a request to object storage), so they go on a pool of {@value #THREADS}
 * threads rather than one after the other.
 */
public final class ParallelReads {
  static final int THREADS = 32;

  /** A read that may fail. */
  public interface Read<T, R> {
    R apply(T item) throws IOException;
  }

  private ParallelReads() {}

  /** {@code read} of every item, in the items' order; the first failure is thrown. */
  public static <T, R> List<R> map(List<T> items, Read<T, R> read) throws IOException {
    List<R> results = new ArrayList<>(items.size());
    if (items.size() <= 1) {
      for (T item : items) {
        results.add(read.apply(item));
      }
      return results;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(THREADS, items.size()),
            r -> {
              Thread t = new Thread(r, "latent-decode-read");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<R>> futures = new ArrayList<>(items.size());
      for (T item : items) {
        futures.add(pool.submit(() -> read.apply(item)));
      }
      for (Future<R> f : futures) {
        results.add(f.get());
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
