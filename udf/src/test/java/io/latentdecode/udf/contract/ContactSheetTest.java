package io.latentdecode.udf.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The first tasks make the contact sheet's thumbnails between them, the others none. */
class ContactSheetTest {
  private static int total(ContactSheet sheet) {
    return IntStream.range(0, sheet.partitions()).map(sheet::forPartition).sum();
  }

  @Test
  void fewTasksShareTheSheet() {
    ContactSheet sheet = new ContactSheet(24, 8);

    assertThat(sheet.forPartition(0)).isEqualTo(3);
    assertThat(sheet.forPartition(7)).isEqualTo(3);
    assertThat(total(sheet)).isEqualTo(24);
    assertThat(new ContactSheet(24, 1).forPartition(0)).isEqualTo(24);
    assertThat(total(new ContactSheet(24, 5))).isBetween(24, 25);
  }

  @Test
  void manyTasksMakeOneEachUntilTheSheetIsFull() {
    ContactSheet sheet = new ContactSheet(24, 10_000);

    assertThat(sheet.forPartition(0)).isEqualTo(1);
    assertThat(sheet.forPartition(23)).isEqualTo(1);
    assertThat(sheet.forPartition(24)).isZero();
    assertThat(total(sheet)).isEqualTo(24);
  }
}
