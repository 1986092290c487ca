package io.latentdecode.job.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.contract.InputFile;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TaskSizingTest {
  @Test
  void manyTinyFilesPackIntoAFewTasksPerSlotInListingOrder() {
    List<InputFile> files = files(20_000, 1_200);

    List<List<InputFile>> tasks = TaskSizing.pack(files, 2, OptionalInt.empty());

    assertThat(tasks).hasSize(2 * TaskSizing.TASKS_PER_SLOT);
    assertThat(tasks.stream().flatMap(List::stream).toList()).isEqualTo(files);
    assertThat(tasks).allSatisfy(t -> assertThat(t.size()).isBetween(2_400, 2_600));
  }

  @Test
  void aSmallInputIsNotCutBelowTheSmallestTask() {
    List<InputFile> files = files(40, 16_000);

    assertThat(TaskSizing.pack(files, 8, OptionalInt.empty())).hasSize(1);
  }

  @Test
  void aLargeInputIsCutIntoTasksOfAtMostTheLargestSize() {
    long work = 100L * TaskSizing.MAX_TASK_BYTES;

    assertThat(TaskSizing.tasksFor(work, 2)).isEqualTo(100);
  }

  @Test
  void aRequestedNumberOfTasksIsKeptAndBalancedByBytes() {
    List<InputFile> files = new ArrayList<>(files(30, 1_000));
    files.add(new InputFile("file:/in/big.npy", 50L << 20));
    files.addAll(files(30, 1_000));

    List<List<InputFile>> tasks = TaskSizing.pack(files, 2, OptionalInt.of(3));

    assertThat(tasks).hasSize(3).allSatisfy(t -> assertThat(t).isNotEmpty());
    assertThat(tasks.stream().mapToInt(List::size).sum()).isEqualTo(61);
  }

  @Test
  void noFilesMeansNoTasks() {
    assertThat(TaskSizing.pack(List.of(), 2, OptionalInt.empty())).isEmpty();
  }

  private static List<InputFile> files(int count, long length) {
    List<InputFile> files = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      files.add(new InputFile(String.format("file:/in/%06d.npy", i), length));
    }
    return files;
  }
}
