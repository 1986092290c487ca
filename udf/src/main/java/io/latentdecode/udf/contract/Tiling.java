package io.latentdecode.udf.contract;

import java.io.Serializable;

/**
 * Whether and how latents larger than a tile are decoded in tiles. Sizes are in latent pixels.
 *
 * @param mode off, a fixed tile size, or a size chosen from the memory budget
 * @param tileSize the tile's side for {@link Mode#FIXED}; 0 otherwise
 * @param overlap the overlap between neighbouring blended tiles, or -1 for a quarter of the tile
 * @param method how the tiles make one image; {@link Method#AUTO} is resolved on the driver
 */
public record Tiling(Mode mode, int tileSize, int overlap, Method method) implements Serializable {
  public enum Mode {
    OFF,
    FIXED,
    AUTO
  }

  /** How tiles make one image. */
  public enum Method {
    /** Shared statistics where the decoder runs through the job's own graphs, else blend. */
    AUTO("auto"),
    /**
     * The job's own decode graphs, tile by tile, every GroupNorm with the statistics of the whole
     * map: the same pixels as the whole decode.
     */
    SHARED_STATISTICS("shared-statistics"),
    /** Overlapping tiles decoded independently and blended linearly across the overlap. */
    BLEND("blend");

    private final String text;

    Method(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    /** Parses {@code --tile-mode}. */
    public static Method parse(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      return switch (v) {
        case "auto" -> AUTO;
        case "shared-statistics", "shared" -> SHARED_STATISTICS;
        case "blend", "blended" -> BLEND;
        default ->
            throw new IllegalArgumentException(
                "Invalid --tile-mode '" + value + "': expected auto, shared-statistics or blend");
      };
    }
  }

  public static final Tiling OFF = new Tiling(Mode.OFF, 0, -1, Method.AUTO);
  public static final int MIN_TILE = 8;

  public Tiling {
    java.util.Objects.requireNonNull(method, "method is null");
    if (mode == Mode.FIXED && tileSize < MIN_TILE) {
      throw new IllegalArgumentException(
          "Invalid --tile-size " + tileSize + ": must be at least " + MIN_TILE + " latent pixels");
    }
    if (overlap < -1) {
      throw new IllegalArgumentException(
          "Invalid --tile-overlap " + overlap + ": must be 0 or more");
    }
    if (mode == Mode.FIXED && overlap >= 0 && overlap * 2 > tileSize) {
      throw new IllegalArgumentException(
          "Invalid --tile-overlap "
              + overlap
              + " for --tile-size "
              + tileSize
              + ": the overlap must be at most half the tile");
    }
  }

  /** Parses {@code --tile-size} ({@code off}, {@code auto} or a number), overlap and method. */
  public static Tiling parse(String size, Integer overlap, Method method) {
    int o = overlap == null ? -1 : overlap;
    return switch (size.toLowerCase(java.util.Locale.ROOT)) {
      case "off", "none" -> new Tiling(Mode.OFF, 0, o, method);
      case "auto" -> new Tiling(Mode.AUTO, 0, o, method);
      default -> {
        int n;
        try {
          n = Integer.parseInt(size);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "Invalid --tile-size '"
                  + size
                  + "': expected off, auto or a number of latent pixels");
        }
        yield new Tiling(Mode.FIXED, n, o, method);
      }
    };
  }

  public Tiling withMethod(Method m) {
    return new Tiling(mode, tileSize, overlap, m);
  }

  /** Whether tiles are decoded with the whole map's GroupNorm statistics. */
  public boolean sharesStatistics() {
    return method == Method.SHARED_STATISTICS;
  }

  /** The overlap for a tile of this size. */
  public int overlapFor(int tile) {
    return overlap >= 0 ? Math.min(overlap, tile / 2) : tile / 4;
  }

  public String text() {
    return switch (mode) {
      case OFF -> "off";
      case AUTO -> "auto";
      case FIXED -> Integer.toString(tileSize);
    };
  }
}
