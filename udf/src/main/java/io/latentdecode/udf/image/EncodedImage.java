package io.latentdecode.udf.image;

import java.util.Arrays;

/**
 * The bytes of one encoded image: {@code length} bytes of {@code array} from {@code offset}. Raw
 * images are views into the decoded batch's pixels, so they are copied once, straight into the
 * Arrow vector.
 */
public record EncodedImage(byte[] array, int offset, int length) {
  public EncodedImage {
    if (offset < 0 || length < 0 || offset + length > array.length) {
      throw new IllegalArgumentException(
          "Invalid slice ["
              + offset
              + ", "
              + (offset + length)
              + ") of "
              + array.length
              + " bytes");
    }
  }

  public static EncodedImage of(byte[] bytes) {
    return new EncodedImage(bytes, 0, bytes.length);
  }

  /** A copy of just these bytes. */
  public byte[] toByteArray() {
    return Arrays.copyOfRange(array, offset, offset + length);
  }
}
