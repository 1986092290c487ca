package io.latentdecode.udf.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.contract.HadoopConf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code file:} through java.nio permissions: what Hadoop's local file system gives, checksums too.
 */
class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path dir;

  private static FileSystem fileSystem() throws Exception {
    Configuration conf = new Configuration(false);
    conf.set("fs.permissions.umask-mode", "022");
    FileSystem fs = new NioLocalFileSystem();
    fs.initialize(java.net.URI.create("file:///"), conf);
    return fs;
  }

  @Test
  void filesAndFoldersGetTheModeHadoopGivesThemLessTheUmask() throws Exception {
    try (FileSystem fs = fileSystem()) {
      Path folder = new Path(dir.toUri().toString(), "a/b");
      assertThat(fs.mkdirs(folder)).isTrue();
      Path file = new Path(folder, "part-00000.arrow");
      try (FSDataOutputStream out = fs.create(file)) {
        out.write("pixels".getBytes(StandardCharsets.UTF_8));
      }

      assertThat(mode(dir.resolve("a/b"))).isEqualTo("rwxr-xr-x");
      assertThat(mode(dir.resolve("a/b/part-00000.arrow"))).isEqualTo("rw-r--r--");
      assertThat(dir.resolve("a/b/.part-00000.arrow.crc")).exists();
      try (FSDataInputStream in = fs.open(file)) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("pixels");
      }
      assertThat(fs.getFileStatus(file).getPermission()).isEqualTo(new FsPermission((short) 0644));
    }
  }

  @Test
  void setPermissionSetsEveryBitItNames() throws Exception {
    try (FileSystem fs = fileSystem()) {
      java.nio.file.Path file = Files.writeString(dir.resolve("f"), "x");
      fs.setPermission(new Path(file.toUri()), new FsPermission((short) 0750));
      assertThat(mode(file)).isEqualTo("rwxr-x---");
      fs.setPermission(new Path(file.toUri()), new FsPermission((short) 0604));
      assertThat(mode(file)).isEqualTo("rw----r--");
    }
  }

  @Test
  void tasksSettingsNameItUnlessTheUsersNameAnother() {
    assertThat(new HadoopConf(new Configuration(false)).get().get("fs.file.impl"))
        .isEqualTo(NioLocalFileSystem.class.getName());

    Configuration own = new Configuration(false);
    own.set("fs.file.impl", RawLocalFileSystem.class.getName());
    assertThat(new HadoopConf(own).get().get("fs.file.impl"))
        .isEqualTo(RawLocalFileSystem.class.getName());
  }

  private static String mode(java.nio.file.Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
