package io.latentdecode.udf.latent;

import io.latentdecode.udf.contract.ErrorKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Reads an Arrow IPC file with the latent table contract ({@code id}, {@code latent}, {@code
 * shape}, optional {@code dtype}, other columns carried) into rows of the Parquet row layout, so
 * both are read by the same code. Spark's own {@link ArrowColumnVector} gives the values.
 */
final class ArrowLatentFile {
  /** What each row of the file becomes. */
  interface RowVisitor {
    void row(InternalRow parquetLayoutRow) throws IOException;
  }

  private ArrowLatentFile() {}

  static void read(byte[] file, StructType carried, BufferAllocator allocator, RowVisitor visitor)
      throws IOException, LatentException {
    try (ArrowFileReader reader =
        new ArrowFileReader(new ByteArrayReadableSeekableByteChannel(file), allocator)) {
      VectorSchemaRoot root;
      try {
        root = reader.getVectorSchemaRoot();
      } catch (IOException | RuntimeException e) {
        throw invalid("not an Arrow IPC file: " + e.getMessage());
      }
      for (String column : List.of("id", "latent", "shape")) {
        if (root.getVector(column) == null) {
          throw invalid(
              "the Arrow file has no '"
                  + column
                  + "' column; the latent contract needs id, latent, shape and optionally dtype");
        }
      }
      while (reader.loadNextBatch()) {
        int rows = root.getRowCount();
        ColumnVector id = column(root, "id");
        ColumnVector latent = column(root, "latent");
        ColumnVector shape = column(root, "shape");
        ColumnVector dtype = root.getVector("dtype") == null ? null : column(root, "dtype");
        ColumnarBatch carriedBatch = carriedBatch(root, carried, rows);
        for (int r = 0; r < rows; r++) {
          GenericInternalRow row = new GenericInternalRow(5);
          row.update(0, id.isNullAt(r) ? null : id.getUTF8String(r).copy());
          row.update(1, latent.isNullAt(r) ? null : latent.getBinary(r));
          row.update(2, shape.isNullAt(r) ? null : shape(shape.getArray(r), shape));
          row.update(3, dtype == null || dtype.isNullAt(r) ? null : dtype.getUTF8String(r).copy());
          row.update(4, carriedBatch == null ? null : carriedBatch.getRow(r).copy());
          visitor.row(row);
        }
      }
    }
  }

  private static ColumnVector column(VectorSchemaRoot root, String name) {
    return new ArrowColumnVector(root.getVector(name));
  }

  private static ColumnarBatch carriedBatch(VectorSchemaRoot root, StructType carried, int rows)
      throws LatentException {
    if (carried.isEmpty()) {
      return null;
    }
    List<ColumnVector> vectors = new ArrayList<>();
    for (StructField field : carried.fields()) {
      FieldVector v = root.getVector(field.name());
      if (v == null) {
        throw invalid(
            "the Arrow file lacks column '"
                + field.name()
                + "' that the input's first file has; every file must share one schema");
      }
      vectors.add(new ArrowColumnVector(v));
    }
    return new ColumnarBatch(vectors.toArray(ColumnVector[]::new), rows);
  }

  private static GenericArrayData shape(ColumnarArray dims, ColumnVector shapeColumn)
      throws LatentException {
    var elementType = ((org.apache.spark.sql.types.ArrayType) shapeColumn.dataType()).elementType();
    Integer[] out = new Integer[dims.numElements()];
    for (int i = 0; i < out.length; i++) {
      if (dims.isNullAt(i)) {
        out[i] = null;
      } else if (elementType instanceof IntegerType) {
        out[i] = dims.getInt(i);
      } else if (elementType instanceof LongType) {
        out[i] = Math.toIntExact(dims.getLong(i));
      } else {
        throw invalid("the shape column holds " + elementType.simpleString() + ", not integers");
      }
    }
    return new GenericArrayData(out);
  }

  private static LatentException invalid(String message) {
    return new LatentException(ErrorKind.INVALID_LATENT, message);
  }
}
