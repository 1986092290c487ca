package io.latentdecode.job.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Writes Arrow IPC files in the latent table contract, as a pyarrow user would. */
public final class ArrowLatents {
  private ArrowLatents() {}

  /** One row: id, float32 latent bytes, shape, and a carried {@code prompt}. */
  public record Row(String id, byte[] latent, int[] shape, String prompt) {}

  public static Path write(Path file, List<Row> rows) throws IOException {
    Schema schema =
        new Schema(
            List.of(
                Field.notNullable("id", ArrowType.Utf8.INSTANCE),
                Field.notNullable("latent", ArrowType.Binary.INSTANCE),
                new Field(
                    "shape",
                    FieldType.notNullable(ArrowType.List.INSTANCE),
                    List.of(Field.notNullable("item", new ArrowType.Int(32, true)))),
                Field.notNullable("dtype", ArrowType.Utf8.INSTANCE),
                Field.nullable("prompt", ArrowType.Utf8.INSTANCE)));
    Files.createDirectories(file.getParent());
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        FileChannel channel =
            FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ArrowFileWriter writer = new ArrowFileWriter(root, null, channel)) {
      writer.start();
      VarCharVector id = (VarCharVector) root.getVector("id");
      VarBinaryVector latent = (VarBinaryVector) root.getVector("latent");
      ListVector shape = (ListVector) root.getVector("shape");
      VarCharVector dtype = (VarCharVector) root.getVector("dtype");
      VarCharVector prompt = (VarCharVector) root.getVector("prompt");
      UnionListWriter dims = shape.getWriter();
      for (int i = 0; i < rows.size(); i++) {
        Row row = rows.get(i);
        id.setSafe(i, row.id().getBytes(StandardCharsets.UTF_8));
        latent.setSafe(i, row.latent());
        dims.setPosition(i);
        dims.startList();
        for (int d : row.shape()) {
          dims.writeInt(d);
        }
        dims.endList();
        dtype.setSafe(i, "float32".getBytes(StandardCharsets.UTF_8));
        prompt.setSafe(i, row.prompt().getBytes(StandardCharsets.UTF_8));
      }
      root.setRowCount(rows.size());
      writer.writeBatch();
      writer.end();
    }
    return file;
  }
}
