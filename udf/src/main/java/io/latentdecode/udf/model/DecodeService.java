package io.latentdecode.udf.model;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decode service of one device in an executor JVM: every task of the executor puts its batches
 * into the device's one queue, and the service's workers take them in order, whichever task they
 * come from, so that no worker idles while any task has a batch ready. Its worker count is the most
 * forward passes that ever run on the device at once: on the CPU the executor's cores divided by
 * PyTorch's intra-op threads, on a GPU one by default (a task's pipeline prepares the next batch
 * while one runs).
 *
 * <p>Each task talks to the service through its own {@link Client}: results come back as futures
 * the task reads in its own order, and closing the client (the task ended, failed or was killed)
 * drops its batches still queued, waits for the ones running, and never starts another for it. A
 * batch smaller than its task's batch size (a task's last one of a shape) may run in one forward
 * with queued batches of the same model, settings and latent shape from other tasks, up to that
 * batch size, and each task gets back its own part: that keeps a GPU's forwards full when tasks are
 * small. {@link #alone} runs work with the device to itself (a memory probe), between forwards.
 */
public final class DecodeService {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeService.class);
  private static final Map<String, DecodeService> DEVICES = new ConcurrentHashMap<>();
  private static final ThreadLocal<Boolean> ON_WORKER = ThreadLocal.withInitial(() -> false);

  private final String device;
  private final int workers;
  private final ThreadPoolExecutor pool;
  private final ReentrantReadWriteLock turns = new ReentrantReadWriteLock(true);
  private final Object busyLock = new Object();
  private int running;
  private long busySince;
  private long busyNanos;
  private int mostRunning;
  private final AtomicInteger mergedForwards = new AtomicInteger();

  private DecodeService(String device, int workers) {
    this.device = device;
    this.workers = workers;
    AtomicInteger count = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            workers,
            workers,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t =
                  new Thread(
                      () -> {
                        ON_WORKER.set(true);
                        r.run();
                      },
                      "latent-decode-" + device + "-worker-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * The default number of workers on a device.
   *
   * @param cores the executor's cores
   * @param intraOpThreads PyTorch's intra-op threads per forward
   */
  public static int defaultWorkers(boolean gpu, int cores, int intraOpThreads) {
    return gpu ? 1 : Math.max(1, cores / Math.max(1, intraOpThreads));
  }

  /**
   * This JVM's service for the device, shared by the tasks that ask with the same number of
   * workers. A request for another number (a later run in the same JVM, as in local mode) replaces
   * it for the tasks that come after; tasks still running keep the one they hold, whose workers end
   * once idle.
   */
  public static DecodeService of(Device device, int workers) {
    int wanted = Math.max(1, workers);
    return DEVICES.compute(
        device.toString(),
        (d, current) -> {
          if (current != null && current.workers == wanted) {
            return current;
          }
          LOG.info("{} decodes with {} workers in this JVM", device, wanted);
          return new DecodeService(d, wanted);
        });
  }

  /** A service of one worker that nobody else shares: for a single caller, as in tests. */
  public static DecodeService unshared(Device device) {
    return new DecodeService(device.toString(), 1);
  }

  public int workers() {
    return workers;
  }

  /**
   * Time in which at least one of this service's jobs (or work {@link #alone}) was running, since
   * the JVM started it.
   */
  public long busyNanos() {
    synchronized (busyLock) {
      return busyNanos + (running > 0 ? System.nanoTime() - busySince : 0);
    }
  }

  /** Forwards that ran batches of more than one submission together. */
  public int mergedForwards() {
    return mergedForwards.get();
  }

  /** The most jobs that ever ran at once (never more than {@link #workers()}). */
  public int mostRunning() {
    synchronized (busyLock) {
      return mostRunning;
    }
  }

  /**
   * Runs {@code work} with the device to itself: waits for the running jobs to end and starts no
   * other until it returns. Callable from a worker (its own job steps aside meanwhile).
   */
  public <T> T alone(Callable<T> work) throws Exception {
    boolean worker = ON_WORKER.get();
    if (worker) {
      turns.readLock().unlock();
    }
    turns.writeLock().lock();
    if (!worker) {
      started(); // the device is busy with the work alone (a worker's job already counts)
    }
    try {
      return work.call();
    } finally {
      if (!worker) {
        ended();
      }
      turns.writeLock().unlock();
      if (worker) {
        turns.readLock().lock();
      }
    }
  }

  /** A task's connection to the service. */
  public Client client(String name) {
    return new Client(name);
  }

  private void started() {
    synchronized (busyLock) {
      if (running++ == 0) {
        busySince = System.nanoTime();
      }
      mostRunning = Math.max(mostRunning, running);
    }
  }

  private void ended() {
    synchronized (busyLock) {
      if (--running == 0) {
        busyNanos += System.nanoTime() - busySince;
      }
    }
  }

  /**
   * Runs batches of several tasks as one: what {@link Client#submit(Object, Object, int, int,
   * MergedRun)} asks of a batch that may share a forward with batches of other tasks.
   *
   * @param <B> a task's batch
   * @param <R> what one batch gives its task
   */
  @FunctionalInterface
  public interface MergedRun<B, R> {
    /** Runs the batches in one go; returns each batch's result, in the order of {@code batches}. */
    List<R> run(List<B> batches) throws Exception;
  }

  /**
   * One batch on the service's queue: it runs on a worker only if its task still waits for it, and,
   * when it has a merge key and is smaller than its largest batch, takes along the batches of the
   * same key queued behind it (of any task) while they fit.
   */
  private final class Job<B, R> implements Runnable {
    private final Client owner;
    private final Object mergeKey;
    private final B batch;
    private final int rows;
    private final int mostRows;
    private final MergedRun<B, R> work;
    private final CompletableFuture<R> result = new CompletableFuture<>();

    Job(Client owner, Object mergeKey, B batch, int rows, int mostRows, MergedRun<B, R> work) {
      this.owner = owner;
      this.mergeKey = mergeKey;
      this.batch = batch;
      this.rows = rows;
      this.mostRows = mostRows;
      this.work = work;
    }

    @Override
    public void run() {
      if (!owner.begin()) {
        return; // the task no longer waits: never decoded
      }
      List<Job<B, R>> together = new ArrayList<>(List.of(this));
      takeMergeable(together);
      turns.readLock().lock();
      started();
      try {
        List<B> batches = new ArrayList<>(together.size());
        together.forEach(job -> batches.add(job.batch));
        if (together.size() > 1) {
          mergedForwards.incrementAndGet();
          LOG.debug(
              "{} batches of {} latents in all run as one on {}",
              together.size(),
              together.stream().mapToInt(job -> job.rows).sum(),
              device);
        }
        List<R> results = work.run(batches);
        for (int i = 0; i < together.size(); i++) {
          together.get(i).result.complete(results.get(i));
        }
      } catch (Throwable e) {
        together.forEach(job -> job.result.completeExceptionally(e));
      } finally {
        ended();
        turns.readLock().unlock();
        together.forEach(job -> job.owner.finish());
      }
    }

    /**
     * Adds to {@code together} the queued batches of this one's key that fit beside it, oldest
     * first, each taken off the queue (so that no other worker runs it) and begun for its task.
     */
    @SuppressWarnings("unchecked")
    private void takeMergeable(List<Job<B, R>> together) {
      if (mergeKey == null || rows >= mostRows) {
        return;
      }
      int total = rows;
      for (Runnable queued : pool.getQueue()) {
        if (!(queued instanceof Job<?, ?> other)
            || !mergeKey.equals(other.mergeKey)
            || total + other.rows > mostRows
            || !pool.remove(queued)) {
          continue;
        }
        if (!other.owner.begin()) {
          continue; // its task closed meanwhile: its future is cancelled
        }
        together.add((Job<B, R>) other);
        total += other.rows;
        if (total >= mostRows) {
          return;
        }
      }
    }
  }

  /**
   * One task's jobs on the service. Submitting is safe from any thread of the task; {@link
   * #close()} once, when the task is done with the service.
   */
  public final class Client implements AutoCloseable {
    private final String name;
    private final List<Job<?, ?>> submitted = new ArrayList<>();
    private final Object lock = new Object();
    private int runningJobs;
    private boolean closed;
    private long firstStartMillis;

    private Client(String name) {
      this.name = name;
    }

    /**
     * Queues {@code work} behind every job already queued on the device; the future holds its
     * result once a worker ran it, or is cancelled if this client closes first.
     */
    public <T> Future<T> submit(Callable<T> work) {
      return submit(null, work, 1, 1, batches -> List.of(batches.get(0).call()));
    }

    /**
     * Queues a batch of {@code rows} rows that a worker may run together with other queued batches
     * of the same {@code mergeKey}, this client's or other tasks', up to {@code mostRows} rows in
     * all: {@code work} (the first batch's) then runs them as one and each task gets its own
     * batch's result. A null key never merges.
     */
    public <B, R> Future<R> submit(
        Object mergeKey, B batch, int rows, int mostRows, MergedRun<B, R> work) {
      Job<B, R> job = new Job<>(this, mergeKey, batch, rows, mostRows, work);
      synchronized (lock) {
        if (closed) {
          throw new IllegalStateException(name + " submitted a batch after it closed");
        }
        submitted.removeIf(j -> j.result.isDone());
        submitted.add(job);
      }
      pool.execute(job);
      return job.result;
    }

    /** When this client's first job started running (epoch milliseconds), or 0 before that. */
    public long firstStartMillis() {
      synchronized (lock) {
        return firstStartMillis;
      }
    }

    private boolean begin() {
      synchronized (lock) {
        if (closed) {
          return false;
        }
        runningJobs++;
        if (firstStartMillis == 0) {
          firstStartMillis = System.currentTimeMillis();
        }
        return true;
      }
    }

    private void finish() {
      synchronized (lock) {
        runningJobs--;
        lock.notifyAll();
      }
    }

    /**
     * Cancels this client's queued jobs and waits for its running ones to end: after this, nothing
     * of the task runs on the device. Not interruptible: a running forward ends within one batch.
     */
    @Override
    public void close() {
      List<Job<?, ?>> queued;
      synchronized (lock) {
        closed = true;
        queued = new ArrayList<>(submitted);
        submitted.clear();
      }
      for (Job<?, ?> job : queued) {
        if (job.result.cancel(false)) {
          pool.remove(job);
        }
      }
      boolean interrupted = false;
      synchronized (lock) {
        while (runningJobs > 0) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
