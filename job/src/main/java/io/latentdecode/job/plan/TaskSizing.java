package io.latentdecode.job.plan;

import io.latentdecode.udf.contract.InputFile;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * How much input each task gets, whatever the input's layout: about {@value #TASKS_PER_SLOT} tasks
 * per slot so that the last tasks of a run are short, but none smaller than {@link #MIN_TASK_BYTES}
 * (output files of a useful size) nor larger than {@link #MAX_TASK_BYTES}. A file also costs {@link
 * #OPEN_COST_BYTES} to open, so that many tiny files pack into few tasks.
 */
public final class TaskSizing {
  public static final int TASKS_PER_SLOT = 4;
  public static final long OPEN_COST_BYTES = 64L << 10;
  public static final long MIN_TASK_BYTES = 4L << 20;
  public static final long MAX_TASK_BYTES = 256L << 20;

  private TaskSizing() {}

  /** The number of tasks for {@code work} bytes of input on {@code slots} task slots. */
  public static int tasksFor(long work, int slots) {
    long wanted = (long) Math.max(1, slots) * TASKS_PER_SLOT;
    long perTask = Math.min(MAX_TASK_BYTES, Math.max(MIN_TASK_BYTES, (work + wanted - 1) / wanted));
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (work + perTask - 1) / perTask));
  }

  /**
   * The files, in their listing order, cut into consecutive runs of about equal work: {@code tasks}
   * of them when given, else {@link #tasksFor} the files' work.
   */
  public static List<List<InputFile>> pack(List<InputFile> files, int slots, OptionalInt tasks) {
    long work = 0;
    for (InputFile f : files) {
      work += f.length() + OPEN_COST_BYTES;
    }
    int n = Math.min(files.size(), tasks.orElse(tasksFor(work, slots)));
    List<List<InputFile>> packed = new ArrayList<>();
    List<InputFile> current = new ArrayList<>();
    long done = 0;
    for (InputFile f : files) {
      current.add(f);
      done += f.length() + OPEN_COST_BYTES;
      // close task k once the files so far reach k/n of the work
      if (done * n >= work * (packed.size() + 1) && packed.size() < n - 1) {
        packed.add(current);
        current = new ArrayList<>();
      }
    }
    if (!current.isEmpty()) {
      packed.add(current);
    }
    return packed;
  }
}
