package io.latentdecode.udf.latent;

import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.LatentPacking;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.StructType;

/**
 * Turns the rows of one {@link InputKind#rowLayout() input layout} into latents, handing each to a
 * {@link LatentSink} with its id, or the id and the reason it cannot be decoded. A file row may
 * hold many latents (safetensors, batched {@code .npy}, Arrow files). Rows may be reused by Spark
 * after the call, so everything kept is copied.
 */
public abstract sealed class LatentRows {
  static final InternalRow NO_COLUMNS = new GenericInternalRow(0);

  public abstract void read(InternalRow row, LatentSink sink) throws IOException;

  /**
   * What a resumed run skips once this row is committed: the input file's path for file inputs, the
   * row's id for table inputs.
   */
  public abstract String source(InternalRow row);

  /**
   * The input file a table row was read from ({@link InputKind#rowLayout()}), or null where the
   * source is the file itself.
   */
  public abstract String inputFile(InternalRow row);

  /** {@code file} or {@code id}: what {@link #source} returns. */
  public abstract String sourceKind();

  public static LatentRows of(
      InputKind kind,
      String inputUri,
      StructType carried,
      LatentPacking packing,
      BufferAllocator allocator) {
    return switch (kind) {
      case PARQUET -> new TableRows(carried.size(), packing);
      case NPY, SAFETENSORS, ARROW -> new FileRows(inputUri, carried, packing, allocator);
    };
  }

  /**
   * {@code [path, content]} rows of the listed input files ({@link InputFileContents}). The id is
   * the path relative to the input without its extension; a file holding several latents gives ids
   * {@code id/name} and {@code id/index}. Pickle files are refused, whole. Latents from files
   * without the carried columns (npy, safetensors next to Arrow files) carry nulls.
   */
  static final class FileRows extends LatentRows {
    private final String rootPrefix;
    private final StructType carried;
    private final LatentPacking packing;
    private final BufferAllocator allocator;
    private final TableRows tableRows;
    private final InternalRow noCarriedValues;

    FileRows(
        String inputUri, StructType carried, LatentPacking packing, BufferAllocator allocator) {
      this.rootPrefix = inputUri.endsWith("/") ? inputUri : inputUri + "/";
      this.carried = carried;
      this.packing = packing;
      this.allocator = allocator;
      this.tableRows = new TableRows(carried.size(), packing);
      this.noCarriedValues = new GenericInternalRow(carried.size());
    }

    @Override
    public String source(InternalRow row) {
      return row.getUTF8String(0).toString();
    }

    @Override
    public String sourceKind() {
      return "file";
    }

    @Override
    public String inputFile(InternalRow row) {
      return null;
    }

    @Override
    public void read(InternalRow row, LatentSink sink) throws IOException {
      String path = row.getUTF8String(0).toString();
      String relative =
          path.startsWith(rootPrefix)
              ? path.substring(rootPrefix.length())
              : path.substring(path.lastIndexOf('/') + 1);
      String extension = extension(relative);
      String id = relative.substring(0, relative.length() - extension.length());
      byte[] content = row.getBinary(1);
      try {
        switch (extension.toLowerCase(Locale.ROOT)) {
          case ".npy" ->
              LatentTensors.split(
                  id, NpyFile.toTensor(content), noCarriedValues, packing, true, sink);
          case ".safetensors" -> {
            Map<String, SafetensorsFile.Entry> tensors = SafetensorsFile.read(content);
            if (tensors.isEmpty()) {
              throw new LatentException(
                  ErrorKind.INVALID_LATENT, "the safetensors file holds no tensors");
            }
            for (SafetensorsFile.Entry e : tensors.values()) {
              String tensorId = id + "/" + e.name();
              if (e.problem() != null) {
                sink.reject(tensorId, noCarriedValues, e.problem());
              } else {
                LatentTensors.split(tensorId, e.tensor(), noCarriedValues, packing, true, sink);
              }
            }
          }
          case ".arrow", ".feather" ->
              ArrowLatentFile.read(content, carried, allocator, r -> tableRows.read(r, sink));
          default ->
              throw new LatentException(ErrorKind.UNSUPPORTED_FILE, PickleFiles.refusal(relative));
        }
      } catch (LatentException e) {
        sink.reject(id, noCarriedValues, e);
      } catch (RuntimeException e) {
        sink.reject(
            id,
            noCarriedValues,
            new LatentException(
                ErrorKind.INVALID_LATENT, "cannot read " + relative + ": " + e.getMessage()));
      }
    }

    private static String extension(String name) {
      int slash = name.lastIndexOf('/');
      int dot = name.lastIndexOf('.');
      return dot > slash ? name.substring(dot) : "";
    }
  }

  /** {@code [id, latent, shape, dtype, carry]} rows of the table contract (Parquet, Arrow). */
  static final class TableRows extends LatentRows {
    private final int carriedColumns;
    private final LatentPacking packing;

    TableRows(int carriedColumns, LatentPacking packing) {
      this.carriedColumns = carriedColumns;
      this.packing = packing;
    }

    @Override
    public String source(InternalRow row) {
      return row.isNullAt(0) ? "" : row.getUTF8String(0).toString();
    }

    @Override
    public String sourceKind() {
      return "id";
    }

    @Override
    public String inputFile(InternalRow row) {
      int at = carriedColumns == 0 ? 4 : 5; // after the carried columns' struct, when there is one
      return row.numFields() > at && !row.isNullAt(at) ? row.getUTF8String(at).toString() : null;
    }

    @Override
    public void read(InternalRow row, LatentSink sink) throws IOException {
      String id = row.isNullAt(0) ? "" : row.getUTF8String(0).toString();
      InternalRow carried =
          carriedColumns == 0
              ? NO_COLUMNS
              : row.isNullAt(4)
                  ? new GenericInternalRow(carriedColumns)
                  : row.getStruct(4, carriedColumns).copy();
      try {
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
        byte[] bytes = row.getBinary(1);
        LatentTensors.split(id, RawTensor.of(shape, dtype, bytes), carried, packing, false, sink);
      } catch (LatentException e) {
        sink.reject(id, carried, e);
      }
    }
  }
}
