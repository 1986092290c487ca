package io.latentdecode.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentdecode.job.inspect.OutputSummary;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.hadoop.fs.FileSystem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code latent-decode inspect OUTPUT}: what the runs into an output folder produced. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Print what an output folder holds: its runs, what is committed, the image files' schema",
      "and a few ids. Reads only the output's small files (no Spark)."
    })
final class InspectCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin OutputOptions target;

  @Option(
      names = "--ids",
      paramLabel = "N",
      description = "How many image ids to list. Default: ${DEFAULT-VALUE}.")
  int ids = 5;

  @Override
  public Integer call() throws Exception {
    OutputOptions.Opened opened = target.open();
    FileSystem fs = opened.fs();
    OutputSummary s = opened.summary();
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Output %s%n", s.output());
    out.printf("%nRuns (%d, from _runs/):%n", s.runs().size());
    for (JsonNode run : s.runs()) {
      out.printf(
          "  %s  %-22s %s  %d images, %d errors, %.1f s, %.2f images/s, model sha256 %s%n",
          run.path("run_id").asText(),
          run.path("status").asText(),
          run.path("started_at").asText(),
          run.at("/counts/images").asLong(),
          run.at("/counts/errors").asLong(),
          run.path("duration_seconds").asDouble(),
          run.path("images_per_second").asDouble(),
          abbreviate(run.at("/model/sha256").asText()));
    }
    out.printf(
        "%nCommitted (from _manifests/): %d images, %d errors, in %d tasks of %d runs%n",
        s.committedImages(), s.committedErrors(), s.committedTasks(), s.committedRuns());
    if (!s.errorsByKind().isEmpty()) {
      out.printf("Errors by kind (rows in _errors/): %s%n", s.errorsByKind());
    }
    out.printf(
        "%nImage files: %d, %.1f MB%n", s.imageFiles().size(), s.imageBytes() / 1024.0 / 1024.0);
    if (s.schema() != null) {
      out.println("Schema:");
      for (Field f : s.schema().getFields()) {
        out.printf("  %s: %s%s%n", f.getName(), f.getType(), f.isNullable() ? "" : " not null");
      }
      Map<String, String> metadata = s.schema().getCustomMetadata();
      if (metadata != null && !metadata.isEmpty()) {
        out.println("Schema metadata:");
        metadata.forEach((k, v) -> out.printf("  %s: %s%n", k, abbreviate(v)));
      }
    }
    if (!s.imageFiles().isEmpty()) {
      List<String> first = s.firstIds(fs, ids);
      out.printf("First ids: %s%n", String.join(", ", first));
    }
    out.flush();
    return Main.EXIT_OK;
  }

  private static String abbreviate(String value) {
    return value.length() > 100 ? value.substring(0, 97) + "..." : value;
  }
}
