package io.latentdecode.job;

/**
 * A run cannot start because of something the user controls (a setting, the input, the model, the
 * output): stops the run before any task starts, with a message that names the thing and the fix.
 */
public final class JobSetupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobSetupException(String message) {
    super(message);
  }

  public JobSetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
