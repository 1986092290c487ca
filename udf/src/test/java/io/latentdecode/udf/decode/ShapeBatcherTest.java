package io.latentdecode.udf.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentDtype;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.junit.jupiter.api.Test;

class ShapeBatcherTest {
  @Test
  void batchesOnlyEqualShapesAndDtypesAndDrainsTheRest() throws Exception {
    ShapeBatcher batcher = new ShapeBatcher(2);
    assertThat(batcher.add(latent("a", 4, 8, 8, LatentDtype.FLOAT32))).isNull();
    assertThat(batcher.add(latent("b", 4, 8, 16, LatentDtype.FLOAT32))).isNull();
    assertThat(batcher.add(latent("c", 4, 8, 8, LatentDtype.FLOAT16))).isNull();
    ShapeBatcher.Batch full = batcher.add(latent("d", 4, 8, 8, LatentDtype.FLOAT32));
    assertThat(full.latents()).extracting(Latent::id).containsExactly("a", "d");
    assertThat(full.size()).isEqualTo(2);

    List<ShapeBatcher.Batch> rest = batcher.drain();
    assertThat(rest).extracting(batch -> batch.latents().get(0).id()).containsExactly("b", "c");
    assertThat(rest).extracting(ShapeBatcher.Batch::size).containsExactly(2, 2); // partial ones
    assertThat(batcher.drain()).isEmpty();
  }

  private static Latent latent(String id, int c, int h, int w, LatentDtype dtype) throws Exception {
    return Latent.of(
        id,
        new int[] {c, h, w},
        dtype,
        new byte[c * h * w * dtype.bytesPerElement()],
        new GenericInternalRow(0));
  }
}
