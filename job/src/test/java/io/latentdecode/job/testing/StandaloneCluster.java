package io.latentdecode.job.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster on loopback for tests: a Master and one Worker per host, each its own
 * JVM started from the project's runtime class path ({@code target/lib}), the workers on distinct
 * loopback addresses (127.0.0.1, 127.0.0.2, ...) so that Spark sees distinct hosts (speculative
 * copies of a task only run on another host). Stopped (all JVMs, with their executors) on close.
 */
public final class StandaloneCluster implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final int masterPort;

  private StandaloneCluster(int masterPort) {
    this.masterPort = masterPort;
  }

  public static StandaloneCluster start(Path workDir, int workers) throws Exception {
    return start(workDir, LocalClusterHome.prepare(), workers, 1, List.of(), java.util.Map.of());
  }

  /**
   * @param sparkHome a Spark home whose {@code jars/} the Master and Workers run from
   * @param workerOptions JVM options of the Workers (e.g. {@code -Dspark.worker.resource.*})
   * @param workerEnv environment variables of the Workers (and so of their executors)
   */
  public static StandaloneCluster start(
      Path workDir,
      Path sparkHome,
      int workers,
      int coresPerWorker,
      List<String> workerOptions,
      java.util.Map<String, String> workerEnv)
      throws Exception {
    Files.createDirectories(workDir);
    int port = freePort();
    StandaloneCluster cluster = new StandaloneCluster(port);
    try {
      cluster.launch(
          workDir.resolve("master.log"),
          sparkHome,
          "127.0.0.1",
          List.of(),
          java.util.Map.of(),
          "org.apache.spark.deploy.master.Master",
          "--host",
          "127.0.0.1",
          "--port",
          Integer.toString(port),
          "--webui-port",
          Integer.toString(freePort()));
      waitFor("127.0.0.1", port, workDir.resolve("master.log"));
      for (int i = 1; i <= workers; i++) {
        String host = "127.0.0." + i;
        Path work = Files.createDirectories(workDir.resolve("worker-" + i));
        cluster.launch(
            workDir.resolve("worker-" + i + ".log"),
            sparkHome,
            host,
            workerOptions,
            workerEnv,
            "org.apache.spark.deploy.worker.Worker",
            "--host",
            host,
            "--cores",
            Integer.toString(coresPerWorker),
            "--memory",
            "1g",
            "--work-dir",
            work.toString(),
            "--webui-port",
            Integer.toString(freePort()),
            cluster.masterUrl());
      }
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  private void launch(
      Path log,
      Path sparkHome,
      String bindIp,
      List<String> jvmOptions,
      java.util.Map<String, String> env,
      String mainClass,
      String... args)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-cp", sparkHome.resolve("jars").toAbsolutePath() + File.separator + "*", mainClass));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_HOME", sparkHome.toAbsolutePath().toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", bindIp);
    builder.environment().putAll(env);
    processes.add(builder.start());
  }

  private static void waitFor(String host, int port, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("Spark master did not start: " + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
