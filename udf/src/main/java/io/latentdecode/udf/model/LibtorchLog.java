package io.latentdecode.udf.model;

import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The level of libtorch's own log: C++ messages written straight to the process's stderr, past the
 * JVM's logging. Python's {@code import torch} sets it from {@value #VARIABLE} ({@code INFO},
 * {@code WARNING}, {@code ERROR}, {@code FATAL} or 0-3); DJL never reads that variable, so this
 * class does, once libtorch is loaded, through libtorch's own {@code c10::initLogging}.
 *
 * <p>Where the variable is unset, the job sets {@value #DEFAULT_LEVEL}: libtorch repeats some
 * warnings on every forward. On CPUs where NNPACK cannot start (this project's CI machines among
 * them), every single-threaded forward with a 1x1 convolution printed "Could not initialize NNPACK!
 * Reason: Unsupported hardware." once per such convolution: six lines per TAEF2 image, 554 lines in
 * a 96-latent run, millions in a large one, in every executor's log. {@code
 * TORCH_CPP_LOG_LEVEL=WARNING} brings libtorch's warnings back.
 */
public final class LibtorchLog {
  private static final Logger LOG = LoggerFactory.getLogger(LibtorchLog.class);

  /** The environment variable PyTorch reads its C++ log level from. */
  public static final String VARIABLE = "TORCH_CPP_LOG_LEVEL";

  /** The level where the variable is unset: libtorch's errors only. */
  public static final String DEFAULT_LEVEL = "ERROR";

  private static final String INIT_LOGGING = "_ZN3c1011initLoggingEv"; // c10::initLogging()
  private static final String LEVEL_FLAG = "FLAGS_caffe2_log_level";
  private static boolean applied;

  private LibtorchLog() {}

  /**
   * Sets libtorch's log level from {@value #VARIABLE} ({@value #DEFAULT_LEVEL} where unset), once
   * per JVM; call after libtorch is loaded. Where libtorch's library or its function cannot be
   * found (another build of libtorch), its log stays as it is.
   */
  static synchronized void applyOnce() {
    if (applied) {
      return;
    }
    applied = true;
    try {
      if (System.getenv(VARIABLE) == null) {
        CLibrary.get().setenv(VARIABLE, DEFAULT_LEVEL, 0);
      }
      Function initLogging = c10().getFunction(INIT_LOGGING);
      initLogging.invokeVoid(new Object[0]);
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("Cannot set libtorch's log level ({}); its warnings reach stderr", e.toString());
    }
  }

  /** libtorch's log level now: 0 info, 1 warning, 2 error, 3 fatal. */
  static int level() {
    return c10().getGlobalVariableAddress(LEVEL_FLAG).getInt(0);
  }

  /** libtorch's core library, already loaded by DJL's engine: the same handle again. */
  private static NativeLibrary c10() {
    return NativeLibrary.getInstance(
        Path.of(LibUtils.getLibtorchPath(), System.mapLibraryName("c10")).toString());
  }
}
