package io.latentdecode.job;

import io.latentdecode.job.cli.DecodeFlags;
import io.latentdecode.job.config.RunOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link LatentDecode#decode} decodes: the decode flags of {@code latent-decode run}, with
 * their names, defaults and checks (they are parsed by the CLI's own options). Build one with
 * {@link #builder()}, or from flags as the CLI takes them with {@link #of(String...)} (handy from
 * PySpark). The flags about files and the run itself ({@code --input}, {@code --output}, {@code
 * --output-format}, {@code --mode}, ...) are refused: the Dataset is the input, and the caller's
 * Spark writer writes the result.
 */
public final class DecodeOptions {
  private final List<String> flags;
  private final RunOptions run;

  private DecodeOptions(List<String> flags) {
    this.flags = List.copyOf(flags);
    this.run = DecodeFlags.parse(this.flags);
  }

  /**
   * From flags as {@code run} takes them: {@code of("--model", "vae/", "--preset", "sdxl")};
   * IllegalArgumentException naming a bad flag or value.
   */
  public static DecodeOptions of(String... flags) {
    return new DecodeOptions(List.of(flags));
  }

  /** {@link #of(String...)} for a list (what py4j passes for a Python list). */
  public static DecodeOptions of(List<String> flags) {
    return new DecodeOptions(flags);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The flags, as given. */
  public List<String> flags() {
    return flags;
  }

  RunOptions run() {
    return run;
  }

  @Override
  public String toString() {
    return String.join(" ", flags);
  }

  /** The flags one method each, named as the CLI's; {@link #flag} for every other one. */
  public static final class Builder {
    private final List<String> flags = new ArrayList<>();

    private Builder() {}

    /**
     * Any decode flag of {@code run} by its name ({@code "jpeg-quality"} or {@code
     * "--jpeg-quality"}).
     */
    public Builder flag(String name, String value) {
      flags.add(name.startsWith("--") ? name : "--" + name);
      flags.add(value);
      return this;
    }

    /** A flag without a value ({@code "webp-lossless"}). */
    public Builder flag(String name) {
      flags.add(name.startsWith("--") ? name : "--" + name);
      return this;
    }

    /**
     * {@code --model}: a diffusers folder, a safetensors checkpoint, a TAESD decoder, TorchScript.
     */
    public Builder model(String uri) {
      return flag("--model", uri);
    }

    public Builder modelVariant(String variant) {
      return flag("--model-variant", variant);
    }

    public Builder preset(String nameOrFile) {
      return flag("--preset", nameOrFile);
    }

    public Builder scalingFactor(double factor) {
      return flag("--scaling-factor", Double.toString(factor));
    }

    public Builder shiftFactor(double factor) {
      return flag("--shift-factor", Double.toString(factor));
    }

    /** {@code -1,1} or {@code 0,1}. */
    public Builder outputRange(String range) {
      return flag("--output-range", range);
    }

    /** {@code auto}, {@code fp32}, {@code fp16}, {@code bf16}. */
    public Builder precision(String precision) {
      return flag("--precision", precision);
    }

    /** {@code auto}, {@code cpu}, {@code gpu}. */
    public Builder device(String device) {
      return flag("--device", device);
    }

    /** {@code auto} or a count. */
    public Builder batchSize(String size) {
      return flag("--batch-size", size);
    }

    /** {@code png}, {@code jpeg}, {@code webp}, {@code raw}. */
    public Builder imageFormat(String format) {
      return flag("--image-format", format);
    }

    /** {@code off}, {@code auto} or a side in latent pixels. */
    public Builder tileSize(String size) {
      return flag("--tile-size", size);
    }

    /** IllegalArgumentException naming a bad flag or value. */
    public DecodeOptions build() {
      return new DecodeOptions(flags);
    }
  }
}
