package io.latentdecode.udf.contract;

import java.io.Serializable;

/**
 * How many thumbnails each task makes for the run page's contact sheet of {@code images}: the first
 * tasks (by partition) make enough for the sheet between them, the others none, so that the driver
 * gets a bounded number whatever the run's size and never reads images back to show them.
 *
 * @param images the thumbnails the sheet shows
 * @param partitions the run's tasks
 */
public record ContactSheet(int images, int partitions) implements Serializable {
  /** Thumbnails of the first images of this partition. */
  public int forPartition(int partition) {
    int tasks = Math.max(1, Math.min(partitions, images));
    return partition < tasks ? (images + tasks - 1) / tasks : 0;
  }
}
