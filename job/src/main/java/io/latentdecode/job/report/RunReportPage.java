package io.latentdecode.job.report;

import static org.apache.commons.text.StringEscapeUtils.escapeHtml4;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.udf.contract.Thumbnail;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * {@code _runs/<run-id>.html}: the run report as one self-contained page (no scripts, fonts or
 * images from elsewhere): the summary, a bar chart of where the tasks' time went, the executors,
 * the errors, and a contact sheet of the run's first images, so that a person sees at a glance
 * whether the decoder made sensible pictures.
 */
public final class RunReportPage {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BAR_WIDTH = 520;

  private RunReportPage() {}

  public static byte[] html(Map<String, Object> reportFields, ReportSamples samples) {
    JsonNode r = JSON.valueToTree(reportFields);
    StringBuilder h = new StringBuilder(64 * 1024);
    String runId = r.path("run_id").asText();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<link rel=\"icon\" href=\"data:,\">\n")
        .append("<title>latent-decode run ")
        .append(esc(runId))
        .append("</title>\n<style>\n")
        .append(STYLE)
        .append("</style></head><body>\n");
    summary(h, r);
    stages(h, r.path("task_seconds_by_stage"));
    executors(h, r.path("executors"));
    errors(h, r, samples);
    contactSheet(h, r, samples);
    h.append("<footer>latent-decode · Spark ")
        .append(esc(r.at("/spark/version").asText()))
        .append(" · ")
        .append(esc(r.at("/spark/master").asText()))
        .append(" · ")
        .append(esc(r.at("/spark/application_id").asText()))
        .append("</footer>\n</body></html>\n");
    return h.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void summary(StringBuilder h, JsonNode r) {
    JsonNode c = r.path("counts");
    h.append("<h1>Run <code>")
        .append(esc(r.path("run_id").asText()))
        .append("</code> <span class=\"status ")
        .append(r.path("status").asText().equals("succeeded") ? "ok" : "bad")
        .append("\">")
        .append(esc(r.path("status").asText()))
        .append("</span></h1>\n<div class=\"cards\">\n");
    card(h, "images", c.path("images").asText());
    card(h, "errors", c.path("errors").asText());
    card(h, "images/s", fmt(r.path("images_per_second").asDouble()));
    card(h, "duration", fmt(r.path("duration_seconds").asDouble()) + " s");
    card(
        h,
        "to first forward",
        r.has("time_to_first_forward_seconds")
            ? fmt(r.path("time_to_first_forward_seconds").asDouble()) + " s"
            : "none");
    card(h, "tasks", c.path("tasks").asText());
    card(h, "OOM splits", c.path("oom_splits").asText());
    h.append("</div>\n<table class=\"facts\">\n");
    fact(h, "input", r.at("/input/uri").asText() + " (" + r.at("/input/format").asText() + ")");
    fact(
        h,
        "output",
        r.at("/output/uri").asText()
            + " ("
            + r.at("/output/format").asText("arrow")
            + " files, mode "
            + r.at("/output/mode").asText()
            + ")");
    fact(h, "model", r.at("/model/uri").asText());
    fact(h, "model sha256", r.at("/model/sha256").asText());
    fact(h, "started", r.path("started_at").asText());
    fact(h, "finished", r.path("finished_at").asText());
    StringBuilder settings = new StringBuilder();
    r.path("settings")
        .properties()
        .forEach(
            e -> {
              if (settings.length() > 0) {
                settings.append(", ");
              }
              settings.append(e.getKey()).append('=').append(text(e.getValue()));
            });
    fact(h, "settings", settings.toString());
    StringBuilder counts = new StringBuilder();
    c.properties()
        .forEach(
            e -> {
              if (!e.getValue().isContainerNode()) {
                if (counts.length() > 0) {
                  counts.append(", ");
                }
                counts.append(e.getKey()).append('=').append(e.getValue().asText());
              }
            });
    fact(h, "counts", counts.toString());
    h.append("</table>\n");
  }

  private static void stages(StringBuilder h, JsonNode stages) {
    double max = 0;
    for (JsonNode v : stages) {
      max = Math.max(max, v.asDouble());
    }
    h.append("<h2>Where the tasks' time went</h2>\n")
        .append("<p class=\"note\">Seconds summed over tasks; the stages of a task overlap (each")
        .append(" runs on its own thread), so they add up to more than the run's duration.</p>\n");
    int rows = stages.size();
    int rowHeight = 26;
    h.append("<svg class=\"chart\" role=\"img\" aria-label=\"seconds per stage\" width=\"")
        .append(BAR_WIDTH + 260)
        .append("\" height=\"")
        .append(rows * rowHeight + 10)
        .append("\">\n");
    int y = 5;
    for (Map.Entry<String, JsonNode> e : stages.properties()) {
      double seconds = e.getValue().asDouble();
      int width = max > 0 ? (int) Math.round(BAR_WIDTH * seconds / max) : 0;
      h.append("<text x=\"0\" y=\"")
          .append(y + 17)
          .append("\">")
          .append(esc(e.getKey()))
          .append("</text><rect x=\"150\" y=\"")
          .append(y + 3)
          .append("\" width=\"")
          .append(Math.max(width, 1))
          .append("\" height=\"18\" rx=\"3\"/><text x=\"")
          .append(158 + width)
          .append("\" y=\"")
          .append(y + 17)
          .append("\">")
          .append(fmt(seconds))
          .append(" s</text>\n");
      y += rowHeight;
    }
    h.append("</svg>\n");
  }

  private static void executors(StringBuilder h, JsonNode executors) {
    h.append("<h2>Executors</h2>\n<table><tr><th>executor</th><th>JVM</th><th>device</th>")
        .append("<th>precision</th><th>tasks</th><th>images</th><th>images/s</th>")
        .append(
            "<th>peak memory</th><th>device busy</th><th>decodes per device</th><th>batch sizes</th><th>batch size search (forward images/s by size)</th></tr>\n");
    for (JsonNode e : executors) {
      h.append("<tr><td>")
          .append(esc(e.path("executor_id").asText()))
          .append("</td><td>")
          .append(esc(e.path("jvm").asText()))
          .append("</td><td>")
          .append(esc(e.path("device").asText()))
          .append("</td><td>")
          .append(esc(e.path("precision").asText()))
          .append("</td><td class=\"n\">")
          .append(e.path("tasks").asText())
          .append("</td><td class=\"n\">")
          .append(e.path("images").asText())
          .append("</td><td class=\"n\">")
          .append(fmt(e.path("images_per_second").asDouble()))
          .append("</td><td class=\"n\">")
          .append(e.path("peak_rss_mb").asLong())
          .append(" MB</td><td class=\"n\">")
          .append(Math.round(e.path("device_utilisation").asDouble() * 100))
          .append("%</td><td class=\"n\">")
          .append(e.path("decodes_per_device").asText())
          .append("</td><td>")
          .append(esc(text(e.path("batch_sizes"))))
          .append("</td><td>")
          .append(esc(searchText(e.path("batch_size_search"))))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void errors(StringBuilder h, JsonNode r, ReportSamples samples) {
    JsonNode byKind = r.at("/counts/errors_by_kind");
    h.append("<h2>Errors</h2>\n");
    if (byKind.isEmpty()) {
      h.append("<p>No row was quarantined.</p>\n");
      return;
    }
    h.append("<table><tr><th>kind</th><th>rows</th></tr>\n");
    byKind
        .properties()
        .forEach(
            e ->
                h.append("<tr><td>")
                    .append(esc(e.getKey()))
                    .append("</td><td class=\"n\">")
                    .append(e.getValue().asText())
                    .append("</td></tr>\n"));
    h.append("</table>\n<h3>First quarantined rows (all are in <code>_errors/</code>)</h3>\n")
        .append("<table><tr><th>id</th><th>kind</th><th>why</th></tr>\n");
    for (ReportSamples.ErrorRow e : samples.errors()) {
      h.append("<tr><td><code>")
          .append(esc(e.id()))
          .append("</code></td><td>")
          .append(esc(e.kind()))
          .append("</td><td>")
          .append(esc(e.message()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void contactSheet(StringBuilder h, JsonNode r, ReportSamples samples) {
    h.append("<h2>Sample images</h2>\n<p class=\"note\">")
        .append(samples.thumbnails().size())
        .append(" of the run's ")
        .append(r.at("/counts/images").asLong())
        .append(" images (the first of its first tasks), scaled to fit ")
        .append(ReportSamples.THUMBNAIL_SIDE)
        .append(" pixels.</p>\n<div class=\"sheet\">\n");
    for (Thumbnail t : samples.thumbnails()) {
      h.append("<figure><img alt=\"")
          .append(esc(t.id()))
          .append("\" src=\"data:image/png;base64,")
          .append(t.pngBase64())
          .append("\"><figcaption><code>")
          .append(esc(t.id()))
          .append("</code><br>")
          .append(t.width())
          .append("x")
          .append(t.height())
          .append(" ")
          .append(esc(t.format()))
          .append("</figcaption></figure>\n");
    }
    h.append("</div>\n");
  }

  private static void card(StringBuilder h, String label, String value) {
    h.append("<div class=\"card\"><div class=\"v\">")
        .append(esc(value))
        .append("</div><div class=\"l\">")
        .append(esc(label))
        .append("</div></div>\n");
  }

  private static void fact(StringBuilder h, String label, String value) {
    h.append("<tr><th>")
        .append(esc(label))
        .append("</th><td>")
        .append(esc(value))
        .append("</td></tr>\n");
  }

  /** {@code --batch-size auto}'s measurements, one shape after another. */
  private static String searchText(JsonNode searched) {
    StringBuilder text = new StringBuilder();
    searched
        .properties()
        .forEach(
            shape -> {
              JsonNode s = shape.getValue();
              text.append(text.length() == 0 ? "" : "; ")
                  .append(shape.getKey())
                  .append(": ")
                  .append(s.path("forward_images_per_second").toString())
                  .append(s.path("settled").asBoolean() ? " chose " : " measuring ")
                  .append(s.path("chosen").asInt())
                  .append(", cost ")
                  .append(fmt(s.path("cost_seconds").asDouble()))
                  .append(" s");
            });
    return text.length() == 0 ? "fixed" : text.toString();
  }

  private static String text(JsonNode node) {
    return node.isValueNode() ? node.asText() : node.toString();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  }

  private static String esc(String s) {
    return escapeHtml4(s);
  }

  private static final String STYLE =
      """
      body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px;
             color: #1d2330; padding: 0 16px; }
      h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; } h3 { font-size: 15px; }
      code { font: 12px ui-monospace, monospace; }
      .status { font-size: 13px; padding: 2px 8px; border-radius: 10px; vertical-align: middle; }
      .status.ok { background: #d9f2e1; color: #14532d; } .status.bad { background: #fde2e1; color: #7f1d1d; }
      .cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
      .card { background: #f3f5f9; border-radius: 8px; padding: 10px 16px; min-width: 110px; }
      .card .v { font-size: 20px; font-weight: 600; } .card .l { color: #5b6475; font-size: 12px; }
      table { border-collapse: collapse; margin: 8px 0; }
      th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e3e7ee; vertical-align: top; }
      td.n { text-align: right; font-variant-numeric: tabular-nums; }
      table.facts th { color: #5b6475; font-weight: normal; white-space: nowrap; }
      table.facts td { word-break: break-all; }
      .note { color: #5b6475; font-size: 12px; }
      svg.chart text { font: 12px system-ui, sans-serif; fill: #1d2330; }
      svg.chart rect { fill: #4f7cd6; }
      .sheet { display: grid; grid-template-columns: repeat(auto-fill, minmax(176px, 1fr)); gap: 12px; }
      figure { margin: 0; background: #f3f5f9; border-radius: 8px; padding: 8px; text-align: center; }
      figure img { max-width: 160px; max-height: 160px; image-rendering: auto; }
      figcaption { font-size: 11px; color: #5b6475; word-break: break-all; }
      footer { margin-top: 32px; color: #8a93a5; font-size: 12px; }
      """;
}
