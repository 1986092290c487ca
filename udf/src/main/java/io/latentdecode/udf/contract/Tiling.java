package io.latentdecode.udf.contract;

import java.io.Serializable;

/**
 * Whether and how latents larger than a tile are decoded in overlapping tiles, blended linearly in
 * the overlap. Sizes are in latent pixels.
 *
 * @param mode off, a fixed tile size, or a size chosen from the memory budget
 * @param tileSize the tile's side for {@link Mode#FIXED}; 0 otherwise
 * @param overlap the overlap between neighbouring tiles, or -1 for a quarter of the tile
 */
public record Tiling(Mode mode, int tileSize, int overlap) implements Serializable {
  public enum Mode {
    OFF,
    FIXED,
    AUTO
  }

  public static final Tiling OFF = new Tiling(Mode.OFF, 0, -1);
  public static final int MIN_TILE = 8;

  public Tiling {
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

  /** Parses {@code --tile-size} ({@code off}, {@code auto} or a number) and the overlap. */
  public static Tiling parse(String size, Integer overlap) {
    int o = overlap == null ? -1 : overlap;
    return switch (size.toLowerCase(java.util.Locale.ROOT)) {
      case "off", "none" -> new Tiling(Mode.OFF, 0, o);
      case "auto" -> new Tiling(Mode.AUTO, 0, o);
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
        yield new Tiling(Mode.FIXED, n, o);
      }
    };
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
