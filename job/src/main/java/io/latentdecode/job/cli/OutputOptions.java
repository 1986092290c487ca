package io.latentdecode.job.cli;

import io.latentdecode.job.inspect.OutputSummary;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The output folder a reading command ({@code inspect}, {@code extract}) works on. */
final class OutputOptions {
  @Parameters(paramLabel = "OUTPUT", description = "The --output URI of one or more runs.")
  String output;

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description = "A Hadoop setting (e.g. S3A's), as for run: spark.hadoop.KEY=VALUE.")
  Map<String, String> conf = new LinkedHashMap<>();

  /** The output as its file system sees it, with what its small files say. */
  record Opened(FileSystem fs, OutputSummary summary) {}

  Opened open() throws IOException {
    Path path = new Path(output);
    FileSystem fs = OutputFileSystem.of(path, conf);
    return new Opened(fs, OutputSummary.read(fs, fs.makeQualified(path)));
  }
}
