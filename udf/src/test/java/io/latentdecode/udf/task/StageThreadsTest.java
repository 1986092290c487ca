package io.latentdecode.udf.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StageThreadsTest {
  private static final Integer END = -1;

  @Test
  void itemsPassInOrderThroughTheStages() throws Exception {
    List<Integer> written = new ArrayList<>();
    try (StageThreads stages = new StageThreads("test")) {
      StageThreads.Handoff<Integer> toDouble = stages.handoff(2);
      StageThreads.Handoff<Integer> toWrite = stages.handoff(2);
      stages.start(
          "double",
          () -> {
            for (Integer i = toDouble.take(); !i.equals(END); i = toDouble.take()) {
              toWrite.put(i * 2);
            }
            toWrite.put(END);
          });
      stages.start(
          "write",
          () -> {
            for (Integer i = toWrite.take(); !i.equals(END); i = toWrite.take()) {
              written.add(i);
            }
          });
      for (int i = 0; i < 100; i++) {
        toDouble.put(i);
      }
      toDouble.put(END);
      stages.finish();
    }
    assertThat(written).hasSize(100).startsWith(0, 2, 4).endsWith(198);
  }

  @Test
  void aFullQueueHoldsTheProducerBack() throws Exception {
    AtomicInteger handedOn = new AtomicInteger();
    try (StageThreads stages = new StageThreads("test")) {
      StageThreads.Handoff<Integer> queue = stages.handoff(2);
      Thread producer =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 10; i++) {
                    queue.put(i);
                    handedOn.incrementAndGet();
                  }
                } catch (IOException e) {
                  // stopped
                }
              });
      producer.start();
      Thread.sleep(300);
      assertThat(handedOn.get()).isEqualTo(2);
      queue.take();
      Thread.sleep(200);
      assertThat(handedOn.get()).isEqualTo(3);
      stages.fail(new IllegalStateException("done"));
      producer.join();
    }
  }

  @Test
  void aFailingStageStopsTheOthersAndItsFailureReachesTheTask() throws Exception {
    try (StageThreads stages = new StageThreads("test")) {
      StageThreads.Handoff<Integer> queue = stages.handoff(1);
      stages.start(
          "decode",
          () -> {
            queue.take();
            throw new IOException("the decoder broke");
          });
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 1_000; i++) {
                  queue.put(i); // blocks once the stage died, until the stop is seen
                }
              })
          .isInstanceOf(StageThreads.Stopped.class);
      assertThatThrownBy(stages::finish)
          .isInstanceOf(IOException.class)
          .hasMessage("the decoder broke");
    }
  }
}
