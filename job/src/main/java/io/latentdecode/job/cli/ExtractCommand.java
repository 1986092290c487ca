package io.latentdecode.job.cli;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.inspect.OutputSummary;
import io.latentdecode.job.inspect.StoredImages;
import io.latentdecode.job.output.ImageFiles;
import io.latentdecode.udf.contract.ImageFormat;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FileSystem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code latent-decode extract OUTPUT --ids A,B --to DIR}: chosen images as files. */
@Command(
    name = "extract",
    mixinStandardHelpOptions = true,
    description = {
      "Write chosen images of an output folder as image files: DIR/<id>.png (or .jpg, .webp as",
      "stored; raw images are written as PNG). Reads the committed image files (no Spark)."
    })
final class ExtractCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin OutputOptions target;

  @Option(
      names = "--ids",
      split = ",",
      required = true,
      paramLabel = "ID",
      description = "The images to write, comma-separated (repeatable).")
  List<String> ids;

  @Option(names = "--to", required = true, paramLabel = "DIR", description = "Where to write.")
  java.nio.file.Path to;

  @Override
  public Integer call() throws Exception {
    Set<String> wanted = new LinkedHashSet<>(ids);
    for (String id : wanted) {
      if (id.isBlank() || id.startsWith("/") || List.of(id.split("/")).contains("..")) {
        throw new JobSetupException(
            "Cannot extract id '"
                + id
                + "': ids become paths under --to; use the ids inspect lists");
      }
    }
    OutputOptions.Opened opened = target.open();
    FileSystem fs = opened.fs();
    OutputSummary summary = opened.summary();
    PrintWriter out = spec.commandLine().getOut();
    Set<String> written = new LinkedHashSet<>();
    ImageFiles.forEach(
        fs,
        summary.output(),
        summary.imageFiles(),
        image -> {
          if (!wanted.contains(image.id()) || written.contains(image.id())) {
            return;
          }
          java.nio.file.Path file =
              to.resolve(image.id() + "." + StoredImages.fileExtension(image.format()));
          Files.createDirectories(file.getParent());
          if (ImageFormat.parse(image.format()) == ImageFormat.RAW) {
            ImageIO.write(StoredImages.picture(image), "png", file.toFile());
          } else {
            Files.write(file, image.image());
          }
          written.add(image.id());
          out.printf(
              "%s -> %s (%dx%d %s)%n",
              image.id(), file, image.width(), image.height(), image.format());
        });
    wanted.removeAll(written);
    out.printf("Wrote %d images to %s%n", written.size(), to);
    out.flush();
    if (!wanted.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.printf(
          "latent-decode: not in the committed images of %s: %s (inspect lists ids; quarantined"
              + " rows are in _errors/)%n",
          target.output, String.join(", ", wanted));
      err.flush();
      return Main.EXIT_RUN_FAILED;
    }
    return Main.EXIT_OK;
  }
}
