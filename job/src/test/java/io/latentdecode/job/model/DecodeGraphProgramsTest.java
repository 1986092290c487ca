package io.latentdecode.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.testing.PythonTorch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decode graph programs in the jar are what {@code make_decode_graphs.py} makes today: the
 * script is run again and the TorchScript code of every program compared with the committed one.
 */
class DecodeGraphProgramsTest {
  private static final Path SCRIPT =
      Paths.get("..", "udf", "src", "main", "python", "make_decode_graphs.py");

  @Test
  void theCommittedProgramsAreWhatTheScriptMakes(@TempDir Path tmp) throws Exception {
    PythonTorch.require();
    PythonTorch.Result made = PythonTorch.run(List.of(SCRIPT.toString(), tmp.toString()));
    assertThat(made.exitCode()).as(made.output()).isZero();
    for (String graph : List.of("autoencoder_kl", "taesd")) {
      Path jar = tmp.resolve("committed-" + graph + ".ts.pt");
      try (InputStream in =
          DecodeGraphProgramsTest.class.getResourceAsStream(
              "/io/latentdecode/udf/graphs/" + graph + ".ts.pt")) {
        Files.copy(in, jar);
      }
      Map<String, String> committed = code(jar);
      Map<String, String> fresh = code(tmp.resolve(graph + ".ts.pt"));
      assertThat(committed).as("TorchScript code of %s", graph).isNotEmpty().isEqualTo(fresh);
    }
  }

  /** The archive's {@code code/*.py} files by their path below the archive's folder. */
  private static Map<String, String> code(Path archive) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        String name = e.getName();
        if (name.contains("/code/") && name.endsWith(".py")) {
          try (InputStream in = zip.getInputStream(e)) {
            files.put(
                name.substring(name.indexOf("/code/")),
                new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return files;
  }
}
