package io.latentdecode.udf.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The tile layout and the blend weights: every pixel covered, neighbours' weights summing to 1. */
class TiledForwardTest {
  @Test
  void tilesStepByTileMinusOverlapAndTheLastIsFlushWithTheEnd() {
    assertThat(TiledForward.starts(128, 64, 16)).containsExactly(0, 48, 64);
    assertThat(TiledForward.starts(192, 96, 32)).containsExactly(0, 64, 96);
    assertThat(TiledForward.starts(64, 64, 16)).containsExactly(0);
    assertThat(TiledForward.starts(40, 64, 16)).containsExactly(0);
  }

  @Test
  void overlappingRampsSumToOneAndInteriorsWeighOne() {
    int length = 200;
    int tile = 64;
    int overlap = 16;
    List<Integer> starts = TiledForward.starts(length, tile, overlap);
    double[] total = new double[length];
    for (int k = 0; k < starts.size(); k++) {
      int s = starts.get(k);
      int before = k > 0 ? starts.get(k - 1) + tile - s : 0;
      int after = k + 1 < starts.size() ? s + tile - starts.get(k + 1) : 0;
      float[] w = TiledForward.ramp(tile, before, after);
      for (int i = 0; i < tile; i++) {
        assertThat(w[i]).isPositive().isLessThanOrEqualTo(1f);
        total[s + i] += w[i];
      }
    }
    for (int i = 0; i < length; i++) {
      assertThat(total[i]).as("weight at %d", i).isCloseTo(1.0, within(1e-6));
    }
  }
}
