package io.latentdecode.udf.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** File paths of ids: folders from slashes, nothing hidden or outside, the id given back. */
class ImagePathsTest {
  @Test
  void everyIdHasASafeRelativePathThatGivesItBack() {
    List<String> ids =
        List.of(
            "textures/brick",
            "a/b.v2.final",
            "../../etc/passwd",
            "_SUCCESS",
            "_runs/x",
            ".hidden/.x",
            "/abs/path",
            "a//b",
            "trailing/",
            "100% ünï 画像",
            "%2F",
            "",
            "%");
    for (String id : ids) {
      String path = ImagePaths.path(id);
      assertThat(ImagePaths.id(path)).as(path).isEqualTo(id);
      assertThat(path).doesNotStartWith("/");
      for (String segment : path.split("/", -1)) {
        assertThat(segment).as(id).isNotEmpty().doesNotStartWith(".").doesNotStartWith("_");
      }
    }
    assertThat(ImagePaths.path("textures/brick")).isEqualTo("textures/brick");
    assertThat(ImagePaths.path("a//b")).isEqualTo("a%2F%2Fb");
    assertThat(ids.stream().map(ImagePaths::path).distinct()).hasSize(ids.size());
  }
}
