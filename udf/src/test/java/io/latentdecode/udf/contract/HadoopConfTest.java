package io.latentdecode.udf.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** The settings an executor gets are the driver's, every one of them, as the driver holds them. */
class HadoopConfTest {
  @Test
  void everySettingArrivesWithItsRawValue() throws Exception {
    Configuration driver = new Configuration(); // Hadoop's defaults and the user's settings
    driver.set("fs.s3a.endpoint", "http://127.0.0.1:9000");
    driver.set("latent-decode.test.reference", "${fs.s3a.endpoint}/bucket");
    driver.set("latent-decode.test.long", "x".repeat(100_000)); // past writeUTF's 64 KB
    driver.set("latent-decode.test.unicode", "Zürich, 東京");
    driver.unset("hadoop.tmp.dir");

    HadoopConf sent = new HadoopConf(driver);
    Configuration executor = roundTrip(sent).get();

    assertThat(settings(executor)).isEqualTo(settings(sent.get()));
    assertThat(executor.getRaw("latent-decode.test.reference"))
        .isEqualTo("${fs.s3a.endpoint}/bucket");
    assertThat(executor.get("latent-decode.test.reference"))
        .isEqualTo("http://127.0.0.1:9000/bucket");
    assertThat(executor.get("hadoop.tmp.dir")).isNull();
    assertThat(executor.get("fs.file.impl")).isEqualTo(sent.get().get("fs.file.impl"));
  }

  @Test
  void anExecutorReadsNoDefaultsOfItsOwn() throws Exception {
    Configuration driver = new Configuration(false);
    driver.set("only.this", "1");

    Configuration executor = roundTrip(new HadoopConf(driver)).get();

    assertThat(settings(executor)).containsOnlyKeys("only.this", "fs.file.impl");
  }

  private static Map<String, String> settings(Configuration conf) {
    Map<String, String> all = new TreeMap<>();
    conf.forEach(e -> all.put(e.getKey(), e.getValue()));
    return all;
  }

  private static HadoopConf roundTrip(HadoopConf conf) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(conf);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (HadoopConf) in.readObject();
    }
  }
}
