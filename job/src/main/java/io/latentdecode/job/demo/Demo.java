package io.latentdecode.job.demo;

import io.latentdecode.job.DecodeJob;
import io.latentdecode.job.RunResult;
import io.latentdecode.job.cli.RunSummary;
import io.latentdecode.job.commit.ErrorBudget;
import io.latentdecode.job.config.RunOptions;
import io.latentdecode.job.config.WriteMode;
import io.latentdecode.job.output.ImageFiles;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.latent.NpyFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * The demo: sample pictures become latents ({@code latents/*.npy}), the real job decodes them with
 * the project's own preview decoder ({@code model/}) into Arrow files ({@code images/}), and the
 * PNGs are copied out of the Arrow files ({@code png/}) so a person can look at them.
 */
public final class Demo {
  static final String DECODER_RESOURCE = "/io/latentdecode/job/demo/preview-decoder.ts.pt";
  private static final String MARKER = ".latent-decode-demo";

  private Demo() {}

  public static RunResult run(
      Path dir, Optional<String> master, Map<String, String> sparkConf, PrintWriter out)
      throws IOException {
    prepare(dir);
    Path latents = Files.createDirectories(dir.resolve("latents"));
    for (Map.Entry<String, BufferedImage> picture : DemoPictures.all().entrySet()) {
      BufferedImage image = picture.getValue();
      Files.write(
          latents.resolve(picture.getKey() + ".npy"),
          NpyFile.float32(
              PreviewLatents.of(image), 4, image.getHeight() / 8, image.getWidth() / 8));
    }
    Path model = extractDecoder(dir.resolve("model"));
    Path images = dir.resolve("images");
    out.printf(
        "Demo: %d sample latents in %s, decoder %s%n", DemoPictures.all().size(), latents, model);
    out.flush();

    RunResult result =
        DecodeJob.run(
            new RunOptions(
                latents.toString(),
                images.toString(),
                model.toString(),
                Optional.of(InputKind.NPY),
                DecodeSettings.of(
                    LatentConvention.plain(
                        PreviewLatents.SCALING_FACTOR, 0.0, OutputRange.MINUS_ONE_TO_ONE),
                    ImageFormat.PNG,
                    4,
                    DeviceRequest.AUTO),
                io.latentdecode.udf.contract.DeviceLimits.DEFAULT,
                OptionalInt.empty(),
                WriteMode.FAIL_IF_EXISTS,
                TaskPlan.MAX_FILE_BYTES_DEFAULT,
                ErrorBudget.DEFAULT,
                master,
                sparkConf,
                RunOptions.PROGRESS_INTERVAL_DEFAULT));

    Path png = Files.createDirectories(dir.resolve("png"));
    org.apache.hadoop.fs.Path output = new org.apache.hadoop.fs.Path(images.toUri());
    FileSystem fs = output.getFileSystem(new Configuration());
    ImageFiles.forEach(
        fs, output, image -> Files.write(png.resolve(image.id() + ".png"), image.image()));

    RunSummary.print(out, result);
    out.printf("%nLook at the pictures: %s/*.png (copied out of the Arrow files)%n", png);
    out.printf(
        "Read the Arrow files from Python:%n"
            + "  import pyarrow.dataset as ds; t = ds.dataset('%s', format='arrow').to_table()%n"
            + "  from PIL import Image; import io; Image.open(io.BytesIO(t['image'][0].as_py())).show()%n",
        images);
    out.printf(
        "Or with DuckDB, whose read_arrow comes from the nanoarrow community extension"
            + " (INSTALL nanoarrow FROM community; LOAD nanoarrow; DuckDB downloads it):%n"
            + "  SELECT id, width, height FROM read_arrow('%s/*.arrow');%n"
            + "Plain DuckDB reads a run written with --output-format parquet:"
            + " SELECT ... FROM read_parquet('OUTPUT/*.parquet');%n",
        images);
    out.flush();
    return result;
  }

  /**
   * Writes the demo's preview decoder (TorchScript, 4 latent channels to RGB, x8; output in [-1,
   * 1]) into {@code dir}; returns the file.
   */
  public static Path extractDecoder(Path dir) throws IOException {
    Path model = Files.createDirectories(dir).resolve("preview-decoder.ts.pt");
    try (InputStream in = Demo.class.getResourceAsStream(DECODER_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "The demo decoder " + DECODER_RESOURCE + " is missing from the jar");
      }
      Files.copy(in, model, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return model;
  }

  /** Starts from an empty folder; replaces only a folder an earlier demo made. */
  private static void prepare(Path dir) throws IOException {
    if (Files.exists(dir)) {
      boolean empty;
      try (Stream<Path> entries = Files.list(dir)) {
        empty = entries.findAny().isEmpty();
      }
      if (!empty && !Files.exists(dir.resolve(MARKER))) {
        throw new io.latentdecode.job.JobSetupException(
            "Cannot run the demo: "
                + dir
                + " holds files the demo did not make; pass --output with a new or empty folder");
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          if (!p.equals(dir)) {
            Files.delete(p);
          }
        }
      }
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(MARKER), "made by latent-decode demo\n");
  }
}
