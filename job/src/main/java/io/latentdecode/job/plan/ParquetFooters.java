package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.commit.DriverErrors;
import io.latentdecode.udf.contract.Causes;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.InputFile;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
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
  /** The readable files' paths and rows, and an error row per unreadable file. */
  record Checked(
      List<String> readable, Map<String, Long> rows, List<DriverErrors.Row> unreadable) {}

  private ParquetFooters() {}

  static Checked check(SparkSession spark, InputListing listing) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    String inputUri = listing.root().toString();
    Path input = listing.root();
    List<InputFile> files = listing.named(name -> name.endsWith(".parquet"));
    ConcurrentLinkedQueue<String> readable = new ConcurrentLinkedQueue<>();
    Map<String, Long> rows = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<DriverErrors.Row> unreadable = new ConcurrentLinkedQueue<>();
    files.parallelStream()
        .forEach(
            f -> {
              Path path = new Path(f.path());
              try (ParquetFileReader reader =
                  ParquetFileReader.open(
                      HadoopInputFile.fromStatus(
                          new FileStatus(f.length(), false, 1, 0, 0, path), conf))) {
                rows.put(f.path(), reader.getRecordCount());
                readable.add(f.path());
              } catch (IOException | RuntimeException e) {
                String relative =
                    f.path().startsWith(input.toString() + "/")
                        ? f.path().substring(input.toString().length() + 1)
                        : path.getName();
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
    return new Checked(List.copyOf(readable), Map.copyOf(rows), List.copyOf(unreadable));
  }
}
