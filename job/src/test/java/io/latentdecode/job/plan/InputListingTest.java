package io.latentdecode.job.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.InputFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputListingTest {
  @TempDir Path tmp;

  @Test
  void listsEveryFileOutsideHiddenFoldersInPathOrderWithItsLength() throws Exception {
    write("b/2.npy", 20);
    write("a/x/1.npy", 10);
    write("a/0.npy", 5);
    write("_temporary/3.npy", 1);
    write("a/.cache/4.npy", 1);
    write("a/_SUCCESS", 0);

    InputListing listing = InputListing.of(localFs(), new org.apache.hadoop.fs.Path(tmp.toUri()));

    assertThat(listing.rootIsFile()).isFalse();
    assertThat(listing.files())
        .extracting(f -> f.path().substring(f.path().indexOf(tmp.getFileName().toString())))
        .containsExactly(
            tmp.getFileName() + "/a/0.npy",
            tmp.getFileName() + "/a/x/1.npy",
            tmp.getFileName() + "/b/2.npy");
    assertThat(listing.files()).extracting(InputFile::length).containsExactly(5L, 10L, 20L);
  }

  @Test
  void aFileIsItsOwnListing() throws Exception {
    Path file = write("one.parquet", 7);

    InputListing listing = InputListing.of(localFs(), new org.apache.hadoop.fs.Path(file.toUri()));

    assertThat(listing.rootIsFile()).isTrue();
    assertThat(listing.files()).singleElement().extracting(InputFile::length).isEqualTo(7L);
  }

  @Test
  void aMissingInputStopsTheRun() {
    assertThatThrownBy(
            () ->
                InputListing.of(
                    localFs(), new org.apache.hadoop.fs.Path(tmp.resolve("nope").toUri())))
        .isInstanceOf(JobSetupException.class)
        .hasMessageContaining("does not exist");
  }

  private Path write(String relative, int bytes) throws Exception {
    Path file = tmp.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.write(file, new byte[bytes]);
  }

  private static FileSystem localFs() throws Exception {
    return FileSystem.getLocal(new Configuration());
  }
}
