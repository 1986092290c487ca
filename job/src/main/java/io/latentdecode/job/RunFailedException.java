package io.latentdecode.job;

/**
 * A run that ran and was not committed for a reason the user can act on (e.g. too many bad rows).
 * The CLI prints the message as it is and exits with 1.
 */
public final class RunFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RunFailedException(String message) {
    super(message);
  }
}
