package io.latentdecode.udf.contract;

import java.io.Serializable;

/**
 * When a task ran and how busy its device was meanwhile: what the run report turns into time to
 * first forward and device utilisation per executor.
 *
 * @param startMillis when the task started (epoch milliseconds)
 * @param endMillis when it ended
 * @param firstForwardMillis when its first batch started on the device, or 0 if none did
 * @param busyAtStartNanos the device's decode service's busy time (at least one forward running)
 *     when the task started
 * @param busyAtEndNanos the same when it ended
 */
public record DeviceTimeline(
    long startMillis,
    long endMillis,
    long firstForwardMillis,
    long busyAtStartNanos,
    long busyAtEndNanos)
    implements Serializable {
  public static final DeviceTimeline NONE = new DeviceTimeline(0, 0, 0, 0, 0);
}
