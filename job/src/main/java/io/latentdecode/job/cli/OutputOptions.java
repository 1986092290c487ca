package io.latentdecode.job.cli;

import io.latentdecode.job.inspect.OutputSummary;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** The output folder a reading command ({@code inspect}, {@code extract}) works on. */
final class OutputOptions {
  @Parameters(paramLabel = "OUTPUT", description = "The --output URI of one or more runs.")
  String output;

  @Mixin HadoopConfOption hadoop;

  /** The output as its file system sees it, with what its small files say. */
  record Opened(FileSystem fs, OutputSummary summary) {}

  Opened open() throws IOException {
    Path path = new Path(output);
    FileSystem fs = OutputFileSystem.of(path, hadoop.conf);
    return new Opened(fs, OutputSummary.read(fs, fs.makeQualified(path)));
  }
}
