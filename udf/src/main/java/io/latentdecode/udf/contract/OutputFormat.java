package io.latentdecode.udf.contract;

import java.util.Locale;

/**
 * The files a run's images are written as ({@code --output-format}). Quarantined rows are Arrow
 * files in {@code _errors/} whatever the images' format.
 */
public enum OutputFormat {
  /** Arrow IPC files (the first output contract): {@code part-*.arrow}. */
  ARROW(".arrow", "Arrow IPC"),
  /**
   * Parquet files with the Arrow files' columns and schema metadata: {@code part-*.parquet}, one
   * row per image.
   */
  PARQUET(".parquet", "Parquet"),
  /**
   * WebDataset tar shards: {@code part-*.tar}, each image a sample {@code KEY.<png|jpg|webp|raw>} +
   * {@code KEY.json} (KEY from {@link SampleKeys}).
   */
  WEBDATASET(".tar", "WebDataset"),
  /**
   * One image file per id, at {@link ImagePaths#path} of the id: {@code .png}, {@code .jpg}, {@code
   * .webp} or {@code .raw}. For small runs and eyeballing.
   */
  FILES(null, "image");

  public static final OutputFormat DEFAULT = ARROW;

  private final String suffix;
  private final String title;

  OutputFormat(String suffix, String title) {
    this.suffix = suffix;
    this.title = title;
  }

  /** The format's name in messages: "Arrow IPC", "Parquet". */
  public String title() {
    return title;
  }

  /** The spelling on the command line and in the run report. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The image files' name suffix, with its dot ({@link #FILES}: one per image format). */
  public String suffix() {
    if (suffix == null) {
      throw new IllegalStateException(this + " files end in their image format's extension");
    }
    return suffix;
  }

  /**
   * The format whose part files end so ({@code part-*.arrow}, {@code .parquet}, {@code .tar}), or
   * null for a name no such file has.
   */
  public static OutputFormat ofFileName(String name) {
    for (OutputFormat f : values()) {
      if (f.suffix != null && name.endsWith(f.suffix)) {
        return f;
      }
    }
    return null;
  }

  public static OutputFormat parse(String text) {
    for (OutputFormat f : values()) {
      if (f.text().equalsIgnoreCase(text)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "Invalid output format '" + text + "': expected arrow, parquet, webdataset or files");
  }
}
