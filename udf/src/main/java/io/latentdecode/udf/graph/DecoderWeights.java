package io.latentdecode.udf.graph;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tensors of a weights file that one decoder architecture needs, each matched by its canonical
 * name and checked: present, of shape the architecture gives (LDM's 1x1 attention convs count as
 * the linear layers they are), in F32, F16 or BF16. Used on the driver to refuse a model before any
 * task, and on executors to know what to read.
 *
 * @param tensors canonical name to the file's tensor, in the architecture's order
 */
public record DecoderWeights(
    DecoderArchitecture architecture,
    WeightLayout layout,
    long dataStart,
    Map<String, SafetensorsHeader.Tensor> tensors) {

  /**
   * @param source how messages name where the architecture came from (e.g. "config.json")
   * @throws InvalidModelException naming the first tensor that is missing or misshapen
   */
  public static DecoderWeights match(
      DecoderArchitecture architecture,
      WeightLayout layout,
      SafetensorsHeader header,
      String fileName,
      String source)
      throws InvalidModelException {
    Map<String, String> names = layout.canonicalNames(header.tensors().keySet());
    Map<String, SafetensorsHeader.Tensor> matched = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> need : architecture.tensors().entrySet()) {
      String canonical = need.getKey();
      String fileKey = names.get(canonical);
      if (fileKey == null) {
        throw new InvalidModelException(
            fileName
                + " lacks tensor '"
                + canonical
                + "' ("
                + layout.description()
                + " naming), shape "
                + Arrays.toString(need.getValue())
                + ", that the "
                + architecture.name()
                + " of "
                + source
                + " needs");
      }
      SafetensorsHeader.Tensor t = header.tensors().get(fileKey);
      if (!sameShape(need.getValue(), t.shape())) {
        throw new InvalidModelException(
            fileName
                + ": tensor '"
                + fileKey
                + "' has shape "
                + t.shapeText()
                + " but the "
                + architecture.name()
                + " of "
                + source
                + " needs "
                + Arrays.toString(need.getValue()));
      }
      if (SafetensorsHeader.weightDtypeBytes(t.dtype()) == 0) {
        throw new InvalidModelException(
            fileName
                + ": tensor '"
                + fileKey
                + "' has dtype "
                + t.dtype()
                + "; decoder weights must be F32, F16 or BF16");
      }
      matched.put(canonical, t);
    }
    return new DecoderWeights(architecture, layout, header.dataStart(), matched);
  }

  /** The file's decoder tensors by canonical name. */
  public static Map<String, SafetensorsHeader.Tensor> canonicalTensors(
      WeightLayout layout, SafetensorsHeader header) {
    Map<String, SafetensorsHeader.Tensor> out = new LinkedHashMap<>();
    layout
        .canonicalNames(header.tensors().keySet())
        .forEach((canonical, fileKey) -> out.put(canonical, header.tensors().get(fileKey)));
    return out;
  }

  /** The architecture the tensors of a file in this layout describe (for files without config). */
  public static DecoderArchitecture inferArchitecture(
      WeightLayout layout, SafetensorsHeader header, String fileName) throws InvalidModelException {
    Map<String, SafetensorsHeader.Tensor> canonical = canonicalTensors(layout, header);
    return layout.isTiny()
        ? TaesdArchitecture.infer(canonical, fileName)
        : AutoencoderKlArchitecture.infer(canonical, fileName);
  }

  /** Equal shapes, or a linear layer's [out, in] stored as a 1x1 conv's [out, in, 1, 1]. */
  static boolean sameShape(long[] expected, long[] found) {
    if (Arrays.equals(expected, found)) {
      return true;
    }
    return expected.length == 2
        && found.length == 4
        && found[0] == expected[0]
        && found[1] == expected[1]
        && found[2] == 1
        && found[3] == 1;
  }

  public long parameterCount() {
    return tensors.values().stream().mapToLong(SafetensorsHeader.Tensor::elements).sum();
  }

  /** Parameters per dtype as stored in the file. */
  public Map<String, Long> dtypesOnDisk() {
    Map<String, Long> byDtype = new TreeMap<>();
    tensors.values().forEach(t -> byDtype.merge(t.dtype(), t.elements(), Long::sum));
    return byDtype;
  }
}
