package io.latentdecode.udf.output;

import io.latentdecode.udf.contract.OutputLayout;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.OutputCommitter;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.apache.spark.TaskContext;
import org.apache.spark.mapred.SparkHadoopMapRedUtil;

/**
 * Publishes one task attempt's staged files into the output, through Spark's output commit
 * coordination: when attempts of a partition race (speculation), the driver authorises exactly one
 * to publish, the others get a {@code CommitDeniedException} and their files are removed with their
 * attempt folder.
 *
 * <p>Published names depend only on partition, run and chunk, so a retry after an attempt that
 * published and then died replaces that attempt's files instead of adding to them; whatever such an
 * attempt left beyond the retry's files is swept by the driver's run commit, which keeps only
 * reported files.
 *
 * <p>The task's {@link TaskManifest} is published last: it is what makes the task's files
 * committed. On HDFS and local file systems a rename is atomic; on object stores (S3A copies) each
 * object still appears whole, and readers that follow the manifests never see a file that no
 * manifest names.
 */
public final class TaskFilesCommitter extends OutputCommitter {
  private final FileSystem fs;
  private final Path output;
  private final Path attemptDir;
  private final List<StagedFile> files;
  private final TaskManifest manifest;

  public TaskFilesCommitter(
      FileSystem fs, Path output, Path attemptDir, List<StagedFile> files, TaskManifest manifest) {
    this.fs = fs;
    this.output = output;
    this.attemptDir = attemptDir;
    this.files = List.copyOf(files);
    this.manifest = manifest;
  }

  /**
   * Publishes through Spark's commit coordinator; throws {@code CommitDeniedException} if another
   * attempt won.
   */
  public void commit(TaskContext task) {
    TaskAttemptID id =
        new TaskAttemptID(
            "latent-decode",
            task.stageId(),
            TaskType.MAP,
            task.partitionId(),
            task.attemptNumber());
    TaskAttemptContext context = new TaskAttemptContextImpl(fs.getConf(), id);
    SparkHadoopMapRedUtil.commitTask(this, context, task.stageId(), task.partitionId());
  }

  @Override
  public boolean needsTaskCommit(TaskAttemptContext context) {
    return true;
  }

  @Override
  public void commitTask(TaskAttemptContext context) throws IOException {
    for (StagedFile file : files) {
      Path target = new Path(output, file.publishedName());
      fs.mkdirs(target.getParent());
      if (fs.exists(target)) {
        fs.delete(target, false);
      }
      if (!fs.rename(file.staged(), target)) {
        throw new IOException(
            "Cannot publish " + file.staged() + " as " + target + ": rename failed");
      }
    }
    manifest.publish(
        fs, attemptDir, OutputLayout.taskManifest(output, manifest.runId(), manifest.partition()));
    fs.delete(attemptDir, true);
  }

  @Override
  public void abortTask(TaskAttemptContext context) throws IOException {
    fs.delete(attemptDir, true);
  }

  @Override
  public void setupJob(JobContext jobContext) {}

  @Override
  public void setupTask(TaskAttemptContext taskContext) {}
}
