package io.latentdecode.job;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Run ids sort by start time and are unique: {@code 20261122T021653Z-3f9a1c}. */
public final class RunId {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunId() {}

  public static String next(Instant now) {
    byte[] suffix = new byte[3];
    RANDOM.nextBytes(suffix);
    return FORMAT.format(now) + "-" + HexFormat.of().formatHex(suffix);
  }
}
