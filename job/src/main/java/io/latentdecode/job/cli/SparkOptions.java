package io.latentdecode.job.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The Spark pass-through options every command that runs a job takes. */
final class SparkOptions {
  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master URL. Default: the one spark-submit sets, else embedded local[*].")
  String master;

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description =
          "A Spark setting, passed through (repeatable), e.g. --conf spark.executor.memory=4g.")
  Map<String, String> conf = new LinkedHashMap<>();

  Optional<String> master() {
    return Optional.ofNullable(master);
  }
}
