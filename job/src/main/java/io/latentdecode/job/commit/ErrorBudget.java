package io.latentdecode.job.commit;

import io.latentdecode.job.RunFailedException;
import io.latentdecode.udf.contract.TaskReport;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code --max-error-fraction}: a run whose quarantined share of rows is above it is not committed.
 * Bad rows are expected in small numbers; many of them usually mean a wrong setting (another
 * model's latents, a wrong dtype), and committing such a run would hide it.
 */
public final class ErrorBudget {
  public static final double DEFAULT = 0.01;

  private ErrorBudget() {}

  /**
   * @throws RunFailedException when the run's errors exceed the budget
   */
  public static void check(List<TaskReport> reports, double maxErrorFraction, String errorsKeptAt) {
    long images = reports.stream().mapToLong(TaskReport::images).sum();
    Map<String, Long> byKind = new TreeMap<>();
    reports.forEach(r -> r.errorsByKind().forEach((k, v) -> byKind.merge(k, v, Long::sum)));
    long errors = byKind.values().stream().mapToLong(Long::longValue).sum();
    long rows = images + errors;
    if (rows == 0 || (double) errors / rows <= maxErrorFraction) {
      return;
    }
    String common =
        byKind.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .limit(3)
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", "));
    throw new RunFailedException(
        String.format(
            "%d of %d rows (%.1f%%) were quarantined, above --max-error-fraction %s; most common:"
                + " %s. Nothing was committed; the quarantined rows are in %s. Fix the input or"
                + " the settings, or raise --max-error-fraction",
            errors, rows, 100.0 * errors / rows, maxErrorFraction, common, errorsKeptAt));
  }
}
