package io.latentdecode.udf.latent;

import io.latentdecode.udf.contract.ErrorKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the NumPy {@code .npy} format (versions 1 to 3): a magic string, a Python-literal header
 * with {@code descr}, {@code fortran_order} and {@code shape}, then the raw array bytes.
 */
public final class NpyFile {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private NpyFile() {}

  /** The header's fields and where the data starts. */
  public record Header(String descr, boolean fortranOrder, int[] shape, int dataOffset) {}

  public static Header readHeader(byte[] file) throws LatentException {
    if (file.length < 10 || !Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)) {
      throw invalid("not a .npy file (no \\x93NUMPY magic at the start)");
    }
    int major = file[6];
    ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength;
    int headerStart;
    if (major == 1) {
      headerLength = Short.toUnsignedInt(buf.getShort(8));
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (file.length < 12) {
        throw invalid("truncated .npy header");
      }
      headerLength = buf.getInt(8);
      headerStart = 12;
    } else {
      throw invalid("unsupported .npy format version " + major);
    }
    if (headerLength < 0 || (long) headerStart + headerLength > file.length) {
      throw invalid(
          "truncated .npy header: it claims "
              + headerLength
              + " bytes, the file has "
              + file.length);
    }
    String header = new String(file, headerStart, headerLength, StandardCharsets.ISO_8859_1);
    return new Header(
        field(DESCR, header, "descr"),
        "True".equals(field(FORTRAN, header, "fortran_order")),
        parseShape(field(SHAPE, header, "shape")),
        headerStart + headerLength);
  }

  /** Parses a whole {@code .npy} file into a latent with the given id. */
  public static Latent toLatent(
      String id, byte[] file, org.apache.spark.sql.catalyst.InternalRow carried)
      throws LatentException {
    RawTensor t = toTensor(file);
    return Latent.of(
        id, t.shape(), t.dtype(), Arrays.copyOfRange(file, t.offset(), file.length), carried);
  }

  /** The array a whole {@code .npy} file holds, without copying its bytes. */
  public static RawTensor toTensor(byte[] file) throws LatentException {
    Header header = readHeader(file);
    if (header.fortranOrder()) {
      throw invalid(
          "Fortran-order .npy arrays are not supported; save it with numpy.ascontiguousarray");
    }
    LatentDtype dtype =
        switch (header.descr()) {
          case "<f4" -> LatentDtype.FLOAT32;
          case "<f2" -> LatentDtype.FLOAT16;
          default ->
              throw new LatentException(
                  ErrorKind.UNSUPPORTED_DTYPE,
                  "unsupported .npy dtype '"
                      + header.descr()
                      + "': expected little-endian float32 ('<f4') or float16 ('<f2')");
        };
    return new RawTensor(
        header.shape(), dtype, file, header.dataOffset(), file.length - header.dataOffset());
  }

  /**
   * A float32 {@code .npy} file (version 1.0, little-endian, C order) holding {@code values} in
   * {@code shape}.
   */
  public static byte[] float32(float[] values, int... shape) {
    StringBuilder dims = new StringBuilder();
    for (int d : shape) {
      dims.append(d).append(", ");
    }
    String dict =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims.toString().strip() + "), }";
    int unpadded = MAGIC.length + 4 + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    ByteBuffer out =
        ByteBuffer.allocate(MAGIC.length + 4 + header.length() + values.length * 4)
            .order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.ISO_8859_1));
    out.asFloatBuffer().put(values);
    return out.array();
  }

  private static String field(Pattern pattern, String header, String name) throws LatentException {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw invalid("malformed .npy header: no '" + name + "' in " + header.trim());
    }
    return m.group(1);
  }

  private static int[] parseShape(String text) throws LatentException {
    String[] parts = text.split(",");
    int count = 0;
    int[] shape = new int[parts.length];
    for (String part : parts) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      try {
        shape[count++] = Integer.parseInt(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
      } catch (NumberFormatException e) {
        throw invalid("malformed .npy shape (" + text + ")");
      }
    }
    return Arrays.copyOf(shape, count);
  }

  private static LatentException invalid(String message) {
    return new LatentException(ErrorKind.INVALID_LATENT, message);
  }
}
