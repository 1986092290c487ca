package io.latentdecode.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a benchmark row's command reads from {@code /proc}: its CPU time against its wall time. */
class ChildRunTest {
  @TempDir Path work;

  @Test
  void countsTheCpuTimeOfABusyCommandAndNotOfAnIdleOne() throws Exception {
    ChildRun busy =
        ChildRun.of(
            work,
            List.of(
                "/bin/sh", "-c", "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done; sleep 0.3"));
    ChildRun idle = ChildRun.of(work, List.of("/bin/sh", "-c", "sleep 1"));

    assertThat(busy.cpuSeconds()).isGreaterThan(0.1).isLessThan(busy.seconds());
    // the busy loop's CPU is read while the command still sleeps after it
    assertThat(busy.seconds() - busy.cpuSeconds()).isGreaterThan(0.2);
    assertThat(idle.cpuSeconds()).isLessThan(0.1);
    assertThat(idle.seconds()).isGreaterThan(0.9);
  }
}
