package io.latentdecode.job.output;

import io.latentdecode.udf.contract.OutputSchemas;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The images of a Parquet output file, read with the plain Parquet reader (no Spark), the image
 * columns only: the carried ones are never converted.
 */
final class ParquetImages {
  private static final MessageType IMAGE_COLUMNS =
      Types.buildMessage()
          .required(PrimitiveTypeName.BINARY)
          .named(OutputSchemas.ID)
          .required(PrimitiveTypeName.BINARY)
          .named(OutputSchemas.IMAGE)
          .required(PrimitiveTypeName.BINARY)
          .named(OutputSchemas.FORMAT)
          .required(PrimitiveTypeName.INT32)
          .named(OutputSchemas.WIDTH)
          .required(PrimitiveTypeName.INT32)
          .named(OutputSchemas.HEIGHT)
          .named("images");

  private ParquetImages() {}

  static void forEach(FileSystem fs, Path file, ImageFiles.Visitor visitor) throws IOException {
    org.apache.hadoop.conf.Configuration conf =
        new org.apache.hadoop.conf.Configuration(fs.getConf());
    conf.set(GroupReadSupport.PARQUET_READ_SCHEMA, IMAGE_COLUMNS.toString());
    try (ParquetReader<Group> reader =
        ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
      for (Group row = reader.read(); row != null; row = reader.read()) {
        visitor.visit(
            new ImageFiles.StoredImage(
                row.getString(OutputSchemas.ID, 0),
                row.getBinary(OutputSchemas.IMAGE, 0).getBytes(),
                row.getString(OutputSchemas.FORMAT, 0),
                row.getInteger(OutputSchemas.WIDTH, 0),
                row.getInteger(OutputSchemas.HEIGHT, 0)));
      }
    }
  }
}
