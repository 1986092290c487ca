package io.latentdecode.udf.contract;

/** Short, user-facing text for an exception chain. */
public final class Causes {
  private static final int MAX_LENGTH = 500;

  private Causes() {}

  /**
   * The innermost cause's message, cut to its meaningful lines: libtorch errors carry a long
   * TorchScript traceback after the line that says what went wrong.
   */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getName() : t.getMessage().strip();
    StringBuilder sb = new StringBuilder();
    for (String line : message.split("\n")) {
      String l = line.strip();
      boolean first = sb.length() == 0;
      if (!l.isEmpty()
          && (first || l.contains("Error") || l.contains("error:"))
          && sb.length() < MAX_LENGTH) {
        sb.append(first ? "" : " | ").append(l);
      }
    }
    return sb.length() > MAX_LENGTH ? sb.substring(0, MAX_LENGTH) + "..." : sb.toString();
  }
}
