package io.latentdecode.udf.contract;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The WebDataset key of an image id, and back. WebDataset groups a shard's members into samples by
 * the name before its first dot, and a slash would make a folder: the key keeps ASCII letters,
 * digits, {@code -} and {@code _} of the id and writes every other UTF-8 byte as {@code %XX}
 * (percent-encoding, upper-case hex), so every id has one key with neither, and the key gives the
 * id back. The original id is also in each sample's JSON.
 */
public final class SampleKeys {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private SampleKeys() {}

  public static String key(String id) {
    StringBuilder key = new StringBuilder(id.length() + 8);
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      if (kept(b)) {
        key.append((char) b);
      } else {
        key.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
      }
    }
    return key.toString();
  }

  /** The id a key was made from; throws for a string no id gives. */
  public static String id(String key) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '%' && i + 2 < key.length()) {
        int high = Character.digit(key.charAt(i + 1), 16);
        int low = Character.digit(key.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          throw new IllegalArgumentException("Not a sample key: '" + key + "'");
        }
        bytes.write(high << 4 | low);
        i += 2;
      } else if (c < 128 && kept((byte) c)) {
        bytes.write(c);
      } else {
        throw new IllegalArgumentException("Not a sample key: '" + key + "'");
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean kept(byte b) {
    return b >= 'a' && b <= 'z'
        || b >= 'A' && b <= 'Z'
        || b >= '0' && b <= '9'
        || b == '-'
        || b == '_';
  }
}
