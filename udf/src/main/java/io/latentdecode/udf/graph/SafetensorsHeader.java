package io.latentdecode.udf.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a safetensors weights file, read from its first bytes only and checked against the
 * file's length before any tensor is read: every tensor's bytes lie inside the file, hold exactly
 * what its dtype and shape need, and no two tensors overlap. A header that lies about sizes or
 * offsets, or a truncated file, is refused here with the tensor it concerns.
 *
 * @param dataStart the file offset of the data section (8 + header length)
 * @param tensors every tensor by its name in the file, in file order
 */
public record SafetensorsHeader(long dataStart, Map<String, Tensor> tensors) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 100L * 1024 * 1024;

  /** One tensor's entry: dtype as the file names it, shape, and byte range in the data section. */
  public record Tensor(String name, String dtype, long[] shape, long begin, long end) {
    public long bytes() {
      return end - begin;
    }

    public long elements() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }

    public String shapeText() {
      return Arrays.toString(shape);
    }
  }

  public SafetensorsHeader {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  /** Bytes per element of the dtypes a decoder's weights may have, else 0. */
  public static int weightDtypeBytes(String dtype) {
    return switch (dtype) {
      case "F32" -> 4;
      case "F16", "BF16" -> 2;
      default -> 0;
    };
  }

  /**
   * Reads and checks the header.
   *
   * @param in the file's bytes from its start; only the header is read
   * @param fileLength the file's length in bytes
   * @param fileName how messages name the file
   * @throws InvalidModelException when the file is not valid safetensors
   */
  public static SafetensorsHeader read(InputStream in, long fileLength, String fileName)
      throws IOException {
    if (fileLength < 8) {
      throw invalid(fileName, "is " + fileLength + " bytes, too short for a safetensors header");
    }
    byte[] prefix = readFully(in, 8, fileName);
    long headerLength = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > fileLength) {
      throw invalid(
          fileName,
          "is not a safetensors file or is truncated: its header length "
              + headerLength
              + " does not fit a file of "
              + fileLength
              + " bytes");
    }
    JsonNode header;
    try {
      header =
          JSON.readTree(
              new String(readFully(in, (int) headerLength, fileName), StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw invalid(
          fileName, "has a safetensors header that is not JSON: " + e.getOriginalMessage());
    }
    if (header == null || !header.isObject()) {
      throw invalid(fileName, "has a safetensors header that is not a JSON object");
    }
    long dataStart = 8 + headerLength;
    long dataLength = fileLength - dataStart;
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : header.properties()) {
      if (!field.getKey().equals("__metadata__")) {
        tensors.put(field.getKey(), tensor(field.getKey(), field.getValue(), dataLength, fileName));
      }
    }
    checkNoOverlap(tensors.values(), fileName);
    return new SafetensorsHeader(dataStart, tensors);
  }

  private static Tensor tensor(String name, JsonNode info, long dataLength, String fileName)
      throws InvalidModelException {
    JsonNode shapeNode = info.path("shape");
    JsonNode offsets = info.path("data_offsets");
    if (!info.path("dtype").isTextual()
        || !shapeNode.isArray()
        || !offsets.isArray()
        || offsets.size() != 2) {
      throw invalid(fileName, "tensor '" + name + "' lacks dtype, shape or data_offsets: " + info);
    }
    String dtype = info.get("dtype").asText();
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).canConvertToLong() ? shapeNode.get(i).asLong() : -1;
      if (shape[i] < 0) {
        throw invalid(fileName, "tensor '" + name + "' has an invalid shape " + shapeNode);
      }
    }
    long begin = offsets.get(0).canConvertToLong() ? offsets.get(0).asLong() : -1;
    long end = offsets.get(1).canConvertToLong() ? offsets.get(1).asLong() : -1;
    Tensor t = new Tensor(name, dtype, shape, begin, end);
    if (begin < 0 || end < begin) {
      throw invalid(
          fileName, "tensor '" + name + "' has invalid data_offsets [" + begin + ", " + end + "]");
    }
    if (end > dataLength) {
      throw invalid(
          fileName,
          "is truncated or its header lies: tensor '"
              + name
              + "' ends at data byte "
              + end
              + " but the file holds "
              + dataLength
              + " data bytes");
    }
    int size = weightDtypeBytes(dtype);
    if (size > 0 && t.bytes() != t.elements() * size) {
      throw invalid(
          fileName,
          "has a header that lies about tensor '"
              + name
              + "': data_offsets ["
              + begin
              + ", "
              + end
              + "] hold "
              + t.bytes()
              + " bytes but "
              + dtype
              + " "
              + t.shapeText()
              + " needs "
              + t.elements() * size);
    }
    return t;
  }

  private static void checkNoOverlap(java.util.Collection<Tensor> tensors, String fileName)
      throws InvalidModelException {
    List<Tensor> byOffset = new ArrayList<>(tensors);
    byOffset.removeIf(t -> t.bytes() == 0);
    byOffset.sort(Comparator.comparingLong(Tensor::begin));
    for (int i = 1; i < byOffset.size(); i++) {
      Tensor a = byOffset.get(i - 1);
      Tensor b = byOffset.get(i);
      if (b.begin() < a.end()) {
        throw invalid(
            fileName,
            "has a header that lies about offsets: tensors '"
                + a.name()
                + "' and '"
                + b.name()
                + "' overlap");
      }
    }
  }

  private static byte[] readFully(InputStream in, int n, String fileName) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length != n) {
      throw new EOFException(fileName + " ended inside its safetensors header");
    }
    return bytes;
  }

  private static InvalidModelException invalid(String fileName, String message) {
    return new InvalidModelException(fileName + " " + message);
  }
}
