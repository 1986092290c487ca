package io.latentdecode.udf.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;

/**
 * Hadoop's {@code file:} file system (checksums and all) without its child processes. Without
 * Hadoop's native library, which no Maven artifact ships, {@link RawLocalFileSystem} sets the
 * permissions of every file and folder it creates by running {@code chmod} in a new process: six
 * times per task of a run here (image file, manifest, sources, their checksum files), each a spawn
 * from a JVM holding gigabytes, beside the decodes. This one sets them through {@code java.nio} on
 * POSIX file systems and leaves the rest to Hadoop's.
 *
 * <p>Runs name it as {@value #IMPL_KEY} ({@link #setDefault}) unless the user's settings name
 * another.
 */
public final class NioLocalFileSystem extends LocalFileSystem {
  public static final String IMPL_KEY = "fs.file.impl";

  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** Names this file system for {@code file:} in the settings unless they name one already. */
  public static void setDefault(Configuration conf) {
    if (conf.get(IMPL_KEY) == null) {
      conf.set(IMPL_KEY, NioLocalFileSystem.class.getName());
    }
  }

  private static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      java.nio.file.Path file = pathToFile(p).toPath();
      if (NativeIO.isAvailable()
          || permission.getStickyBit()
          || Files.getFileAttributeView(file, PosixFileAttributeView.class) == null) {
        super.setPermission(p, permission);
        return;
      }
      Files.setPosixFilePermissions(file, posix(permission.toShort()));
    }
  }

  private static final Map<Integer, PosixFilePermission> BITS =
      Map.of(
          0400, PosixFilePermission.OWNER_READ,
          0200, PosixFilePermission.OWNER_WRITE,
          0100, PosixFilePermission.OWNER_EXECUTE,
          040, PosixFilePermission.GROUP_READ,
          020, PosixFilePermission.GROUP_WRITE,
          010, PosixFilePermission.GROUP_EXECUTE,
          04, PosixFilePermission.OTHERS_READ,
          02, PosixFilePermission.OTHERS_WRITE,
          01, PosixFilePermission.OTHERS_EXECUTE);

  /** The permissions of a mode's nine lowest bits ({@code 0644}: rw-r--r--). */
  static Set<PosixFilePermission> posix(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    BITS.forEach(
        (bit, permission) -> {
          if ((mode & bit) != 0) {
            set.add(permission);
          }
        });
    return set;
  }
}
