package io.latentdecode.job.bench;

import io.latentdecode.job.output.ImageFiles;
import io.latentdecode.udf.contract.EncodingOptions;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.image.ImageEncoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * The job's PNG encoder against {@code javax.imageio} on the same decoded images (the raw output of
 * the benchmark's job run), side by side: MB of pixels encoded per second and total file size.
 */
final class PngEncoderComparison {
  private record Image(byte[] pixels, int height, int width) {}

  private PngEncoderComparison() {}

  static void run(Path rawOutput, int rounds, PrintWriter out) throws IOException {
    List<Image> images = new ArrayList<>();
    org.apache.hadoop.fs.Path output = new org.apache.hadoop.fs.Path(rawOutput.toUri());
    FileSystem fs = output.getFileSystem(new Configuration());
    ImageFiles.forEach(fs, output, i -> images.add(new Image(i.image(), i.height(), i.width())));
    long pixelBytes = images.stream().mapToLong(i -> i.pixels().length).sum();
    for (int warmup = 0; warmup < 2; warmup++) {
      imageIo(images);
      pngEncoder(images, EncodingOptions.PNG_COMPRESSION_DEFAULT);
    }
    long[] io = time(() -> imageIo(images), rounds);
    out.printf(
        "%n| PNG encoder | images | MB of pixels/s | total size | speed vs javax.imageio | size vs"
            + " javax.imageio |%n|---|---:|---:|---:|---:|---:|%n");
    row(out, "javax.imageio", images.size(), pixelBytes, rounds, io, io);
    for (int level : new int[] {EncodingOptions.PNG_COMPRESSION_DEFAULT, 6}) {
      long[] p = time(() -> pngEncoder(images, level), rounds);
      row(out, "pngencoder level " + level, images.size(), pixelBytes, rounds, p, io);
    }
    out.flush();
  }

  private interface Encode {
    long bytes();
  }

  /** {total nanos, total encoded bytes of one round}. */
  private static long[] time(Encode encode, int rounds) {
    long size = 0;
    long start = System.nanoTime();
    for (int r = 0; r < rounds; r++) {
      size = encode.bytes();
    }
    return new long[] {System.nanoTime() - start, size};
  }

  private static void row(
      PrintWriter out, String name, int count, long pixelBytes, int rounds, long[] t, long[] base) {
    double mbPerS = pixelBytes * rounds / 1e6 / (t[0] / 1e9);
    double baseMbPerS = pixelBytes * rounds / 1e6 / (base[0] / 1e9);
    out.printf(
        "| %s | %d | %.1f | %.2f MB | %.2f | %.3f |%n",
        name, count, mbPerS, t[1] / 1e6, mbPerS / baseMbPerS, (double) t[1] / base[1]);
  }

  private static long imageIo(List<Image> images) {
    long size = 0;
    for (Image i : images) {
      size += ImageEncoder.pngWithImageIo(i.pixels(), 0, i.height(), i.width()).length;
    }
    return size;
  }

  private static long pngEncoder(List<Image> images, int level) {
    EncodingOptions options = new EncodingOptions(level, EncodingOptions.JPEG_QUALITY_DEFAULT);
    long size = 0;
    for (Image i : images) {
      size +=
          ImageEncoder.encode(ImageFormat.PNG, options, i.pixels(), 0, i.height(), i.width())
              .length();
    }
    return size;
  }
}
