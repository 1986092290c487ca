package io.latentdecode.job.bench;

import io.latentdecode.udf.latent.NpyFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Tiny latents ({@code [4, 8, 8]} float32, random) in the two layouts the scale benchmark plans: a
 * Parquet table of the latent contract (files of {@value #ROWS_PER_FILE} rows, row groups of
 * {@value #ROW_GROUP_BYTES} bytes, so that Spark can split them) and one {@code .npy} file per
 * latent ({@value #FILES_PER_FOLDER} per folder).
 */
final class ScaleLatents {
  static final int[] SHAPE = {4, 8, 8};
  static final int ROWS_PER_FILE = 250_000;
  static final long ROW_GROUP_BYTES = 16L << 20;
  static final int FILES_PER_FOLDER = 1_000;

  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message latents { required binary id (STRING); required binary latent;"
              + " required group shape (LIST) { repeated group list { required int32 element; } } }");

  private ScaleLatents() {}

  /** Parquet files {@code <prefix>-<k>.parquet} in {@code dir} holding ids {@code first..}. */
  static void parquet(java.nio.file.Path dir, String prefix, long first, long count)
      throws IOException {
    Files.createDirectories(dir);
    Configuration conf = new Configuration();
    SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);
    Random random = new Random(first);
    for (long start = first; start < first + count; start += ROWS_PER_FILE) {
      long end = Math.min(first + count, start + ROWS_PER_FILE);
      Path file = new Path(dir.resolve(prefix + "-" + start + ".parquet").toUri());
      try (ParquetWriter<Group> writer =
          ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf))
              .withConf(conf)
              .withType(SCHEMA)
              .withRowGroupSize(ROW_GROUP_BYTES)
              .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
              .build()) {
        for (long i = start; i < end; i++) {
          Group row = rows.newGroup().append("id", id(i));
          row.append(
              "latent", org.apache.parquet.io.api.Binary.fromConstantByteArray(latent(random)));
          Group shape = row.addGroup("shape");
          for (int d : SHAPE) {
            shape.addGroup("list").append("element", d);
          }
          writer.write(row);
        }
      }
    }
  }

  /** {@code .npy} files {@code dir/<prefix>-<folder>/<id>.npy} for ids {@code first..}. */
  static void npy(java.nio.file.Path dir, String prefix, long first, long count)
      throws IOException {
    Random random = new Random(first);
    float[] values = new float[SHAPE[0] * SHAPE[1] * SHAPE[2]];
    for (long i = first; i < first + count; i++) {
      java.nio.file.Path folder =
          dir.resolve(prefix + "-" + String.format("%05d", i / FILES_PER_FOLDER));
      if (i == first || i % FILES_PER_FOLDER == 0) {
        Files.createDirectories(folder);
      }
      for (int k = 0; k < values.length; k++) {
        values[k] = (float) random.nextGaussian();
      }
      Files.write(folder.resolve(id(i) + ".npy"), NpyFile.float32(values, SHAPE));
    }
  }

  private static String id(long i) {
    return String.format("latent-%09d", i);
  }

  private static byte[] latent(Random random) {
    ByteBuffer bytes =
        ByteBuffer.allocate(SHAPE[0] * SHAPE[1] * SHAPE[2] * 4).order(ByteOrder.LITTLE_ENDIAN);
    while (bytes.hasRemaining()) {
      bytes.putFloat((float) random.nextGaussian());
    }
    return bytes.array();
  }
}
