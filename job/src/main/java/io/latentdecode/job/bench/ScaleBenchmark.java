package io.latentdecode.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.job.demo.Demo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileUtil;

/**
 * {@code bench --scale N,...}: the driver's cost as the input grows. For each N it makes N tiny
 * latents (Parquet rows and {@code .npy} files, see {@link ScaleLatents}) and runs the job three
 * times on each, each run a command of its own with {@value #DRIVER_HEAP} of heap: a first run, a
 * resume with everything committed, and a resume after 10% new inputs were added. It prints the
 * time to list and plan, the decode time, the driver's heap after GC (the largest the JVM's GC log
 * shows), peak RSS, spill warnings, tasks and decode-phase utilisation, then the slope per million
 * inputs between the smallest and the largest N.
 */
public final class ScaleBenchmark {
  static final String DRIVER_HEAP = "512m";
  private static final Pattern HEAP_AFTER_GC = Pattern.compile("->(\\d+)M\\(");
  private static final List<String> CASES = List.of("first", "resume", "plus10pct");

  /** One run's figures. */
  record Figures(
      String format,
      long inputs,
      String phase,
      double wallSeconds,
      double planningSeconds,
      double decodeSeconds,
      long heapAfterGcMb,
      long rssMb,
      long spillWarnings,
      int tasks,
      double utilisation,
      long images) {}

  private ScaleBenchmark() {}

  /**
   * @param keep whether to keep each size's latents, outputs and logs under {@code work}
   */
  public static void run(
      List<Long> sizes, List<String> formats, Path work, boolean keep, PrintWriter out)
      throws Exception {
    Path model = Demo.extractDecoder(work.resolve("model"));
    List<Figures> all = new ArrayList<>();
    out.printf(
        Locale.ROOT,
        "%-8s %9s %-9s %8s %10s %9s %9s %8s %6s %6s %6s %9s%n",
        "format",
        "inputs",
        "case",
        "wall_s",
        "planning_s",
        "decode_s",
        "heap_MB",
        "rss_MB",
        "spills",
        "tasks",
        "util",
        "images");
    for (long n : sizes) {
      for (String format : formats) {
        Path dir = work.resolve(format + "-" + n);
        Path input = dir.resolve("input");
        Path output = dir.resolve("output");
        write(format, input, "a", 0, n);
        for (String phase : CASES) {
          if (phase.equals("plus10pct")) {
            write(format, input, "b", n, Math.max(1, n / 10));
          }
          Figures f = measure(format, n, phase, input, output, model, dir);
          all.add(f);
          out.printf(
              Locale.ROOT,
              "%-8s %9d %-9s %8.1f %10.2f %9.1f %9d %8d %6d %6d %6.2f %9d%n",
              f.format(),
              f.inputs(),
              f.phase(),
              f.wallSeconds(),
              f.planningSeconds(),
              f.decodeSeconds(),
              f.heapAfterGcMb(),
              f.rssMb(),
              f.spillWarnings(),
              f.tasks(),
              f.utilisation(),
              f.images());
        }
        if (!keep && !FileUtil.fullyDelete(dir.toFile())) {
          throw new IOException("Cannot delete the scale benchmark's folder " + dir);
        }
      }
    }
    slopes(all, out);
    inspectManyTasks(work, model, out);
  }

  /** Tasks in the synthetic output that {@code inspect} reads. */
  static final int INSPECTED_TASKS = 100_000;

  /**
   * {@code inspect} on an output of {@value #INSPECTED_TASKS} committed tasks: one real run's
   * manifest copied once per task (all naming its image file), the rest of the output as the run
   * left it.
   */
  private static void inspectManyTasks(Path work, Path model, PrintWriter out) throws Exception {
    Path dir = work.resolve("inspect-" + INSPECTED_TASKS);
    Path input = dir.resolve("input");
    Path output = dir.resolve("output");
    ScaleLatents.npy(input, "a", 0, 10);
    ChildRun.ofJar(dir, runArgs(input, output, model));
    Path manifest;
    try (Stream<Path> walk = Files.walk(output.resolve("_manifests"))) {
      manifest = walk.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    ObjectMapper json = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode m =
        (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(manifest.toFile());
    for (int task = 1; task < INSPECTED_TASKS; task++) {
      m.put("partition", task);
      Files.write(
          manifest.resolveSibling(String.format("part-%06d.json", task)),
          json.writeValueAsBytes(m));
    }
    ChildRun inspect = ChildRun.ofJar(dir, List.of("inspect", output.toString()));
    out.printf(
        Locale.ROOT,
        "%ninspect of an output with %d committed tasks: %.1f s (whole command), peak RSS %d MB%n",
        INSPECTED_TASKS,
        inspect.seconds(),
        inspect.peakRssBytes() >> 20);
  }

  private static void write(String format, Path input, String prefix, long first, long count)
      throws IOException {
    if (format.equals("parquet")) {
      ScaleLatents.parquet(input, prefix, first, count);
    } else {
      ScaleLatents.npy(input, prefix, first, count);
    }
  }

  private static Figures measure(
      String format, long n, String phase, Path input, Path output, Path model, Path dir)
      throws Exception {
    Path gcLog = dir.resolve("gc-" + phase + ".log");
    ChildRun run =
        ChildRun.ofJar(
            dir,
            List.of("-Xmx" + DRIVER_HEAP, "-Xlog:gc:file=" + gcLog),
            runArgs(input, output, model));
    JsonNode report = latestReport(output);
    JsonNode startup = report.path("startup_seconds");
    double utilisation = 0;
    for (JsonNode e : report.path("executors")) {
      utilisation = Math.max(utilisation, e.path("device_utilisation").asDouble());
    }
    return new Figures(
        format,
        n,
        phase,
        run.seconds(),
        startup.path("listing").asDouble()
            + startup.path("planning").asDouble()
            + startup.path("resume").asDouble()
            + startup.path("duplicate_check").asDouble(),
        decodeSeconds(report),
        heapAfterGcMb(gcLog),
        run.peakRssBytes() >> 20,
        run.output().lines().filter(l -> l.toLowerCase(Locale.ROOT).contains("spill")).count(),
        report.at("/counts/tasks").asInt(),
        utilisation,
        report.at("/counts/images").asLong());
  }

  /** {@code run} at its defaults with the preview decoder, images stored raw. */
  private static List<String> runArgs(Path input, Path output, Path model) {
    return List.of(
        "run",
        "--input",
        input.toString(),
        "--output",
        output.toString(),
        "--model",
        model.toString(),
        "--image-format",
        "raw");
  }

  /** The run's time after its planning: the tasks and the commit. */
  private static double decodeSeconds(JsonNode report) {
    double startup = 0;
    for (var lap : report.path("startup_seconds").properties()) {
      if (!lap.getKey().equals("spark_start")) { // beside the other steps, not after them
        startup += lap.getValue().asDouble();
      }
    }
    return Math.max(0, report.path("duration_seconds").asDouble() - startup);
  }

  private static long heapAfterGcMb(Path gcLog) throws IOException {
    long max = 0;
    if (Files.exists(gcLog)) {
      Matcher m = HEAP_AFTER_GC.matcher(Files.readString(gcLog));
      while (m.find()) {
        max = Math.max(max, Long.parseLong(m.group(1)));
      }
    }
    return max;
  }

  private static JsonNode latestReport(Path output) throws IOException {
    try (Stream<Path> files = Files.list(output.resolve("_runs"))) {
      Path latest =
          files
              .filter(p -> p.getFileName().toString().matches("[0-9].*\\.json"))
              .max(java.util.Comparator.comparing(p -> p.getFileName().toString()))
              .orElseThrow();
      return new ObjectMapper().readTree(latest.toFile());
    }
  }

  /**
   * Per million inputs, between the two largest N of each format and case (the smaller sizes are
   * dominated by fixed costs), and the straight line to 10^8; a slope within the noise (negative)
   * is taken as flat.
   */
  private static void slopes(List<Figures> all, PrintWriter out) {
    out.println();
    out.println("slope per million inputs between the two largest N, and the line to 10^8:");
    for (String format : all.stream().map(Figures::format).distinct().toList()) {
      for (String phase : CASES) {
        List<Figures> rows =
            all.stream().filter(f -> f.format().equals(format) && f.phase().equals(phase)).toList();
        if (rows.size() < 2) {
          continue;
        }
        Figures a = rows.get(rows.size() - 2);
        Figures b = rows.get(rows.size() - 1);
        double millions = (b.inputs() - a.inputs()) / 1e6;
        double planning = Math.max(0, (b.planningSeconds() - a.planningSeconds()) / millions);
        double heap = Math.max(0, (b.heapAfterGcMb() - a.heapAfterGcMb()) / millions);
        double toGo = 100 - b.inputs() / 1e6;
        out.printf(
            Locale.ROOT,
            "%-8s %-9s planning %.2f s/M (10^8: %.0f s); driver heap after GC %d MB at %d, %d MB at"
                + " %d: %.1f MB/M (10^8: %.0f MB)%n",
            format,
            phase,
            planning,
            b.planningSeconds() + planning * toGo,
            a.heapAfterGcMb(),
            a.inputs(),
            b.heapAfterGcMb(),
            b.inputs(),
            heap,
            b.heapAfterGcMb() + heap * toGo);
      }
    }
  }
}
