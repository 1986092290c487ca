package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.InputFile;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.latent.PickleFiles;
import java.util.Optional;

/**
 * Driver-side look at {@code --input} before anything runs: it must hold latent files; their format
 * is taken from {@code --input-format} or from the first latent file of the listing, by name alone.
 */
public final class InputFiles {
  private InputFiles() {}

  public static InputKind detect(InputListing listing, Optional<InputKind> requested) {
    Optional<InputFile> single = listing.rootIsFile() ? listing.files().stream().findFirst() : null;
    if (single != null && PickleFiles.isPickle(InputListing.name(single.get()))) {
      throw new JobSetupException(
          "Cannot run: --input " + PickleFiles.refusal(listing.root().toString()));
    }
    Optional<InputKind> found =
        listing
            .first(
                name -> {
                  Optional<InputKind> kind = kindOf(name);
                  return kind.isPresent()
                      && (listing.rootIsFile() || requested.isEmpty() || requested.equals(kind));
                })
            .flatMap(file -> kindOf(InputListing.name(file)));
    if (found.isEmpty()) {
      Optional<InputFile> pickle =
          listing.rootIsFile() ? Optional.empty() : listing.first(PickleFiles::isPickle);
      if (pickle.isPresent()) {
        throw new JobSetupException(
            "Cannot run: --input holds no latent files but pickle files: "
                + PickleFiles.refusal(pickle.get().path()));
      }
      String wanted =
          requested.map(k -> "*" + k.suffix()).orElse("*.npy, *.safetensors, *.parquet or *.arrow");
      throw new JobSetupException(
          "Cannot run: --input "
              + listing.root()
              + " holds no "
              + wanted
              + " files (searched recursively, skipping names that start with _ or .); point --input at a folder of latents");
    }
    if (requested.isPresent() && requested.get() != found.get()) {
      throw new JobSetupException(
          "Cannot run: --input-format "
              + requested.get().text()
              + " but --input "
              + listing.root()
              + " is a "
              + found.get().suffix()
              + " file");
    }
    return found.get();
  }

  /** The first listed latent file of the kind. */
  public static Optional<InputFile> firstFile(InputListing listing, InputKind kind) {
    return listing.first(name -> kindOf(name).equals(Optional.of(kind)));
  }

  /** The format a file's name marks, if any ({@code .feather} is Arrow). */
  public static Optional<InputKind> kindOf(String fileName) {
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
