package io.latentdecode.job.cli;

import io.latentdecode.job.config.RunOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/**
 * The decode flags of {@code run} (model, conventions, precision, tiling, image encoding, batching,
 * device), parsed by {@code run}'s own options so that a DataFrame decode has exactly the CLI's
 * names, defaults and checks. The flags about files and the run itself are refused.
 */
public final class DecodeFlags {
  /** Where a DataFrame decode stands in for {@code --input} and {@code --output}. */
  public static final String NO_PATH = "dataframe:/";

  private static final Set<String> RUN_ONLY =
      Set.of(
          "--input",
          "--output",
          "--input-format",
          "--partitions",
          "--mode",
          "--output-format",
          "--shard-mb",
          "--shard-samples",
          "--max-file-mb",
          "--max-error-fraction",
          "--progress-interval",
          "--master",
          "--conf",
          "--help",
          "--version");

  private DecodeFlags() {}

  /**
   * The options the flags ask for, as a {@code run} whose input and output are {@link #NO_PATH};
   * IllegalArgumentException with the CLI's message for a bad flag or value.
   */
  public static RunOptions parse(List<String> flags) {
    CommandLine cli = Main.commandLine(); // with the CLI's converters
    List<String> args = new ArrayList<>(List.of("run", "--input", NO_PATH, "--output", NO_PATH));
    args.addAll(flags);
    CommandLine.ParseResult parsed;
    try {
      parsed = cli.parseArgs(args.toArray(String[]::new)).subcommand();
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    for (String flag : flags) {
      String name = flag.contains("=") ? flag.substring(0, flag.indexOf('=')) : flag;
      if (RUN_ONLY.contains(name)) {
        throw new IllegalArgumentException(
            "Invalid decode option "
                + name
                + ": it is a flag of the run command; a DataFrame decode takes its rows from the"
                + " Dataset and leaves writing to Spark's writer (repartition or write the result)");
      }
    }
    if (parsed.matchedOption("--model") == null) {
      throw new IllegalArgumentException("Missing decode option --model (the decoder)");
    }
    return ((RunCommand) cli.getSubcommands().get("run").getCommand()).options();
  }
}
