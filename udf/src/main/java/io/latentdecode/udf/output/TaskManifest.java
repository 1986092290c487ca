package io.latentdecode.udf.output;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What one committed task put into the output: its published files and the inputs it consumed. A
 * task's manifest is written last, after its files are published, and is what makes them committed:
 * readers that follow {@code _manifests/} never see a file no manifest names, and {@code --mode
 * resume} skips the inputs the manifests name without reading any image file.
 *
 * @param runId the run the task belonged to
 * @param partition the input partition
 * @param attempt the attempt that published
 * @param imageFiles published image files, relative to the output
 * @param errorFiles published error files, relative to the output
 * @param imageBytes the image files' total size, so that readers need not ask for each
 * @param sourceKind {@code file} (sources are input file paths) or {@code id} (row ids)
 * @param sources every input the task consumed: not in the JSON but in the Parquet file {@link
 *     #sourcesFile()} beside it, published first
 * @param rowsByInputFile table inputs: how many rows the task consumed from each input file, so
 *     that a resumed run skips a file whose rows are all committed without reading it
 * @param images images written
 * @param errors rows quarantined
 * @param modelSha256 the decoder the run used
 * @param settings the run's decode settings as JSON (what a resumed run must match)
 */
public record TaskManifest(
    @JsonProperty("run_id") String runId,
    @JsonProperty("partition") int partition,
    @JsonProperty("attempt") int attempt,
    @JsonProperty("image_files") List<String> imageFiles,
    @JsonProperty("error_files") List<String> errorFiles,
    @JsonProperty("image_bytes") long imageBytes,
    @JsonProperty("source_kind") String sourceKind,
    @JsonIgnore List<String> sources,
    @JsonProperty("rows_by_input_file") java.util.Map<String, Long> rowsByInputFile,
    @JsonProperty("images") long images,
    @JsonProperty("errors") long errors,
    @JsonProperty("model_sha256") String modelSha256,
    @JsonProperty("settings") String settings) {

  public static final String FILE_SOURCES = "file";
  public static final String ID_SOURCES = "id";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The name of the Parquet file of {@link #sources}, beside the manifest. */
  @JsonProperty("sources_file")
  public String sourcesFile() {
    return String.format("part-%05d.sources.parquet", partition);
  }

  @JsonProperty("source_count")
  public long sourceCount() {
    return sources.size();
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes the sources file and then the manifest at {@code target}, each in one step: staged in
   * {@code stagingDir}, then renamed. The manifest comes last: a sources file no manifest names is
   * never read.
   */
  public void publish(FileSystem fs, Path stagingDir, Path target) throws IOException {
    fs.mkdirs(target.getParent());
    Path stagedSources = new Path(stagingDir, sourcesFile());
    TaskSources.write(fs, stagedSources, sources);
    rename(fs, stagedSources, new Path(target.getParent(), sourcesFile()));
    Path staged = new Path(stagingDir, "manifest.json");
    try (OutputStream out = fs.create(staged, true)) {
      out.write(toJson());
    }
    rename(fs, staged, target);
  }

  private static void rename(FileSystem fs, Path staged, Path target) throws IOException {
    if (fs.exists(target)) {
      fs.delete(target, false);
    }
    if (!fs.rename(staged, target)) {
      throw new IOException("Cannot publish " + staged + " as " + target);
    }
  }
}
