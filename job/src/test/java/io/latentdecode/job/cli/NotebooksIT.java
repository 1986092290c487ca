package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.udf.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every notebook in {@code notebooks/} runs headless ({@code jupyter nbconvert --execute}) without
 * a cell error: the Java ones on the kernel {@code notebooks/install-kernel.sh} installs
 * (rapaio-jupyter-kernel, from the build), the Python one on Debian's {@code python3} kernel. The
 * executed copies go to {@code target/notebooks-executed/}; the committed notebooks hold no
 * outputs.
 */
class NotebooksIT {
  private static final Path NOTEBOOKS = Path.of("../notebooks").toAbsolutePath().normalize();
  private static final Path JUPYTER_DATA = Path.of("target/jupyter-data").toAbsolutePath();
  private static final Path EXECUTED = Path.of("target/notebooks-executed").toAbsolutePath();
  private static final int TIMED_OUT = 124;
  private static final int KERNEL_STARTS = 10;
  private static final int KERNEL_START_SECONDS = 15;

  @BeforeAll
  static void installKernel() throws Exception {
    Run jupyter = run(List.of("jupyter", "nbconvert", "--version"), NOTEBOOKS, 60);
    if (jupyter.exitCode() != 0) {
      String why =
          "jupyter nbconvert is not installed (apt-get install jupyter-notebook jupyter-nbconvert"
              + " python3-nbconvert python3-ipykernel jupyter-client; .ci/run does): "
              + jupyter.output();
      if ("true".equals(System.getenv("CI"))) {
        fail(why);
      }
      assumeTrue(false, why);
    }
    Run install = run(List.of(NOTEBOOKS.resolve("install-kernel.sh").toString()), NOTEBOOKS, 60);
    assertThat(install.exitCode()).as(install.output()).isZero();
  }

  @Test
  void everyNotebookRunsWithoutACellError() throws Exception {
    List<Path> notebooks;
    try (Stream<Path> files = Files.list(NOTEBOOKS)) {
      notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertThat(notebooks)
        .extracting(p -> p.getFileName().toString())
        .contains("quickstart.ipynb", "inspect-a-run.ipynb", "why-inference-mode.ipynb");
    List<String> times = new ArrayList<>();
    List<String> needShared = new ArrayList<>();
    for (Path notebook : notebooks) {
      assertThat(outputsOf(notebook)).as("%s is committed without outputs", notebook).isZero();
      if (Files.readString(notebook).contains("../../shared/") && !sharedDataPresent()) {
        needShared.add(notebook.getFileName().toString());
        continue; // run the others; reported below (a failure under CI=true)
      }
      long start = System.nanoTime();
      Run r = execute(notebook);
      double seconds = (System.nanoTime() - start) / 1e9;
      times.add(String.format("%s %.1f s", notebook.getFileName(), seconds));
      assertThat(r.exitCode()).as("%s:%n%s", notebook.getFileName(), r.output()).isZero();
      Path executed = EXECUTED.resolve(notebook.getFileName());
      assertThat(errorsIn(executed)).as("errors in %s", executed).isEmpty();
      assertThat(outputsOf(executed)).as("outputs of %s", executed).isPositive();
    }
    System.out.println("Notebook run times: " + String.join(", ", times));
    if (!needShared.isEmpty()) {
      SharedData.taef2Decoder(); // skips this test with a message outside CI, fails under CI=true
    }
  }

  private static boolean sharedDataPresent() {
    return Files.isRegularFile(SharedData.root().resolve("models/taef2/decoder.ts.pt"));
  }

  @Test
  void aFailingCellFailsTheRun(@TempDir Path tmp) throws Exception {
    Path broken = tmp.resolve("broken.ipynb");
    Files.writeString(
        broken,
        """
        {"cells": [{"cell_type": "code", "execution_count": null, "id": "c1", "metadata": {},
          "outputs": [], "source": ["throw new IllegalStateException(\\"this cell fails\\");"]}],
         "metadata": {"kernelspec": {"name": "latent-decode-java", "display_name": "Java",
          "language": "java"}},
         "nbformat": 4, "nbformat_minor": 5}
        """);

    Run r = execute(broken);

    assertThat(r.exitCode()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("this cell fails");
  }

  /** A run that failed before the kernel executed any cell. */
  private static boolean kernelNeverStarted(Run r) {
    return r.exitCode() != 0
        && r.output().contains("latent-decode-java")
        && !r.output().contains("Handling message: execute_request");
  }

  /**
   * Runs the notebook. The Java kernel sometimes never answers its first request: rapaio's shell
   * channel starts polling before the kernel has set its message handlers (and a channel's loop
   * thread may see itself stopped before it ever ran), and a request that comes in that window ends
   * the shell's loop. About one start in eight by hand here; a loaded machine widens the window (5
   * starts in a row failed once in CI). nbconvert then gives up after the startup timeout. That is
   * the kernel's start, not the notebook, so it is started again, up to {@value #KERNEL_STARTS}
   * times; a kernel that starts well answers within a second or two here.
   */
  private static Run execute(Path notebook) throws Exception {
    Run r = executeOnce(notebook);
    for (int again = 1; again < KERNEL_STARTS && kernelNeverStarted(r); again++) {
      System.out.println(notebook.getFileName() + ": the kernel did not answer; starting again");
      r = executeOnce(notebook);
    }
    return r;
  }

  private static Run executeOnce(Path notebook) throws Exception {
    return run(
        List.of(
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.startup_timeout=" + KERNEL_START_SECONDS,
            "--ExecutePreprocessor.timeout=600",
            "--output-dir",
            EXECUTED.toString(),
            notebook.toString()),
        notebook.getParent(),
        300);
  }

  private static int outputsOf(Path notebook) throws IOException {
    int n = 0;
    for (JsonNode cell : new ObjectMapper().readTree(notebook.toFile()).path("cells")) {
      n += cell.path("outputs").size();
    }
    return n;
  }

  private static List<String> errorsIn(Path notebook) throws IOException {
    List<String> errors = new ArrayList<>();
    for (JsonNode cell : new ObjectMapper().readTree(notebook.toFile()).path("cells")) {
      for (JsonNode output : cell.path("outputs")) {
        if (output.path("output_type").asText().equals("error")) {
          errors.add(output.path("ename").asText() + ": " + output.path("evalue").asText());
        }
      }
    }
    return errors;
  }

  private record Run(int exitCode, String output) {}

  private static Run run(List<String> command, Path dir, int timeoutSeconds) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().put("JUPYTER_DATA_DIR", JUPYTER_DATA.toString());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p;
    try {
      p = builder.start();
    } catch (IOException e) {
      return new Run(127, e.getMessage());
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Thread reader =
        new Thread(
            () -> {
              try {
                p.getInputStream().transferTo(out);
              } catch (IOException e) {
                // the process was killed
              }
            });
    reader.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      reader.join(5000);
      return new Run(
          TIMED_OUT,
          "timed out after " + timeoutSeconds + " s:\n" + out.toString(StandardCharsets.UTF_8));
    }
    reader.join();
    return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8));
  }
}
