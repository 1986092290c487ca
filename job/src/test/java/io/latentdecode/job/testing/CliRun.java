package io.latentdecode.job.testing;

import io.latentdecode.job.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs the command line in-process, as a user would from a shell, capturing what it prints. */
public final class CliRun {
  private CliRun() {}

  /** Exit code and the text printed to stdout and stderr. */
  public record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  public static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** {@code run} with the common arguments first. */
  public static Result decode(String input, String output, String model, String... more) {
    List<String> args =
        new ArrayList<>(List.of("run", "--input", input, "--output", output, "--model", model));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }
}
