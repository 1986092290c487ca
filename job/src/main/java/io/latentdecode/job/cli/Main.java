package io.latentdecode.job.cli;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.RunFailedException;
import io.latentdecode.job.config.WriteMode;
import io.latentdecode.udf.contract.Causes;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.contract.Precision;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code java -jar latent-decode.jar <command>}. Exit codes: 0 done; 2 a wrong flag or value, or a
 * run that cannot start (bad input, model or output: the message says which and how to fix it); 1 a
 * run that failed while running.
 */
@Command(
    name = "latent-decode",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Decode diffusion-model latents into images at scale on Apache Spark.",
    subcommands = {
      RunCommand.class,
      InspectCommand.class,
      InspectModelCommand.class,
      ExtractCommand.class,
      DemoCommand.class,
      BenchCommand.class
    })
public final class Main implements Runnable {
  public static final int EXIT_OK = 0;
  public static final int EXIT_RUN_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final Supplier<Instant> commandStarted;

  /** A command line started now (tests, embedding). */
  public Main() {
    Instant now = Instant.now();
    this.commandStarted = () -> now;
  }

  private Main(Supplier<Instant> commandStarted) {
    this.commandStarted = commandStarted;
  }

  /**
   * When the user started this command: the JVM's start for a command run as a process (what the
   * user waited for includes the JVM's and the command line's start), the command line's creation
   * otherwise.
   */
  Instant commandStarted() {
    return commandStarted.get();
  }

  public static void main(String[] args) {
    // Before any Netty class loads, as Spark's own launcher does (the jar's manifest opens the
    // packages).
    System.setProperty("io.netty.tryReflectionSetAccessible", "true");
    System.setProperty(
        "io.netty.allocator.type", System.getProperty("io.netty.allocator.type", "pooled"));
    startLogging();
    // the JVM's start time is read when a command needs it, not here before the command line
    System.exit(commandLine(new Main(Main::jvmStarted)).execute(args));
  }

  private static Instant jvmStarted() {
    return Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
  }

  /**
   * Sets up logging on a thread of its own while this one parses the command line: both load
   * classes the class-data archive cannot hold (picocli's are Java 5 classes), and a run's first
   * log line would otherwise wait for the whole logging set-up before Spark could start.
   */
  private static void startLogging() {
    Thread logging = new Thread(() -> LoggerFactory.getLogger(Main.class), "latent-decode-logging");
    logging.setDaemon(true);
    logging.start();
  }

  /**
   * Runs a command line and returns its exit code (for tests and embedding; never calls
   * System.exit).
   */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, for embedding (and tests) that capture its output streams. */
  public static CommandLine commandLine() {
    return commandLine(new Main());
  }

  private static CommandLine commandLine(Main main) {
    CommandLine cli = new CommandLine(main);
    cli.registerConverter(OutputRange.class, converter(OutputRange::parse));
    cli.registerConverter(ImageFormat.class, converter(ImageFormat::parse));
    cli.registerConverter(DeviceRequest.class, converter(DeviceRequest::parse));
    cli.registerConverter(WriteMode.class, converter(WriteMode::parse));
    cli.registerConverter(InputKind.class, converter(InputKind::parse));
    cli.registerConverter(Precision.class, converter(Precision::parse));
    cli.setParameterExceptionHandler(
        (e, args) -> {
          PrintWriter err = e.getCommandLine().getErr();
          String name = e.getCommandLine().getCommandSpec().qualifiedName();
          // A mistyped flag explains the rest (e.g. "missing --input"), so it is named first.
          List<String> unknown = e.getCommandLine().getUnmatchedArguments();
          String message =
              unknown.isEmpty() || e instanceof CommandLine.UnmatchedArgumentException
                  ? e.getMessage()
                  : "Unknown option: '" + String.join("', '", unknown) + "'";
          err.println(name + ": " + message + " (see '" + name + " --help')");
          err.flush();
          return EXIT_USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (e instanceof JobSetupException setup) {
            err.println("latent-decode: " + e.getMessage());
            err.flush();
            return setup.external() ? EXIT_RUN_FAILED : EXIT_USAGE;
          }
          if (e instanceof RunFailedException) {
            err.println("latent-decode: the run failed: " + e.getMessage());
            err.flush();
            return EXIT_RUN_FAILED;
          }
          LoggerFactory.getLogger(Main.class).error("Run failed", e);
          err.println(
              "latent-decode: the run failed: "
                  + Causes.rootMessage(e)
                  + " (nothing was committed; the log above has the details)");
          err.flush();
          return EXIT_RUN_FAILED;
        });
    return cli;
  }

  private static <T> ITypeConverter<T> converter(Function<String, T> parse) {
    return text -> {
      try {
        return parse.apply(text);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    };
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "Missing command: choose run, inspect, inspect-model, extract, demo or bench");
  }
}
