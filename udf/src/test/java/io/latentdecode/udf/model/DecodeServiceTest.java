package io.latentdecode.udf.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The decode service of a device: its workers serve every task's batches from one queue, never run
 * more at once than there are workers, return each result to its own task in order, drop a closed
 * task's queued batches without running them, and give {@code alone} work the device to itself.
 */
class DecodeServiceTest {
  @Test
  void aGpuGetsOneWorkerAndACpuOnePerIntraOpPoolItsCoresHold() {
    assertThat(DecodeService.defaultWorkers(true, 16, 1)).isEqualTo(1);
    assertThat(DecodeService.defaultWorkers(false, 8, 2)).isEqualTo(4);
    assertThat(DecodeService.defaultWorkers(false, 2, 4)).isEqualTo(1);
  }

  @Test
  void tasksShareOneServicePerDeviceAndWorkerCount() {
    DecodeService two = DecodeService.of(Device.gpu(7), 2);

    assertThat(DecodeService.of(Device.gpu(7), 2)).isSameAs(two);
    assertThat(DecodeService.of(Device.gpu(7), 1).workers()).isEqualTo(1);
  }

  @Test
  void neverRunsMoreJobsAtOnceThanItsWorkersAndReturnsEachTasksResultsInOrder() throws Exception {
    DecodeService service = DecodeService.of(Device.cpu(), 2);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<DecodeService.Client> clients = new ArrayList<>();
    List<List<Future<String>>> results = new ArrayList<>();
    for (int task = 0; task < 5; task++) {
      DecodeService.Client client = service.client("task-" + task);
      clients.add(client);
      List<Future<String>> futures = new ArrayList<>();
      for (int batch = 0; batch < 6; batch++) {
        String name = task + "/" + batch;
        futures.add(
            client.submit(
                () -> {
                  most.accumulateAndGet(running.incrementAndGet(), Math::max);
                  Thread.sleep(3);
                  running.decrementAndGet();
                  return name;
                }));
      }
      results.add(futures);
    }

    for (int task = 0; task < 5; task++) {
      for (int batch = 0; batch < 6; batch++) {
        assertThat(results.get(task).get(batch).get(10, TimeUnit.SECONDS))
            .isEqualTo(task + "/" + batch);
      }
      clients.get(task).close();
    }
    assertThat(most.get()).isEqualTo(2);
    assertThat(service.mostRunning()).isLessThanOrEqualTo(2);
    assertThat(service.busyNanos()).isGreaterThan(0);
  }

  @Test
  void aClosedTasksQueuedBatchesAreNeverRun() throws Exception {
    DecodeService service = DecodeService.unshared(Device.cpu());
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    DecodeService.Client busy = service.client("busy");
    DecodeService.Client killed = service.client("killed");
    Future<String> blocking =
        busy.submit(
            () -> {
              started.countDown();
              release.await();
              return "done";
            });
    started.await();
    AtomicInteger ranForKilled = new AtomicInteger();
    List<Future<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queued.add(killed.submit(ranForKilled::incrementAndGet));
    }
    Future<String> after = busy.submit(() -> "after");

    killed.close(); // nothing of it runs: its batches were all queued
    release.countDown();

    assertThat(blocking.get(10, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo("after");
    assertThat(ranForKilled.get()).isZero();
    for (Future<Integer> f : queued) {
      assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
    }
    assertThatThrownBy(() -> killed.submit(() -> 1)).isInstanceOf(IllegalStateException.class);
    busy.close();
  }

  @Test
  void closingWaitsForTheTasksRunningBatch() throws Exception {
    DecodeService service = DecodeService.unshared(Device.cpu());
    DecodeService.Client client = service.client("task");
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger finished = new AtomicInteger();
    client.submit(
        () -> {
          started.countDown();
          Thread.sleep(100);
          return finished.incrementAndGet();
        });
    started.await();

    client.close();

    assertThat(finished.get()).isEqualTo(1);
    assertThat(client.firstStartMillis()).isPositive();
  }

  @Test
  void aloneWaitsForRunningJobsAndHoldsOthersBack() throws Exception {
    DecodeService service = DecodeService.of(Device.cpu(), 3);
    DecodeService.Client client = service.client("task");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    client.submit(
        () -> {
          running.incrementAndGet();
          started.countDown();
          release.await();
          running.decrementAndGet();
          return 0;
        });
    started.await();
    List<Integer> seenAlone = new ArrayList<>();
    Thread probe =
        new Thread(
            () -> {
              try {
                seenAlone.add(service.alone(running::get));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    probe.start();
    Thread.sleep(50);
    assertThat(seenAlone).isEmpty(); // still waiting for the running job
    release.countDown();
    probe.join(10_000);

    assertThat(seenAlone).containsExactly(0);
    client.close();
  }
}
