package io.latentdecode.job.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A Spark home for {@code local-cluster} tests: {@code $SPARK_HOME/jars} must hold the runtime
 * class path, which the build copies to {@code target/lib}; the home links to it instead of copying
 * 400 MB again.
 */
public final class LocalClusterHome {
  private LocalClusterHome() {}

  /**
   * The {@code --conf} arguments every test on real executor JVMs needs: loopback only, no UI, and
   * wait for all executors before the first task (so tasks spread over them).
   */
  public static java.util.List<String> clusterConf() {
    return java.util.List.of(
        "--conf",
        "spark.driver.host=127.0.0.1",
        "--conf",
        "spark.driver.bindAddress=127.0.0.1",
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.scheduler.minRegisteredResourcesRatio=1.0",
        "--conf",
        "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
        "--conf",
        "spark.locality.wait=0");
  }

  public static Path prepare() throws IOException {
    String home = System.getenv("SPARK_HOME");
    if (home == null) {
      throw new IllegalStateException(
          "SPARK_HOME is not set; run the tests through Maven (see job/pom.xml)");
    }
    Path sparkHome = Paths.get(home);
    Path lib = sparkHome.resolveSibling("lib");
    if (!Files.isDirectory(lib)) {
      throw new IllegalStateException(lib + " is missing; it is made by the build (mvn verify)");
    }
    Files.createDirectories(sparkHome);
    Path jars = sparkHome.resolve("jars");
    if (!Files.exists(jars)) {
      Files.createSymbolicLink(jars, Paths.get("..", "lib"));
    }
    return sparkHome;
  }
}
