package io.latentdecode.udf.latent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.udf.contract.ErrorKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the safetensors format: an 8-byte little-endian header length, a JSON header naming each
 * tensor's {@code dtype}, {@code shape} and {@code data_offsets}, then the raw bytes. No code runs
 * on load, which is why the job takes it and refuses pickle files.
 */
public final class SafetensorsFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 100L * 1024 * 1024;

  private SafetensorsFile() {}

  /** One named tensor of the file, or why that tensor cannot be a latent. */
  public record Entry(String name, RawTensor tensor, LatentException problem) {}

  /**
   * Every tensor in the file, by name in sorted order.
   *
   * @throws LatentException when the file itself is not readable as safetensors
   */
  public static Map<String, Entry> read(byte[] file) throws LatentException {
    if (file.length < 8) {
      throw invalid("not a safetensors file: " + file.length + " bytes, shorter than its header");
    }
    long headerLength = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > file.length) {
      throw invalid(
          "not a safetensors file or truncated: header length "
              + headerLength
              + " for a file of "
              + file.length
              + " bytes");
    }
    JsonNode header;
    try {
      header = JSON.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw invalid("the safetensors header is not JSON: " + e.getMessage());
    }
    if (header == null || !header.isObject()) {
      throw invalid("the safetensors header is not a JSON object");
    }
    int dataStart = 8 + (int) headerLength;
    Map<String, Entry> entries = new TreeMap<>();
    for (Map.Entry<String, JsonNode> field : header.properties()) {
      if (field.getKey().equals("__metadata__")) {
        continue;
      }
      try {
        entries.put(
            field.getKey(),
            new Entry(field.getKey(), tensor(field.getValue(), file, dataStart), null));
      } catch (LatentException e) {
        entries.put(field.getKey(), new Entry(field.getKey(), null, e));
      }
    }
    return entries;
  }

  private static RawTensor tensor(JsonNode info, byte[] file, int dataStart)
      throws LatentException {
    String dtypeText = info.path("dtype").asText("");
    LatentDtype dtype =
        switch (dtypeText) {
          case "F32" -> LatentDtype.FLOAT32;
          case "F16" -> LatentDtype.FLOAT16;
          case "BF16" -> LatentDtype.BFLOAT16;
          default ->
              throw new LatentException(
                  ErrorKind.UNSUPPORTED_DTYPE,
                  "unsupported safetensors dtype '" + dtypeText + "': expected F32, F16 or BF16");
        };
    JsonNode shapeNode = info.path("shape");
    JsonNode offsets = info.path("data_offsets");
    if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
      throw invalid("the safetensors header entry lacks shape or data_offsets: " + info);
    }
    int[] shape = new int[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asInt(-1);
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin || dataStart + end > file.length) {
      throw invalid(
          "data_offsets ["
              + begin
              + ", "
              + end
              + "] lie outside the file's "
              + (file.length - dataStart)
              + " data bytes (truncated file?)");
    }
    return new RawTensor(shape, dtype, file, (int) (dataStart + begin), (int) (end - begin));
  }

  private static LatentException invalid(String message) {
    return new LatentException(ErrorKind.INVALID_LATENT, message);
  }
}
