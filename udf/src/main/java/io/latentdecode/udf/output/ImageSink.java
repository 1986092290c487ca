package io.latentdecode.udf.output;

import io.latentdecode.udf.image.EncodedImage;
import java.io.IOException;
import org.apache.spark.sql.catalyst.InternalRow;

/** Where a partition's decoded images go: a task's image files, or the rows of a DataFrame. */
public interface ImageSink {
  /**
   * One image; {@code carriedColumns} holds the input's carried-through columns (a copy the sink
   * may keep).
   */
  void add(
      String imageId,
      EncodedImage encoded,
      String imageFormat,
      int imageWidth,
      int imageHeight,
      InternalRow carriedColumns)
      throws IOException;
}
