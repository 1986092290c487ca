package io.latentdecode.udf.latent;

import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.InputKind;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * Turns the rows of one {@link InputKind#rowLayout() input layout} into latents. Rows may be reused
 * by Spark after the call, so everything kept is copied.
 */
public abstract sealed class LatentRows {
  private static final InternalRow NO_COLUMNS = new GenericInternalRow(0);

  /** The row's id, also for rows whose latent is unreadable (so that the error names it). */
  public abstract String id(InternalRow row);

  public abstract Latent read(InternalRow row) throws LatentException;

  public static LatentRows of(InputKind kind, String inputUri, int carriedColumns) {
    return switch (kind) {
      case NPY -> new Npy(inputUri);
      case PARQUET -> new Parquet(carriedColumns);
    };
  }

  /** {@code [path, content]} rows of Spark's binaryFile source. */
  static final class Npy extends LatentRows {
    private final String rootPrefix;

    Npy(String inputUri) {
      this.rootPrefix = inputUri.endsWith("/") ? inputUri : inputUri + "/";
    }

    @Override
    public String id(InternalRow row) {
      String path = row.getUTF8String(0).toString();
      String relative =
          path.startsWith(rootPrefix)
              ? path.substring(rootPrefix.length())
              : path.substring(path.lastIndexOf('/') + 1);
      return relative.endsWith(".npy") ? relative.substring(0, relative.length() - 4) : relative;
    }

    @Override
    public Latent read(InternalRow row) throws LatentException {
      return NpyFile.toLatent(id(row), row.getBinary(1), NO_COLUMNS);
    }
  }

  /** {@code [id, latent, shape, dtype, carry]} rows of the Parquet contract. */
  static final class Parquet extends LatentRows {
    private final int carriedColumns;

    Parquet(int carriedColumns) {
      this.carriedColumns = carriedColumns;
    }

    @Override
    public String id(InternalRow row) {
      return row.isNullAt(0) ? "" : row.getUTF8String(0).toString();
    }

    @Override
    public Latent read(InternalRow row) throws LatentException {
      if (row.isNullAt(0)) {
        throw new LatentException(ErrorKind.INVALID_LATENT, "the id is null");
      }
      if (row.isNullAt(1)) {
        throw new LatentException(ErrorKind.INVALID_LATENT, "the latent column is null");
      }
      if (row.isNullAt(2)) {
        throw new LatentException(ErrorKind.INVALID_LATENT, "the shape column is null");
      }
      ArrayData shapeData = row.getArray(2);
      int[] shape = new int[shapeData.numElements()];
      for (int i = 0; i < shape.length; i++) {
        if (shapeData.isNullAt(i)) {
          throw new LatentException(ErrorKind.INVALID_LATENT, "the shape holds a null dimension");
        }
        shape[i] = shapeData.getInt(i);
      }
      LatentDtype dtype =
          LatentDtype.parse(row.isNullAt(3) ? null : row.getUTF8String(3).toString());
      InternalRow carried =
          carriedColumns == 0 ? NO_COLUMNS : row.getStruct(4, carriedColumns).copy();
      return Latent.of(id(row), shape, dtype, row.getBinary(1), carried);
    }
  }
}
