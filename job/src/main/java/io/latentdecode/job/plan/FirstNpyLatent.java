package io.latentdecode.job.plan;

import io.latentdecode.udf.contract.InputFile;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.LatentPacking;
import io.latentdecode.udf.latent.LatentException;
import io.latentdecode.udf.latent.NpyFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What the driver knows of the latents before any task reads one: the header of the input's first
 * {@code .npy} file. Only a hint for checks: a file that cannot be read is the tasks' to
 * quarantine.
 */
public final class FirstNpyLatent {
  private static final int HEADER_BYTES = 64 * 1024;

  private final String file;
  private final int[] shape;

  private FirstNpyLatent(String file, int[] shape) {
    this.file = file;
    this.shape = shape;
  }

  /** The input's first {@code .npy} file's header, or empty for other inputs or no readable one. */
  public static Optional<FirstNpyLatent> of(FileSystem fs, InputListing input, InputKind kind) {
    if (kind != InputKind.NPY) {
      return Optional.empty();
    }
    try {
      Optional<InputFile> file = InputFiles.firstFile(input, InputKind.NPY);
      if (file.isEmpty()) {
        return Optional.empty();
      }
      byte[] head = new byte[HEADER_BYTES];
      int read;
      try (InputStream in = fs.open(new Path(file.get().path()))) {
        read = in.readNBytes(head, 0, head.length);
      }
      int[] shape = NpyFile.readHeader(Arrays.copyOf(head, read)).shape();
      return Optional.of(new FirstNpyLatent(file.get().path(), shape));
    } catch (IOException | LatentException e) {
      return Optional.empty();
    }
  }

  /** A single {@code [C, h, w]} latent's shape, or null where the file holds another layout. */
  public int[] singleLatentShape() {
    return shape.length == 3 ? shape.clone() : null;
  }

  /**
   * The channels of the latents the file holds as the tasks read them ({@code [C, h, w]}, {@code
   * [N, C, h, w]}, FLUX-packed {@code [h*w/4, 4*C]} or, declared packed, {@code [N, h*w/4, 4*C]}),
   * as the channels the driver's model check decodes a tiny latent with.
   */
  public ExpectedChannels channels(LatentPacking packing) {
    int count =
        switch (shape.length) {
          case 2 -> packedChannels(shape[1]);
          case 3 -> packing.declared() ? packedChannels(shape[2]) : shape[0];
          case 4 -> shape[1];
          default -> 0;
        };
    return ExpectedChannels.ofInput(count, file);
  }

  private static int packedChannels(int features) {
    return features % 4 == 0 ? features / 4 : 0;
  }
}
