package io.latentdecode.udf.contract;

import java.nio.charset.StandardCharsets;

/**
 * The relative path of an image id in a {@code --output-format files} output, and back. The id's
 * slashes make folders; ASCII letters, digits, {@code -}, {@code _} and {@code .} stay; every other
 * UTF-8 byte is written {@code %XX}, and so is a segment's first {@code .} or {@code _} (readers
 * skip such names, and {@code ..} would leave the output). An id with an empty segment (a leading,
 * trailing or double slash) has all its slashes written {@code %2F}; the empty id is {@code %}.
 * Percent-decoding the path gives the id back.
 */
public final class ImagePaths {
  /** The path of the empty id: a lone {@code %}, which no other id gives ({@code %} is %25). */
  private static final String EMPTY_ID = "%";

  private ImagePaths() {}

  /** The path, relative to the output and without the file extension, of this id's image. */
  public static String path(String id) {
    boolean folders =
        !id.isEmpty() && !id.startsWith("/") && !id.endsWith("/") && !id.contains("//");
    StringBuilder path = new StringBuilder(id.length() + 8);
    boolean segmentStart = true;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      if (b == '/' && folders) {
        path.append('/');
        segmentStart = true;
        continue;
      }
      boolean kept =
          b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-';
      boolean keptInside = b == '_' || b == '.';
      if (kept || keptInside && !segmentStart) {
        path.append((char) b);
      } else {
        PercentEncoding.appendEscaped(path, b);
      }
      segmentStart = false;
    }
    return id.isEmpty() ? EMPTY_ID : path.toString();
  }

  /** The id whose image is at this relative path (without its extension). */
  public static String id(String path) {
    return path.equals(EMPTY_ID) ? "" : PercentEncoding.decode(path);
  }
}
