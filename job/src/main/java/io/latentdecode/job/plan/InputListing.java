package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.InputFile;
import io.latentdecode.udf.contract.OutputLayout;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The one listing of {@code --input} a run makes: every file under it outside hidden folders (names
 * starting with {@code _} or {@code .}), in path order, with its length. Format detection, header
 * checks and the task plan all read this listing; nothing else on the driver touches each file.
 *
 * <p>On the local file system folders are listed in parallel by their own listing, which never asks
 * for a file's permissions (Hadoop's {@code listFiles} does, and without its native library that
 * forks a shell per file). Other file systems use their recursive listing ({@code listFiles}),
 * which object stores such as S3A serve as one flat, paged listing.
 */
public final class InputListing {
  private final Path root;
  private final boolean rootIsFile;
  private final List<InputFile> files;

  private InputListing(Path root, boolean rootIsFile, List<InputFile> files) {
    this.root = root;
    this.rootIsFile = rootIsFile;
    this.files = files;
  }

  /**
   * Lists {@code input} (a file or a folder). Stops the run when it does not exist or cannot be
   * listed.
   */
  public static InputListing of(FileSystem fs, Path input) {
    FileStatus status;
    try {
      status = fs.getFileStatus(input);
    } catch (FileNotFoundException e) {
      throw new JobSetupException("Cannot run: --input " + input + " does not exist");
    } catch (IOException e) {
      throw JobSetupException.external(
          "Cannot run: cannot read --input " + input + ": " + e.getMessage(), e);
    }
    if (status.isFile()) {
      return new InputListing(
          input, true, List.of(new InputFile(status.getPath().toString(), status.getLen())));
    }
    try {
      List<InputFile> found =
          isLocal(fs) ? walkInParallel(fs, status.getPath()) : listRecursively(fs, input);
      List<InputFile> sorted = new ArrayList<>(found);
      sorted.sort(Comparator.comparing(InputFile::path));
      return new InputListing(input, false, sorted);
    } catch (IOException | UncheckedIOException e) {
      throw JobSetupException.external(
          "Cannot run: cannot list --input " + input + ": " + e.getMessage(), e);
    }
  }

  /** The input as given. */
  public Path root() {
    return root;
  }

  /** Whether {@code --input} names one file rather than a folder. */
  public boolean rootIsFile() {
    return rootIsFile;
  }

  /** Every listed file, in path order. */
  public List<InputFile> files() {
    return files;
  }

  /** The listed files whose name {@code wanted} takes, in path order. */
  public List<InputFile> named(Predicate<String> wanted) {
    return files.stream().filter(f -> wanted.test(name(f))).toList();
  }

  /** The first listed file whose name {@code wanted} takes. */
  public Optional<InputFile> first(Predicate<String> wanted) {
    return files.stream().filter(f -> wanted.test(name(f))).findFirst();
  }

  /** The file's name, without its folders. */
  public static String name(InputFile file) {
    return file.path().substring(file.path().lastIndexOf('/') + 1);
  }

  private static boolean isLocal(FileSystem fs) {
    return fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem;
  }

  private static List<InputFile> walkInParallel(FileSystem fs, Path root) {
    ConcurrentLinkedQueue<InputFile> found = new ConcurrentLinkedQueue<>();
    walk(fs, root, found);
    return List.copyOf(found);
  }

  /**
   * Lists {@code dir}, then its sub-folders in parallel (the common fork-join pool steals work).
   */
  private static void walk(FileSystem fs, Path dir, ConcurrentLinkedQueue<InputFile> found) {
    FileStatus[] children;
    try {
      children = fs.listStatus(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Path> folders = new ArrayList<>();
    for (FileStatus child : children) {
      if (OutputLayout.isHidden(child.getPath().getName())) {
        continue;
      }
      if (child.isDirectory()) {
        folders.add(child.getPath());
      } else {
        found.add(new InputFile(child.getPath().toString(), child.getLen()));
      }
    }
    folders.parallelStream().forEach(folder -> walk(fs, folder, found));
  }

  private static List<InputFile> listRecursively(FileSystem fs, Path root) throws IOException {
    String prefix = fs.makeQualified(root).toString();
    List<InputFile> found = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
    while (it.hasNext()) {
      LocatedFileStatus file = it.next();
      String path = file.getPath().toString();
      if (!underHidden(path.startsWith(prefix) ? path.substring(prefix.length()) : path)) {
        found.add(new InputFile(path, file.getLen()));
      }
    }
    return found;
  }

  private static boolean underHidden(String relativePath) {
    for (String part : relativePath.split("/")) {
      if (!part.isEmpty() && OutputLayout.isHidden(part)) {
        return true;
      }
    }
    return false;
  }
}
