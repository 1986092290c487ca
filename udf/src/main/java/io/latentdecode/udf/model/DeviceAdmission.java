package io.latentdecode.udf.model;

import ai.djl.Device;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many forward passes may run at once on one device of this executor JVM. The tasks of an
 * executor share its decoders; without a limit, N concurrent tasks would each claim the memory
 * budget of a GPU, or run N x (intra-op threads) CPU threads on fewer cores. A GPU admits one
 * forward at a time by default (the tasks' pipelines keep it fed); a CPU admits as many as its
 * cores hold PyTorch intra-op pools.
 */
public final class DeviceAdmission {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceAdmission.class);
  private static final Map<String, DeviceAdmission> DEVICES = new ConcurrentHashMap<>();

  private final int permits;
  private final Semaphore semaphore;

  private DeviceAdmission(int permits) {
    this.permits = permits;
    this.semaphore = new Semaphore(permits, true);
  }

  /**
   * The default number of concurrent forwards on a device.
   *
   * @param cores the executor's cores
   * @param intraOpThreads PyTorch's intra-op threads per forward
   */
  public static int defaultPermits(boolean gpu, int cores, int intraOpThreads) {
    return gpu ? 1 : Math.max(1, cores / Math.max(1, intraOpThreads));
  }

  /**
   * This JVM's admission for the device, shared by the tasks that ask with the same {@code
   * permits}. A request for another number (a later run in the same JVM, as in local mode) replaces
   * it for the tasks that come after; tasks still running keep the one they hold.
   */
  public static DeviceAdmission of(Device device, int permits) {
    int wanted = Math.max(1, permits);
    return DEVICES.compute(
        device.toString(),
        (d, current) -> {
          if (current != null && current.permits == wanted) {
            return current;
          }
          LOG.info("{} admits {} concurrent decodes in this JVM", device, wanted);
          return new DeviceAdmission(wanted);
        });
  }

  /** An admission of one turn that nobody else shares: for a single caller, as in tests. */
  public static DeviceAdmission unshared() {
    return new DeviceAdmission(1);
  }

  public int permits() {
    return permits;
  }

  /**
   * Waits for a turn on the device; close the permit when the forward is done. The wait is not
   * interruptible: it lasts at most until another task's forward ends, and a forward must not fail
   * half-way for a kill that is handled when it returns.
   */
  public Permit enter() {
    semaphore.acquireUninterruptibly();
    return new Permit(1);
  }

  /** Waits until nothing else runs on the device: for measurements that need it alone. */
  public Permit enterAlone() {
    semaphore.acquireUninterruptibly(permits);
    return new Permit(permits);
  }

  /** A turn on the device. */
  public final class Permit implements AutoCloseable {
    private final int count;
    private boolean released;

    private Permit(int count) {
      this.count = count;
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        semaphore.release(count);
      }
    }
  }
}
