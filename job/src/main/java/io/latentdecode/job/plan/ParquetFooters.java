package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.commit.DriverErrors;
import io.latentdecode.job.commit.ParallelReads;
import io.latentdecode.udf.contract.Causes;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.InputFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.SparkSession;

/**
 * Reads the footer of every Parquet file of the input on the driver, 32 at a time, so that a
 * corrupt or truncated file is reported whole (one error row whose id is the file's path) while the
 * other files still decode, instead of failing the run, and so that a resumed run knows each file's
 * rows (one small read per file, never per row). A file whose footer is fine but whose pages are
 * damaged still fails its task, and the run, naming the file.
 */
final class ParquetFooters {
  /** The readable files' paths and rows, and an error row per unreadable file. */
  record Checked(
      List<String> readable, Map<String, Long> rows, List<DriverErrors.Row> unreadable) {}

  private ParquetFooters() {}

  /** One file's footer: its rows, or why it cannot be read. */
  private record Footer(InputFile file, long rows, Exception problem) {
    static Footer read(InputFile f, Configuration conf) {
      Path path = new Path(f.path());
      try (ParquetFileReader reader =
          ParquetFileReader.open(
              HadoopInputFile.fromStatus(new FileStatus(f.length(), false, 1, 0, 0, path), conf))) {
        return new Footer(f, reader.getRecordCount(), null);
      } catch (IOException | RuntimeException e) {
        return new Footer(f, 0, e);
      }
    }
  }

  static Checked check(SparkSession spark, InputListing listing) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    String inputUri = listing.root().toString();
    Path input = listing.root();
    List<InputFile> files = listing.named(name -> name.endsWith(".parquet"));
    List<String> readable = new ArrayList<>();
    Map<String, Long> rows = new HashMap<>();
    List<DriverErrors.Row> unreadable = new ArrayList<>();
    List<Footer> footers;
    try {
      footers = ParallelReads.map(files, f -> Footer.read(f, conf));
    } catch (IOException e) {
      throw new IllegalStateException(e); // Footer.read reports failures in its result
    }
    for (Footer footer : footers) {
      if (footer.problem() == null) {
        rows.put(footer.file().path(), footer.rows());
        readable.add(footer.file().path());
        continue;
      }
      String path = footer.file().path();
      String relative =
          path.startsWith(input.toString() + "/")
              ? path.substring(input.toString().length() + 1)
              : new Path(path).getName();
      unreadable.add(
          new DriverErrors.Row(
              relative,
              ErrorKind.INVALID_LATENT,
              "the whole file is unreadable as Parquet ("
                  + Causes.rootMessage(footer.problem())
                  + "); none of its rows was decoded, the other files were"));
    }
    if (!files.isEmpty() && readable.isEmpty()) {
      throw new JobSetupException(
          "Cannot run: no Parquet file under --input "
              + inputUri
              + " is readable; e.g. "
              + unreadable.get(0).id()
              + ": "
              + unreadable.get(0).message());
    }
    return new Checked(List.copyOf(readable), Map.copyOf(rows), List.copyOf(unreadable));
  }
}
