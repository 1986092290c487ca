package io.latentdecode.udf.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** WebDataset keys: no dot or slash in any key, and each gives its id back. */
class SampleKeysTest {
  @Test
  void everyIdHasAKeyWithoutDotsOrSlashesThatGivesItBack() {
    List<String> ids =
        List.of(
            "plain_id-1",
            "a/b/c.npy",
            "photo.v2.final",
            "100% ünïcødé 画像",
            "%2E",
            "..",
            "",
            "tab\there");
    for (String id : ids) {
      String key = SampleKeys.key(id);
      assertThat(key).as(id).doesNotContain(".", "/", " ").matches("[A-Za-z0-9_%-]*");
      assertThat(SampleKeys.id(key)).isEqualTo(id);
    }
    assertThat(SampleKeys.key("a/b.npy")).isEqualTo("a%2Fb%2Enpy");
    assertThat(ids.stream().map(SampleKeys::key).distinct()).hasSize(ids.size());
  }

  @Test
  void aStringNoIdGivesIsRefused() {
    assertThatThrownBy(() -> SampleKeys.id("a.png")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SampleKeys.id("%G1")).isInstanceOf(IllegalArgumentException.class);
  }
}
