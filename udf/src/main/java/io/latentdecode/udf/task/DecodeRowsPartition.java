package io.latentdecode.udf.task;

import io.latentdecode.udf.contract.RunMetrics;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.output.ArrowAllocators;
import java.util.Iterator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The executor side of a DataFrame decode ({@code LatentDecode.decode}), one call per partition:
 * the same decode loop as a run's tasks (the executor's shared decoder and decode service,
 * micro-batches, inference mode, the fp32 fallback, OOM splits, quarantine), whose images and
 * quarantined rows become the partition's output rows instead of files. The loop runs on its own
 * thread, at most {@link #ROWS_AHEAD} rows ahead of the query's next step; when the task ends (also
 * early, as under {@code limit}) it stops and the task waits for it before Spark frees the task's
 * input.
 */
public final class DecodeRowsPartition
    implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;

  /** Decoded rows waiting for the consumer, at most. */
  static final int ROWS_AHEAD = 64;

  private final Broadcast<TaskPlan> broadcastPlan;
  private final RunMetrics metrics;

  public DecodeRowsPartition(Broadcast<TaskPlan> plan, RunMetrics metrics) {
    this.broadcastPlan = plan;
    this.metrics = metrics;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> input) throws Exception {
    TaskPlan plan = broadcastPlan.value();
    TaskContext task = TaskContext.get();
    String name = "rows-p" + task.partitionId() + "-a" + task.attemptNumber();
    DecodedRowQueue rows = new DecodedRowQueue(plan.carriedColumns(), ROWS_AHEAD, task);
    BufferAllocator allocator = ArrowAllocators.forTask(name);
    TaskDecoding decoding;
    try {
      decoding = new TaskDecoding(plan, task, plan.hadoopConf().get());
    } catch (RuntimeException | Error e) {
      allocator.close();
      throw e;
    }
    Thread loop =
        new Thread(
            () -> decodeAll(task, name, input, rows, allocator, decoding), "latent-decode-" + name);
    loop.setDaemon(true);
    task.addTaskCompletionListener(
        (TaskContext ended) -> {
          rows.cancel();
          try {
            loop.join(); // the input's rows stay valid until the loop stopped reading them
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    loop.start();
    return rows;
  }

  private void decodeAll(
      TaskContext task,
      String name,
      Iterator<InternalRow> input,
      DecodedRowQueue rows,
      BufferAllocator allocator,
      TaskDecoding decoding) {
    scala.Function0<Object> work =
        () -> {
          try (allocator;
              decoding) {
            decoding
                .loop(name, allocator, rows, rows, new StageClock(), metrics, 0)
                .decodeAll(input);
            rows.finish();
          } catch (Throwable t) {
            rows.fail(t);
          }
          return null;
        };
    TaskContext.withTaskContext(task, work); // the input's readers look up their task
  }
}
