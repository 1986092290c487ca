package io.latentdecode.job.cli;

import io.latentdecode.job.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code latent-decode demo}: a complete run on sample latents with the decoder that ships in the
 * jar.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Make sample latents, decode them with the built-in preview decoder on embedded Spark,",
      "and write the images as Arrow files plus PNG copies to look at."
    })
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description =
          "Folder for everything the demo makes (replaced if"
              + " it holds an earlier demo). Default: ${DEFAULT-VALUE}.")
  Path output = Path.of("latent-decode-demo");

  @Mixin SparkOptions spark;

  @Override
  public Integer call() throws Exception {
    Demo.run(output.toAbsolutePath(), spark.master(), spark.conf, spec.commandLine().getOut());
    return Main.EXIT_OK;
  }
}
