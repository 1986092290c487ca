package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.commit.DriverErrors;
import io.latentdecode.udf.contract.Causes;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.OutputLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.SparkSession;

/**
 * Reads the footer of every Parquet file of the input on the driver, so that a corrupt or truncated
 * file is reported whole (one error row whose id is the file's path) while the other files still
 * decode, instead of failing the run. A file whose footer is fine but whose pages are damaged still
 * fails its task, and the run, naming the file.
 */
final class ParquetFooters {
  /** The readable files' paths, and an error row per unreadable file. */
  record Checked(List<String> readable, List<DriverErrors.Row> unreadable) {}

  private ParquetFooters() {}

  static Checked check(SparkSession spark, String inputUri) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path input = new Path(inputUri);
    List<FileStatus> files = new ArrayList<>();
    try {
      FileSystem fs = input.getFileSystem(conf);
      if (fs.getFileStatus(input).isFile()) {
        files.add(fs.getFileStatus(input));
      } else {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(input, true);
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          String relative = f.getPath().toString().substring(input.toString().length());
          if (f.getPath().getName().endsWith(".parquet") && !isHidden(relative)) {
            files.add(f);
          }
        }
      }
    } catch (IOException e) {
      throw JobSetupException.external(
          "Cannot run: cannot list --input " + inputUri + ": " + e.getMessage(), e);
    }
    ConcurrentLinkedQueue<String> readable = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<DriverErrors.Row> unreadable = new ConcurrentLinkedQueue<>();
    files.parallelStream()
        .forEach(
            f -> {
              try (ParquetFileReader reader =
                  ParquetFileReader.open(HadoopInputFile.fromStatus(f, conf))) {
                reader.getFooter();
                readable.add(f.getPath().toString());
              } catch (IOException | RuntimeException e) {
                String relative =
                    f.getPath().toString().startsWith(input.toString() + "/")
                        ? f.getPath().toString().substring(input.toString().length() + 1)
                        : f.getPath().getName();
                unreadable.add(
                    new DriverErrors.Row(
                        relative,
                        ErrorKind.INVALID_LATENT,
                        "the whole file is unreadable as Parquet ("
                            + Causes.rootMessage(e)
                            + "); none of its rows was decoded, the other files were"));
              }
            });
    if (!files.isEmpty() && readable.isEmpty()) {
      throw new JobSetupException(
          "Cannot run: no Parquet file under --input "
              + inputUri
              + " is readable; e.g. "
              + unreadable.peek().id()
              + ": "
              + unreadable.peek().message());
    }
    return new Checked(List.copyOf(readable), List.copyOf(unreadable));
  }

  private static boolean isHidden(String relativePath) {
    for (String part : relativePath.split("/")) {
      if (!part.isEmpty() && OutputLayout.isHidden(part)) {
        return true;
      }
    }
    return false;
  }
}
