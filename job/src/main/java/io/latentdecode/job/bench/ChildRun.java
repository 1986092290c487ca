package io.latentdecode.job.bench;

import io.latentdecode.udf.model.MallocSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A benchmark row run as its own command, in a fresh JVM of this jar (started by the launcher
 * beside it, as users start it, where there is one): its whole wall time, its peak resident memory
 * (the kernel's high-water mark {@code VmHWM}) and the CPU time all its threads used (user and
 * system), the last two read from {@code /proc} until it exits: what a user timing the command
 * would see.
 *
 * @param seconds wall time of the whole command
 * @param peakRssBytes its peak resident memory
 * @param cpuSeconds CPU time of all its threads, as last read before it exited (up to {@value
 *     #POLL_MILLIS} ms short); 0 where {@code /proc} has none
 * @param output what it printed (stdout and stderr)
 */
record ChildRun(double seconds, long peakRssBytes, double cpuSeconds, String output) {
  private static final long POLL_MILLIS = 20;

  /** Linux reports a process's CPU times in these ticks per second ({@code USER_HZ}). */
  private static final double TICKS_PER_SECOND = 100;

  /**
   * Runs this jar as users do ({@code latent-decode args...}, the launcher beside it, with this
   * JVM), or {@code java -jar <this jar> args...} where there is no launcher; fails when it exits
   * with an error.
   */
  static ChildRun ofJar(Path workDir, List<String> args) throws IOException, InterruptedException {
    return ofJar(workDir, List.of(), args);
  }

  /** The same with more JVM options (none of them with a space). */
  static ChildRun ofJar(Path workDir, List<String> jvmOptions, List<String> args)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path launcher = jar().resolveSibling("latent-decode");
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(launcher)) {
      command.add(launcher.toString());
      command.addAll(args);
      return of(
          workDir,
          command,
          env -> env.putAll(Map.of("JAVA", java, "JAVA_OPTS", String.join(" ", jvmOptions))));
    }
    command.add(java);
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(args);
    return of(workDir, command);
  }

  /** Runs the command; fails when it exits with an error. */
  static ChildRun of(Path workDir, List<String> command) throws IOException, InterruptedException {
    return of(workDir, command, env -> {});
  }

  /**
   * Runs a command that is not this jar's with glibc's allocator settings as they were before the
   * launcher started this benchmark: without the launcher's {@link MallocSettings#TUNABLES}.
   */
  static ChildRun withoutLaunchersMalloc(Path workDir, List<String> command)
      throws IOException, InterruptedException {
    return of(
        workDir, command, env -> env.remove(MallocSettings.VARIABLE, MallocSettings.TUNABLES));
  }

  private static ChildRun of(
      Path workDir, List<String> command, Consumer<Map<String, String>> environment)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(workDir, "child-", ".log");
    long start = System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder(command);
    environment.accept(builder.environment());
    // the launcher execs java in its own process: the high-water mark read is the JVM's
    Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Path status = Path.of("/proc/" + process.pid() + "/status");
    Path stat = Path.of("/proc/" + process.pid() + "/stat");
    long peak = 0;
    double cpu = 0;
    while (process.isAlive()) {
      peak = Math.max(peak, highWaterMark(status));
      cpu = Math.max(cpu, cpuSeconds(stat));
      Thread.sleep(POLL_MILLIS);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    String output = Files.readString(log);
    if (process.exitValue() != 0) {
      throw new IOException(
          "benchmark row " + command + " failed with exit " + process.exitValue() + ":\n" + output);
    }
    return new ChildRun(seconds, peak, cpu, output);
  }

  /** The jar this benchmark runs from: the rows run the same code. */
  static Path jar() {
    try {
      Path location =
          Path.of(ChildRun.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!location.toString().endsWith(".jar")) {
        throw new IllegalStateException(
            "bench runs its rows as commands of the jar: run it as java -jar"
                + " job/target/latent-decode.jar bench (found classes at "
                + location
                + ")");
      }
      return location;
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long highWaterMark(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process is exiting
    }
    return 0;
  }

  /**
   * User and system CPU time of all the process's threads ({@code utime} and {@code stime}, the
   * 14th and 15th fields of {@code /proc/PID/stat}); 0 once it is gone.
   */
  private static double cpuSeconds(Path stat) {
    try {
      String line = Files.readString(stat);
      // the command's name, in parentheses, may hold spaces: count the fields after it
      String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return 0; // the process is exiting
    }
  }

  /** The value printed after {@code key} on a line of its own, as the rows print their figures. */
  double figure(String key) {
    for (String line : output.lines().toList()) {
      if (line.startsWith(key + " ")) {
        return Double.parseDouble(line.substring(key.length() + 1).trim());
      }
    }
    throw new IllegalStateException("benchmark row printed no " + key + ":\n" + output);
  }
}
