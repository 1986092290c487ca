package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.OutputLayout;
import io.latentdecode.udf.latent.PickleFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Driver-side look at {@code --input} before anything runs: it must exist and hold latent files;
 * their format is taken from {@code --input-format} or from the first latent file found. Stops at
 * the first match, so it stays cheap on inputs with millions of files.
 */
public final class InputFiles {
  private InputFiles() {}

  public static InputKind detect(FileSystem fs, Path input, Optional<InputKind> requested) {
    FileStatus status;
    try {
      status = fs.getFileStatus(input);
    } catch (FileNotFoundException e) {
      throw new JobSetupException("Cannot run: --input " + input + " does not exist");
    } catch (IOException e) {
      throw JobSetupException.external(
          "Cannot run: cannot read --input " + input + ": " + e.getMessage(), e);
    }
    if (status.isFile() && PickleFiles.isPickle(status.getPath().getName())) {
      throw new JobSetupException("Cannot run: --input " + PickleFiles.refusal(input.toString()));
    }
    Optional<InputKind> found =
        status.isFile() ? kindOf(status.getPath().getName()) : firstKindUnder(fs, input, requested);
    if (found.isEmpty()) {
      Optional<Path> pickle = status.isFile() ? Optional.empty() : firstPickleUnder(fs, input);
      if (pickle.isPresent()) {
        throw new JobSetupException(
            "Cannot run: --input holds no latent files but pickle files: "
                + PickleFiles.refusal(pickle.get().toString()));
      }
      String wanted =
          requested.map(k -> "*" + k.suffix()).orElse("*.npy, *.safetensors, *.parquet or *.arrow");
      throw new JobSetupException(
          "Cannot run: --input "
              + input
              + " holds no "
              + wanted
              + " files (searched recursively, skipping names that start with _ or .); point --input at a folder of latents");
    }
    if (requested.isPresent() && requested.get() != found.get()) {
      throw new JobSetupException(
          "Cannot run: --input-format "
              + requested.get().text()
              + " but --input "
              + input
              + " is a "
              + found.get().suffix()
              + " file");
    }
    return found.get();
  }

  private static Optional<InputKind> firstKindUnder(
      FileSystem fs, Path dir, Optional<InputKind> requested) {
    try {
      return firstUnder(
              fs,
              dir,
              name -> {
                Optional<InputKind> kind = kindOf(name);
                return kind.isPresent() && (requested.isEmpty() || requested.equals(kind));
              })
          .flatMap(file -> kindOf(file.getName()));
    } catch (IOException e) {
      throw JobSetupException.external(
          "Cannot run: cannot list --input " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Optional<Path> firstPickleUnder(FileSystem fs, Path dir) {
    try {
      return firstUnder(fs, dir, PickleFiles::isPickle);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The first latent file of the kind under {@code --input} (or the input itself when it is one),
   * skipping hidden folders as the job does.
   */
  public static Optional<Path> firstFile(FileSystem fs, Path input, InputKind kind)
      throws IOException {
    if (fs.getFileStatus(input).isFile()) {
      return kindOf(input.getName()).equals(Optional.of(kind))
          ? Optional.of(input)
          : Optional.empty();
    }
    return firstUnder(fs, input, name -> kindOf(name).equals(Optional.of(kind)));
  }

  /** The first file under {@code dir}, outside hidden folders, whose name {@code wanted} takes. */
  private static Optional<Path> firstUnder(FileSystem fs, Path dir, Predicate<String> wanted)
      throws IOException {
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
    while (files.hasNext()) {
      Path file = files.next().getPath();
      if (!isUnderHidden(dir, file) && wanted.test(file.getName())) {
        return Optional.of(file);
      }
    }
    return Optional.empty();
  }

  private static boolean isUnderHidden(Path root, Path file) {
    for (Path p = file;
        p != null && !p.equals(root) && p.depth() > root.depth();
        p = p.getParent()) {
      if (OutputLayout.isHidden(p.getName())) {
        return true;
      }
    }
    return false;
  }

  private static Optional<InputKind> kindOf(String fileName) {
    if (fileName.endsWith(".feather")) {
      return Optional.of(InputKind.ARROW);
    }
    for (InputKind kind : InputKind.values()) {
      if (fileName.endsWith(kind.suffix())) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
