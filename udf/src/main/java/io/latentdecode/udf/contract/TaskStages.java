package io.latentdecode.udf.contract;

import java.util.List;

/**
 * The stages of a task whose busy time the task reports ({@link TaskReport#nanosByStage()}), in the
 * order work flows through them.
 */
public final class TaskStages {
  public static final String READ = "read";
  public static final String BATCH_SIZING = "batch_sizing";
  public static final String PREPROCESS = "preprocess";
  public static final String WAIT_FOR_DEVICE = "wait_for_device";
  public static final String FORWARD = "forward";
  public static final String POSTPROCESS = "postprocess";
  public static final String ENCODE = "encode";
  public static final String WRITE = "write";
  public static final String PUBLISH = "publish";

  public static final List<String> ORDER =
      List.of(
          READ,
          BATCH_SIZING,
          PREPROCESS,
          WAIT_FOR_DEVICE,
          FORWARD,
          POSTPROCESS,
          ENCODE,
          WRITE,
          PUBLISH);

  private TaskStages() {}
}
