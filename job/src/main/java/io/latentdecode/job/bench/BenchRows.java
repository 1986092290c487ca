package io.latentdecode.job.bench;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import io.latentdecode.udf.contract.EncodingOptions;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.image.ImageEncoder;
import io.latentdecode.udf.latent.NpyFile;
import io.latentdecode.udf.model.DecoderLoader;
import io.latentdecode.udf.model.EngineSetup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The benchmark's rows that are not the job, each run as its own command ({@code bench --row}) so
 * that its whole time and peak memory compare with the job's: the bare loop (the forward floor) and
 * the plain script (what a user would write instead of the job).
 */
public final class BenchRows {
  private BenchRows() {}

  /**
   * The floor: {@code loops} bare DJL loops at once, each on its own thread with its own predictor
   * and {@code threads} intra-op threads, over the latents already in memory (split round-robin);
   * no encoding, no storage. Prints the decode phase's seconds (after each loop's warm-up).
   */
  public static void bare(
      Path model, Path input, int loops, int threads, int batchSize, PrintWriter out)
      throws Exception {
    EngineSetup.configure(threads);
    List<float[]> latents = new ArrayList<>();
    int[] shape = read(input, latents);
    try (ZooModel<NDList, NDList> loaded = DecoderLoader.load(model, Device.cpu())) {
      CyclicBarrier start = new CyclicBarrier(loops + 1);
      CyclicBarrier end = new CyclicBarrier(loops + 1);
      ExecutorService pool = Executors.newFixedThreadPool(loops);
      List<Future<?>> running = new ArrayList<>();
      for (int loop = 0; loop < loops; loop++) {
        List<float[]> share = new ArrayList<>();
        for (int i = loop; i < latents.size(); i += loops) {
          share.add(latents.get(i));
        }
        running.add(
            pool.submit(
                () -> {
                  try (Predictor<NDList, NDList> predictor = loaded.newPredictor()) {
                    for (int i = 0; i < BareDecodeLoop.WARM_UP_FORWARDS; i++) {
                      BareDecodeLoop.decode(
                          loaded,
                          predictor,
                          share.subList(0, Math.min(batchSize, share.size())),
                          shape,
                          batchSize);
                    }
                    start.await();
                    BareDecodeLoop.decode(loaded, predictor, share, shape, batchSize);
                    end.await();
                  }
                  return null;
                }));
      }
      start.await();
      long t0 = System.nanoTime();
      end.await();
      double seconds = (System.nanoTime() - t0) / 1e9;
      for (Future<?> f : running) {
        f.get();
      }
      pool.shutdown();
      out.println("DECODE_SECONDS " + seconds);
    }
  }

  /**
   * The plain script: one loop with all the machine's threads, reading the {@code .npy} files in
   * batches, one forward per batch under inference mode, each image encoded as a PNG on the same
   * thread and written to a file.
   */
  public static void plain(
      Path model, Path input, Path output, int threads, int batchSize, PrintWriter out)
      throws Exception {
    EngineSetup.configure(threads);
    Files.createDirectories(output);
    List<Path> files = files(input);
    try (ZooModel<NDList, NDList> loaded = DecoderLoader.load(model, Device.cpu());
        Predictor<NDList, NDList> predictor = loaded.newPredictor()) {
      for (int from = 0; from < files.size(); from += batchSize) {
        List<Path> batch = files.subList(from, Math.min(files.size(), from + batchSize));
        List<float[]> latents = new ArrayList<>();
        int[] shape = null;
        for (Path file : batch) {
          shape = readOne(file, latents);
        }
        byte[] pixels = BareDecodeLoop.decode(loaded, predictor, latents, shape, batchSize);
        int height = shape[1] * 8;
        int width = shape[2] * 8;
        for (int i = 0; i < batch.size(); i++) {
          byte[] png =
              ImageEncoder.encode(
                      ImageFormat.PNG,
                      EncodingOptions.DEFAULT,
                      pixels,
                      i * height * width * 3,
                      height,
                      width)
                  .toByteArray();
          String name = batch.get(i).getFileName().toString().replace(".npy", ".png");
          Files.write(output.resolve(name), png);
        }
      }
    }
    out.println("IMAGES " + files.size());
  }

  /** Reads every {@code .npy} latent of the folder (float32); returns their shape. */
  private static int[] read(Path input, List<float[]> latents) throws IOException {
    int[] shape = null;
    for (Path file : files(input)) {
      shape = readOne(file, latents);
    }
    return shape;
  }

  private static int[] readOne(Path file, List<float[]> latents) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    NpyFile.Header header;
    try {
      header = NpyFile.readHeader(bytes);
    } catch (io.latentdecode.udf.latent.LatentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    float[] values = new float[(bytes.length - header.dataOffset()) / 4];
    ByteBuffer.wrap(bytes, header.dataOffset(), values.length * 4)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(values);
    latents.add(values);
    return header.shape();
  }

  private static List<Path> files(Path input) throws IOException {
    try (Stream<Path> listing = Files.list(input)) {
      return listing.filter(p -> p.toString().endsWith(".npy")).sorted().toList();
    }
  }
}
