package io.latentdecode.job.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.contract.SampleKeys;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The images of a WebDataset shard, read as a plain tar stream: each sample's image member and its
 * JSON member (id, width, height, format), which follow each other under one key.
 */
final class WebDatasetImages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private WebDatasetImages() {}

  static void forEach(FileSystem fs, Path file, ImageFiles.Visitor visitor) throws IOException {
    try (InputStream in = fs.open(file);
        TarArchiveInputStream tar = new TarArchiveInputStream(in, "UTF-8")) {
      String key = null;
      byte[] image = null;
      JsonNode json = null;
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        if (!entry.isFile()) {
          continue;
        }
        String name = entry.getName();
        int dot = name.indexOf('.');
        String memberKey = dot < 0 ? name : name.substring(0, dot);
        if (!memberKey.equals(key)) {
          key = memberKey;
          image = null;
          json = null;
        }
        byte[] bytes = tar.readAllBytes();
        if (name.endsWith(".json")) {
          json = JSON.readTree(bytes);
        } else {
          image = bytes;
        }
        if (image != null && json != null) {
          String id = json.path(OutputSchemas.ID).asText(SampleKeys.id(key));
          visitor.visit(
              new ImageFiles.StoredImage(
                  id,
                  image,
                  json.path(OutputSchemas.FORMAT).asText(),
                  json.path(OutputSchemas.WIDTH).asInt(),
                  json.path(OutputSchemas.HEIGHT).asInt()));
          image = null;
          json = null;
        }
      }
    }
  }
}
