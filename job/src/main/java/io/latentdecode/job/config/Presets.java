package io.latentdecode.job.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Named decode conventions ({@code --preset sdxl}) and preset files ({@code --preset my-vae.json}).
 * The built-in presets are the JSON files in {@code conf/presets/}, carried in the jar; a user
 * copies one, edits it and passes its path.
 */
public final class Presets {
  /** The built-in presets, in the order the help lists them. */
  public static final List<String> BUILT_IN =
      List.of("sd15", "sdxl", "sd3", "flux1", "taesd", "taesdxl", "taesd3", "taef1", "taef2");

  static final String RESOURCE_DIR = "/presets/";
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "description",
          "scaling_factor",
          "shift_factor",
          "latents_mean",
          "latents_std",
          "latent_channels",
          "output_range");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Presets() {}

  /** A built-in preset by name, or a preset file by path. */
  public static LatentConvention load(String nameOrFile) {
    if (BUILT_IN.contains(nameOrFile)) {
      try (InputStream in =
          Presets.class.getResourceAsStream(RESOURCE_DIR + nameOrFile + ".json")) {
        if (in == null) {
          throw new IllegalStateException(
              "built-in preset " + nameOrFile + " missing from the jar");
        }
        return parse(JSON.readTree(in), nameOrFile);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read built-in preset " + nameOrFile, e);
      }
    }
    Path file = Path.of(nameOrFile);
    try {
      return parse(JSON.readTree(Files.readString(file)), file.toString());
    } catch (NoSuchFileException e) {
      throw new JobSetupException(
          "Cannot run: --preset "
              + nameOrFile
              + " is neither a built-in preset ("
              + String.join(", ", BUILT_IN)
              + ") nor an existing file; copy one from conf/presets/ and edit it");
    } catch (IOException e) {
      throw new JobSetupException(
          "Cannot run: --preset " + nameOrFile + " is not a readable JSON file: " + e.getMessage());
    }
  }

  static LatentConvention parse(JsonNode json, String source) {
    if (!json.isObject()) {
      throw invalid(source, "expected a JSON object");
    }
    for (var property : json.properties()) {
      String key = property.getKey();
      if (!KEYS.contains(key)) {
        throw invalid(source, "unknown key '" + key + "'; a preset has " + String.join(", ", KEYS));
      }
    }
    if (!json.path("scaling_factor").isNumber()) {
      throw invalid(source, "'scaling_factor' must be a number");
    }
    try {
      return new LatentConvention(
          json.path("name").asText(source),
          json.get("scaling_factor").asDouble(),
          number(json, "shift_factor", source, 0.0),
          numbers(json, "latents_mean", source),
          numbers(json, "latents_std", source),
          (int) number(json, "latent_channels", source, 0),
          json.hasNonNull("output_range")
              ? OutputRange.parse(json.get("output_range").asText())
              : OutputRange.MINUS_ONE_TO_ONE);
    } catch (IllegalArgumentException e) {
      throw invalid(source, e.getMessage());
    }
  }

  private static double number(JsonNode json, String key, String source, double otherwise) {
    JsonNode v = json.get(key);
    if (v == null || v.isNull()) {
      return otherwise;
    }
    if (!v.isNumber()) {
      throw invalid(source, "'" + key + "' must be a number, got " + v);
    }
    return v.asDouble();
  }

  private static List<Double> numbers(JsonNode json, String key, String source) {
    JsonNode v = json.get(key);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw invalid(source, "'" + key + "' must be a list of numbers (one per channel) or null");
    }
    List<Double> out = new ArrayList<>();
    for (JsonNode n : v) {
      if (!n.isNumber()) {
        throw invalid(source, "'" + key + "' holds " + n + "; every value must be a number");
      }
      out.add(n.asDouble());
    }
    return out;
  }

  private static JobSetupException invalid(String source, String why) {
    return new JobSetupException("Cannot run: invalid preset " + source + ": " + why);
  }
}
