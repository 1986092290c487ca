package io.latentdecode.job.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --conf}: Hadoop settings for the commands that read storage without Spark. */
final class HadoopConfOption {
  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description = "A Hadoop setting (e.g. S3A's), as for run: spark.hadoop.KEY=VALUE.")
  Map<String, String> conf = new LinkedHashMap<>();
}
