package io.latentdecode.udf.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeviceAdmissionTest {
  @Test
  void aGpuAdmitsOneForwardAndACpuAsManyAsItsCoresHoldThreadPools() {
    assertThat(DeviceAdmission.defaultPermits(true, 16, 1)).isEqualTo(1);
    assertThat(DeviceAdmission.defaultPermits(false, 8, 2)).isEqualTo(4);
    assertThat(DeviceAdmission.defaultPermits(false, 2, 4)).isEqualTo(1);
  }

  @Test
  void noMoreForwardsRunAtOnceThanThePermits() throws Exception {
    DeviceAdmission admission = DeviceAdmission.of(Device.cpu(), 2);
    assertThat(DeviceAdmission.of(Device.cpu(), 2)).isSameAs(admission);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Thread> tasks = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 5; i++) {
                  DeviceAdmission.Permit turn = admission.enter();
                  most.accumulateAndGet(running.incrementAndGet(), Math::max);
                  sleep(5);
                  running.decrementAndGet();
                  turn.close();
                }
              });
      tasks.add(thread);
      thread.start();
    }
    for (Thread t : tasks) {
      t.join();
    }
    assertThat(most.get()).isEqualTo(2);
  }

  @Test
  void aMeasurementAloneWaitsForTheRunningForwards() throws Exception {
    DeviceAdmission admission = DeviceAdmission.of(Device.cpu(), 3);
    AtomicInteger running = new AtomicInteger();
    DeviceAdmission.Permit held = admission.enter();
    running.incrementAndGet();
    AtomicInteger seenAlone = new AtomicInteger(-1);
    Thread alone =
        new Thread(
            () -> {
              DeviceAdmission.Permit all = admission.enterAlone();
              seenAlone.set(running.get());
              all.close();
            });
    alone.start();
    sleep(100);
    assertThat(seenAlone.get()).as("entered while a forward ran").isEqualTo(-1);
    running.decrementAndGet();
    held.close();
    alone.join();
    assertThat(seenAlone.get()).isZero();
  }

  @Test
  void anotherRequestReplacesTheAdmissionForLaterTasks() {
    DeviceAdmission two = DeviceAdmission.of(Device.gpu(7), 2);
    DeviceAdmission one = DeviceAdmission.of(Device.gpu(7), 1);
    assertThat(one).isNotSameAs(two);
    assertThat(one.permits()).isEqualTo(1);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
