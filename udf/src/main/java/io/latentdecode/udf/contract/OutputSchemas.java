package io.latentdecode.udf.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * The Arrow schemas of the output contract. Images: {@code id}, {@code image}, {@code format},
 * {@code width}, {@code height}, then the carried-through input columns. Errors: {@code id}, {@code
 * error_kind}, {@code message}. Both carry the run id, the model digest and the decode settings as
 * schema metadata.
 */
public final class OutputSchemas {
  public static final String ID = "id";
  public static final String IMAGE = "image";
  public static final String FORMAT = "format";
  public static final String WIDTH = "width";
  public static final String HEIGHT = "height";
  public static final String ERROR_KIND = "error_kind";
  public static final String MESSAGE = "message";

  /** A DataFrame decode's quarantine reason, next to {@link #ERROR_KIND} in the same row. */
  public static final String ERROR_MESSAGE = "error_message";

  public static final List<String> IMAGE_COLUMNS = List.of(ID, IMAGE, FORMAT, WIDTH, HEIGHT);

  public static final String META_RUN_ID = "latentdecode.run_id";
  public static final String META_MODEL_SHA256 = "latentdecode.model_sha256";
  public static final String META_MODEL_URI = "latentdecode.model_uri";
  public static final String META_SETTINGS = "latentdecode.decode_settings";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OutputSchemas() {}

  public static Schema images(TaskPlan plan) {
    List<Field> fields = new ArrayList<>();
    fields.add(notNull(ID, ArrowType.Utf8.INSTANCE));
    fields.add(notNull(IMAGE, ArrowType.Binary.INSTANCE));
    fields.add(notNull(FORMAT, ArrowType.Utf8.INSTANCE));
    fields.add(notNull(WIDTH, new ArrowType.Int(32, true)));
    fields.add(notNull(HEIGHT, new ArrowType.Int(32, true)));
    if (!plan.carriedColumns().isEmpty()) {
      fields.addAll(
          ArrowUtils.toArrowSchema(plan.carriedColumns(), plan.sessionTimeZone(), true, false)
              .getFields());
    }
    return new Schema(fields, metadata(plan));
  }

  /** {@link #images} as Spark types: what the Parquet files are written from. */
  public static StructType imagesSpark(TaskPlan plan) {
    StructType images =
        new StructType()
            .add(ID, DataTypes.StringType, false)
            .add(IMAGE, DataTypes.BinaryType, false)
            .add(FORMAT, DataTypes.StringType, false)
            .add(WIDTH, DataTypes.IntegerType, false)
            .add(HEIGHT, DataTypes.IntegerType, false);
    for (StructField carried : plan.carriedColumns().fields()) {
      images = images.add(carried);
    }
    return images;
  }

  /**
   * The rows of a DataFrame decode: the image columns (null where the row was quarantined), the
   * carried-through columns, then {@code error_kind} and {@code error_message} (null where it was
   * decoded).
   */
  public static StructType decodedRows(StructType carriedColumns) {
    StructType rows =
        new StructType()
            .add(ID, DataTypes.StringType, false)
            .add(IMAGE, DataTypes.BinaryType, true)
            .add(FORMAT, DataTypes.StringType, true)
            .add(WIDTH, DataTypes.IntegerType, true)
            .add(HEIGHT, DataTypes.IntegerType, true);
    for (StructField carried : carriedColumns.fields()) {
      rows = rows.add(carried);
    }
    return rows.add(ERROR_KIND, DataTypes.StringType, true)
        .add(ERROR_MESSAGE, DataTypes.StringType, true);
  }

  public static Schema errors(TaskPlan plan) {
    return new Schema(
        List.of(
            notNull(ID, ArrowType.Utf8.INSTANCE),
            notNull(ERROR_KIND, ArrowType.Utf8.INSTANCE),
            notNull(MESSAGE, ArrowType.Utf8.INSTANCE)),
        metadata(plan));
  }

  /** The decode settings as the JSON object stored in schema metadata and the run report. */
  public static Map<String, Object> settingsJson(DecodeSettings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    LatentConvention c = s.convention();
    m.put("preset", c.name());
    m.put("scaling_factor", c.scalingFactor());
    m.put("shift_factor", c.shiftFactor());
    if (c.hasChannelStatistics()) {
      m.put("latents_mean", c.latentsMean());
      m.put("latents_std", c.latentsStd());
    }
    m.put("latent_channels", c.requiredChannels());
    m.put("output_range", c.outputRange().text());
    m.put("packed_latents", s.packing().text());
    m.put("precision", s.precision().text());
    m.put("max_image_pixels", s.maxImagePixels());
    m.put("tile_size", s.tiling().text());
    if (s.tiling().mode() != Tiling.Mode.OFF) {
      m.put("tile_mode", s.tiling().method().text());
      if (!s.tiling().sharesStatistics()) {
        m.put("tile_overlap", s.tiling().overlap() < 0 ? "auto" : s.tiling().overlap());
      }
    }
    m.put("image_format", s.imageFormat().text());
    if (s.imageFormat() == ImageFormat.PNG) {
      m.put("png_compression", s.encoding().pngCompressionLevel());
    } else if (s.imageFormat() == ImageFormat.JPEG) {
      m.put("jpeg_quality", s.encoding().jpegQuality());
    } else if (s.imageFormat() == ImageFormat.WEBP) {
      m.put("webp_quality", s.encoding().webpLossless() ? "lossless" : s.encoding().webpQuality());
    }
    m.put("batch_size", s.batchSize() == DecodeSettings.BATCH_SIZE_AUTO ? "auto" : s.batchSize());
    m.put("device", s.device().text());
    return m;
  }

  /** {@link #settingsJson} as a JSON string. */
  public static String settingsText(DecodeSettings s) {
    try {
      return JSON.writeValueAsString(settingsJson(s));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> metadata(TaskPlan plan) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(META_RUN_ID, plan.runId());
    m.put(META_MODEL_SHA256, plan.model().sha256());
    m.put(META_MODEL_URI, plan.model().uri());
    m.put(META_SETTINGS, settingsText(plan.settings()));
    return m;
  }

  private static Field notNull(String name, ArrowType type) {
    return new Field(name, FieldType.notNullable(type), null);
  }
}
