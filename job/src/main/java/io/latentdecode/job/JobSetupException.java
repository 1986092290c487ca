package io.latentdecode.job;

/**
 * A run cannot start: stops it before any task starts, with a message that names the thing and the
 * fix. Caused by something the user controls (a setting, the input, the model, the output: exit 2),
 * or, when {@link #external()}, by storage that could not be reached or read (exit 1: retrying
 * later may work).
 */
public final class JobSetupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean external;

  public JobSetupException(String message) {
    this(message, null, false);
  }

  public JobSetupException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private JobSetupException(String message, Throwable cause, boolean external) {
    super(message, cause);
    this.external = external;
  }

  /** Storage that failed to answer (I/O errors other than "not found"). */
  public static JobSetupException external(String message, Throwable cause) {
    return new JobSetupException(message, cause, true);
  }

  public boolean external() {
    return external;
  }
}
