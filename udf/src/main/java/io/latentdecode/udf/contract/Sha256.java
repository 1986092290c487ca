package io.latentdecode.udf.contract;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a stream of bytes, through the system's OpenSSL ({@code libcrypto}, by JNA) where
 * there is one, else through Java's {@link MessageDigest}. The launcher's JVM compiles with C1
 * alone, and only C2 uses the CPU's SHA instructions: Java's SHA-256 then reads about 150 MB/s, 1.3
 * s for a 200 MB VAE before a run can start, where OpenSSL's reads well over 1 GB/s. The digests
 * are the same.
 */
public abstract class Sha256 implements AutoCloseable {
  /** A digest started now: OpenSSL's where it loads, else Java's. */
  public static Sha256 start() {
    if (OpenSsl.LIBRARY != null) {
      try {
        return new OpenSsl();
      } catch (RuntimeException | UnsatisfiedLinkError e) {
        // an OpenSSL without these calls: Java's below
      }
    }
    return java();
  }

  /** Java's own, whatever the system has. */
  static Sha256 java() {
    return new Java();
  }

  public abstract void update(byte[] bytes, int offset, int length);

  /** The digest of the bytes so far in lowercase hex; call once. */
  public abstract String hex();

  /** Frees what the digest holds outside the heap. */
  @Override
  public void close() {}

  /** Whether the digests come from OpenSSL. */
  public abstract boolean isNative();

  private static final class Java extends Sha256 {
    private final MessageDigest digest;

    Java() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void update(byte[] bytes, int offset, int length) {
      digest.update(bytes, offset, length);
    }

    @Override
    public String hex() {
      return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public boolean isNative() {
      return false;
    }
  }

  /** OpenSSL's EVP digest calls (1.1 and 3.x). */
  interface LibCrypto extends Library {
    Pointer EVP_MD_CTX_new();

    void EVP_MD_CTX_free(Pointer context);

    Pointer EVP_sha256();

    int EVP_DigestInit_ex(Pointer context, Pointer type, Pointer engine);

    int EVP_DigestUpdate(Pointer context, ByteBuffer data, long count);

    int EVP_DigestFinal_ex(Pointer context, byte[] digest, IntByReference length);
  }

  private static final class OpenSsl extends Sha256 {
    static final LibCrypto LIBRARY = load();
    private Pointer context;
    private ByteBuffer staging = ByteBuffer.allocateDirect(0);

    OpenSsl() {
      context = LIBRARY.EVP_MD_CTX_new();
      if (context == null) {
        throw new IllegalStateException("EVP_MD_CTX_new failed");
      }
      if (LIBRARY.EVP_DigestInit_ex(context, LIBRARY.EVP_sha256(), null) != 1) {
        LIBRARY.EVP_MD_CTX_free(context);
        throw new IllegalStateException("EVP_DigestInit_ex failed");
      }
    }

    private static LibCrypto load() {
      for (String name : new String[] {"crypto", "libcrypto.so.3", "libcrypto.so.1.1"}) {
        try {
          return Native.load(name, LibCrypto.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
          // the next name
        }
      }
      return null;
    }

    @Override
    public void update(byte[] bytes, int offset, int length) {
      if (length == 0) {
        return;
      }
      if (staging.capacity() < length) {
        staging = ByteBuffer.allocateDirect(length);
      }
      staging.clear();
      staging.put(bytes, offset, length);
      staging.flip(); // JNA passes a buffer from its position
      if (LIBRARY.EVP_DigestUpdate(context, staging, length) != 1) {
        throw new IllegalStateException("EVP_DigestUpdate failed");
      }
    }

    @Override
    public String hex() {
      byte[] digest = new byte[32];
      if (LIBRARY.EVP_DigestFinal_ex(context, digest, new IntByReference()) != 1) {
        throw new IllegalStateException("EVP_DigestFinal_ex failed");
      }
      return HexFormat.of().formatHex(digest);
    }

    @Override
    public void close() {
      if (context != null) {
        LIBRARY.EVP_MD_CTX_free(context);
        context = null;
      }
    }

    @Override
    public boolean isNative() {
      return true;
    }
  }
}
