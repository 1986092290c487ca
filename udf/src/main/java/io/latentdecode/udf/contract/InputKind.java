package io.latentdecode.udf.contract;

import java.util.Locale;

/**
 * The latent file formats the job reads. The driver turns each into rows of a fixed layout (see
 * {@link #rowLayout()}) so that the executor side reads any of them the same way.
 */
public enum InputKind {
  /**
   * {@code .npy} files, id = path relative to the input without {@code .npy}; {@code [N, C, h, w]}
   * gives N latents {@code id/0 ...}.
   */
  NPY,
  /** {@code .safetensors} files: every tensor is a latent, id {@code file-stem/tensor-name}. */
  SAFETENSORS,
  /**
   * Parquet rows: {@code id}, {@code latent}, {@code shape}, optional {@code dtype}, other columns
   * carried.
   */
  PARQUET,
  /** Arrow IPC files ({@code .arrow}) with the same columns as Parquet. */
  ARROW;

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The file name suffix that marks this format. */
  public String suffix() {
    return "." + text();
  }

  /** Column order of the rows the executor side receives for this kind. */
  public String rowLayout() {
    return switch (this) {
      case NPY, SAFETENSORS, ARROW -> "path: string, content: binary";
      case PARQUET ->
          "id: string, latent: binary, shape: array<int>, dtype: string, carry: struct (when"
              + " columns are carried), file: string (the input file's path)";
    };
  }

  public static InputKind parse(String text) {
    for (InputKind k : values()) {
      if (k.text().equalsIgnoreCase(text)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "Invalid input format '" + text + "': expected npy, safetensors, parquet or arrow");
  }
}
