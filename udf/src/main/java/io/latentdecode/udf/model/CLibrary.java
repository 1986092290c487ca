package io.latentdecode.udf.model;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The C library this JVM and libtorch share, for the few calls that must reach it (through JNA):
 * setting an environment variable libtorch reads, handing free heap memory back to the kernel.
 */
interface CLibrary extends Library {
  int setenv(String name, String value, int overwrite);

  int malloc_trim(long pad);

  /** The C library, loaded once; fails with a {@link LinkageError} where there is none. */
  static CLibrary get() {
    return Holder.C;
  }

  /** Loads the library on first use only. */
  final class Holder {
    private static final CLibrary C = Native.load("c", CLibrary.class);

    private Holder() {}
  }
}
