package io.latentdecode.udf.graph;

import java.io.IOException;

/**
 * A model the job cannot run as it is: a weights file that is not valid safetensors, a config it
 * cannot honour, a missing or misshapen tensor. The message names the file, key or tensor, and what
 * was expected against what was found.
 */
public final class InvalidModelException extends IOException {
  private static final long serialVersionUID = 1L;

  public InvalidModelException(String message) {
    super(message);
  }
}
