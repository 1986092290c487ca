package io.latentdecode.udf.contract;

import java.nio.charset.StandardCharsets;

/**
 * The WebDataset key of an image id, and back. WebDataset groups a shard's members into samples by
 * the name before its first dot, and a slash would make a folder: the key keeps ASCII letters,
 * digits, {@code -} and {@code _} of the id and writes every other UTF-8 byte as {@code %XX}
 * (percent-encoding, upper-case hex), so every id has one key with neither, and the key gives the
 * id back. The original id is also in each sample's JSON.
 */
public final class SampleKeys {
  private SampleKeys() {}

  public static String key(String id) {
    StringBuilder key = new StringBuilder(id.length() + 8);
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      if (kept(b)) {
        key.append((char) b);
      } else {
        PercentEncoding.appendEscaped(key, b);
      }
    }
    return key.toString();
  }

  /** The id a key was made from; throws for a string no id gives. */
  public static String id(String key) {
    String id = PercentEncoding.decode(key);
    if (!key(id).equals(key)) {
      throw new IllegalArgumentException("Not a sample key: '" + key + "'");
    }
    return id;
  }

  private static boolean kept(byte b) {
    return b >= 'a' && b <= 'z'
        || b >= 'A' && b <= 'Z'
        || b >= '0' && b <= '9'
        || b == '-'
        || b == '_';
  }
}
