package io.latentdecode.udf.output;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * The inputs one task consumed, as a Parquet file of one string column {@code source} beside the
 * task's manifest: a resumed run joins them with its input in Spark instead of reading them on the
 * driver, however many there are.
 */
public final class TaskSources {
  public static final String COLUMN = "source";
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType("message sources { required binary source (STRING); }");

  private TaskSources() {}

  /** Every source the file holds, in its order. */
  public static List<String> read(FileSystem fs, Path file) throws IOException {
    List<String> sources = new java.util.ArrayList<>();
    try (ParquetReader<Group> reader =
        ParquetReader.builder(new GroupReadSupport(), file).withConf(fs.getConf()).build()) {
      for (Group row = reader.read(); row != null; row = reader.read()) {
        sources.add(row.getString(COLUMN, 0));
      }
    }
    return sources;
  }

  public static void write(FileSystem fs, Path file, List<String> sources) throws IOException {
    Configuration conf = fs.getConf();
    SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf))
            .withConf(conf)
            .withType(SCHEMA)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .build()) {
      for (String source : sources) {
        writer.write(rows.newGroup().append(COLUMN, source));
      }
    }
  }
}
