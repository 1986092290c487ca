package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.InputFile;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.output.HadoopChannels;
import java.io.IOException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * The schema of an Arrow IPC input, from the footer of its first listed file: checked against the
 * latent table contract on the driver; its other columns are carried through. Files with another
 * schema are reported whole by the tasks.
 */
final class ArrowSchemas {
  private ArrowSchemas() {}

  /**
   * @param required whether the input must hold Arrow files; if not, no Arrow file means no carried
   *     columns
   */
  static StructType carriedColumns(SparkSession spark, InputListing listing, boolean required) {
    Path input = listing.root();
    try {
      FileSystem fs = input.getFileSystem(spark.sparkContext().hadoopConfiguration());
      java.util.Optional<InputFile> found = InputFiles.firstFile(listing, InputKind.ARROW);
      if (found.isEmpty()) {
        if (required) {
          throw new JobSetupException("Cannot run: --input " + input + " holds no *.arrow files");
        }
        return new StructType();
      }
      Path first = new Path(found.get().path());
      try (BufferAllocator allocator = new RootAllocator(64L * 1024 * 1024);
          ArrowFileReader reader =
              new ArrowFileReader(HadoopChannels.openForRead(fs, first), allocator)) {
        Schema schema;
        try {
          schema = reader.getVectorSchemaRoot().getSchema();
        } catch (IOException | RuntimeException e) {
          throw new JobSetupException(
              "Cannot run: "
                  + first
                  + " is not an Arrow IPC file ("
                  + e.getMessage()
                  + "); write it with pyarrow.ipc.new_file / RecordBatchFileWriter");
        }
        StructType carried =
            InputPlanner.checkTableContract(ArrowUtils.fromArrowSchema(schema), "Arrow");
        // Latents from .npy/.safetensors files in the same folder carry nulls.
        return new StructType(
            java.util.Arrays.stream(carried.fields())
                .map(f -> f.copy(f.name(), f.dataType(), true, f.metadata()))
                .toArray(org.apache.spark.sql.types.StructField[]::new));
      }
    } catch (IOException e) {
      throw JobSetupException.external(
          "Cannot run: cannot read the Arrow input " + input + ": " + e.getMessage(), e);
    }
  }
}
