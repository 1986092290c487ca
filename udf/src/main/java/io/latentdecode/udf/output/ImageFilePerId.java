package io.latentdecode.udf.output;

import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.ImagePaths;
import io.latentdecode.udf.contract.OutputSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes each row of one {@link VectorSchemaRoot} as its own image file in a task attempt's private
 * folder, at {@link ImagePaths#path} of its id with the image format's extension ({@code
 * --output-format files}, for small runs and eyeballing). The other columns are not written.
 */
final class ImageFilePerId implements BatchFiles {
  private final FileSystem fs;
  private final Path attemptDir;
  private final VectorSchemaRoot root;
  private final List<StagedFile> written = new ArrayList<>();

  ImageFilePerId(FileSystem fs, Path attemptDir, VectorSchemaRoot root) {
    this.fs = fs;
    this.attemptDir = attemptDir;
    this.root = root;
  }

  @Override
  public void writeBatch() throws IOException {
    VarCharVector ids = (VarCharVector) root.getVector(OutputSchemas.ID);
    VarBinaryVector images = (VarBinaryVector) root.getVector(OutputSchemas.IMAGE);
    VarCharVector formats = (VarCharVector) root.getVector(OutputSchemas.FORMAT);
    for (int i = 0; i < root.getRowCount(); i++) {
      String name =
          ImagePaths.path(new String(ids.get(i), StandardCharsets.UTF_8))
              + "."
              + ImageFormat.parse(new String(formats.get(i), StandardCharsets.UTF_8))
                  .fileExtension();
      Path staged = new Path(attemptDir, "images/" + name);
      byte[] image = images.get(i);
      try (FSDataOutputStream out = fs.create(staged, false)) {
        out.write(image);
      }
      written.add(new StagedFile(staged, name, 1, image.length));
    }
  }

  @Override
  public List<StagedFile> finish() {
    return List.copyOf(written);
  }

  @Override
  public void close() {}
}
