package io.latentdecode.udf.task;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The threads of one task's pipeline and the bounded queues between them. The first failure of any
 * stage stops them all: a stage blocked on a queue sees it within {@link #POLL_MILLIS} and ends;
 * {@link #finish()} then rethrows that failure on the task's thread. Bounded queues are the
 * backpressure: a fast stage waits for a slow one instead of piling batches up in memory.
 */
final class StageThreads implements AutoCloseable {
  static final long POLL_MILLIS = 50;

  /** Thrown inside a stage when another stage failed; the original failure is rethrown later. */
  static final class Stopped extends IOException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super("the task's pipeline stopped", null);
    }
  }

  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  /**
   * The JVM's stage threads, reused from task to task: a fresh native thread per task would let the
   * native allocator spread over ever more per-thread arenas.
   */
  private static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "latent-decode-stage");
            t.setDaemon(true);
            return t;
          });

  private final String name;
  private final List<Future<?>> threads = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean stopping;

  /**
   * @param name names the threads, for thread dumps: the task's partition and attempt
   */
  StageThreads(String name) {
    this.name = name;
  }

  /** A bounded queue between two stages of this pipeline. */
  <T> Handoff<T> handoff(int capacity) {
    return new Handoff<>(new ArrayBlockingQueue<>(capacity));
  }

  void start(String stage, Body body) {
    threads.add(
        POOL.submit(
            () -> {
              Thread current = Thread.currentThread();
              current.setName("latent-decode-" + stage + "-" + name);
              try {
                body.run();
              } catch (Throwable t) {
                fail(t);
              } finally {
                current.setName("latent-decode-stage");
              }
            }));
  }

  /** Records a failure (the first one wins) and stops every stage. */
  void fail(Throwable t) {
    if (!(t instanceof Stopped)) {
      failure.compareAndSet(null, t);
    }
    stopping = true;
  }

  /**
   * Waits for every stage to end, then rethrows the first failure, if any. Call on the task's
   * thread after the last item was handed on.
   */
  void finish() throws IOException {
    joinAll();
    Throwable t = failure.get();
    if (t == null) {
      return;
    }
    if (t instanceof IOException e) {
      throw e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IOException(t);
  }

  /** Stops the stages and waits for them: nothing of the task runs on after this. */
  @Override
  public void close() {
    stopping = true;
    joinAll();
  }

  private void joinAll() {
    boolean interrupted = false;
    for (Future<?> thread : threads) {
      while (true) {
        try {
          thread.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // a killed task still waits: its writers close after this
          stopping = true;
        } catch (ExecutionException e) {
          break; // the stage recorded its failure itself
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void checkRunning() throws Stopped {
    if (stopping) {
      throw new Stopped();
    }
  }

  /** A bounded, blocking queue whose waits end when the pipeline stops. */
  final class Handoff<T> {
    private final BlockingQueue<T> queue;

    private Handoff(BlockingQueue<T> queue) {
      this.queue = queue;
    }

    void put(T item) throws IOException {
      try {
        while (!queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
          checkRunning();
        }
      } catch (InterruptedException e) {
        throw interrupted(e);
      }
    }

    /** Throws {@link Stopped} when the pipeline stopped: for waits on something else. */
    void checkRunning() throws Stopped {
      StageThreads.this.checkRunning();
    }

    T take() throws IOException {
      try {
        T item;
        while ((item = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS)) == null) {
          checkRunning();
        }
        return item;
      } catch (InterruptedException e) {
        throw interrupted(e);
      }
    }

    private IOException interrupted(InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
      InterruptedIOException io = new InterruptedIOException("interrupted while " + name + " ran");
      io.initCause(e);
      return io;
    }
  }
}
