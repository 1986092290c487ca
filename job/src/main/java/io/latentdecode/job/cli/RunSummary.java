package io.latentdecode.job.cli;

import io.latentdecode.job.RunResult;
import io.latentdecode.udf.contract.OutputFormat;
import java.io.PrintWriter;
import java.util.Map;

/** The few lines a finished run prints: counts, speed, and where to look. */
public final class RunSummary {
  private RunSummary() {}

  public static void print(PrintWriter out, RunResult result) {
    Map<String, Object> f = result.report().fields();
    Map<?, ?> counts = (Map<?, ?>) f.get("counts");
    out.printf(
        "Run %s committed: %s images, %s errors in %s s (%s images/s)%n",
        result.runId(),
        counts.get("images"),
        counts.get("errors"),
        f.get("duration_seconds"),
        f.get("images_per_second"));
    long skipped = ((Number) counts.get("skipped_committed_inputs")).longValue();
    if (skipped > 0 && ((Number) counts.get("rows")).longValue() == 0) {
      out.printf("Nothing to decode: all %d inputs were committed by earlier runs%n", skipped);
    } else if (skipped > 0) {
      out.printf("Resumed: skipped %d inputs that earlier runs committed%n", skipped);
    }
    long redecoded = ((Number) counts.get("fp32_redecoded")).longValue();
    long tiled = ((Number) counts.get("tiled_images")).longValue();
    if (tiled > 0) {
      out.printf("%d images decoded in tiles%n", tiled);
    }
    if (redecoded > 0) {
      out.printf(
          "%d images overflowed in %s and were decoded again in fp32%n",
          redecoded, ((Map<?, ?>) f.get("settings")).get("precision"));
    }
    OutputFormat format =
        OutputFormat.parse(String.valueOf(((Map<?, ?>) f.get("output")).get("format")));
    out.printf(
        "Images: %s (%s files)%nReport: %s (and the page %s)%n",
        result.output(),
        format.title(),
        result.reportPath(),
        result.reportPath().getName().replace(".json", ".html"));
    if (((Number) counts.get("errors")).longValue() > 0) {
      out.printf("Quarantined rows: %s/_errors/ (id, error_kind, message)%n", result.output());
    }
    out.flush();
  }
}
