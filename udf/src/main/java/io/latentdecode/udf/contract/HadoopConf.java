package io.latentdecode.udf.contract;

import io.latentdecode.udf.output.NioLocalFileSystem;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.Text;

/**
 * A Hadoop {@link Configuration} that travels to executors (Configuration itself is not
 * Serializable), with {@code file:} served by {@link NioLocalFileSystem} unless it names another
 * file system.
 *
 * <p>It travels as its settings' names and raw values, without the resources each came from:
 * Hadoop's own {@link Configuration#write} gzips every setting's list of sources in a stream of its
 * own, a thousand zlib streams for the defaults alone, which took 0.4 s of the driver's start-up
 * and as long again on each executor that reads it.
 */
public final class HadoopConf implements Serializable {
  private static final long serialVersionUID = 2L;

  private transient Configuration conf;

  public HadoopConf(Configuration conf) {
    this.conf = new Configuration(conf);
    NioLocalFileSystem.setDefault(this.conf);
  }

  public Configuration get() {
    return conf;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    List<Map.Entry<String, String>> settings = new ArrayList<>();
    conf.forEach(settings::add); // raw values: ${...} references resolve where they are read
    out.writeInt(settings.size());
    for (Map.Entry<String, String> setting : settings) {
      Text.writeString(out, setting.getKey());
      Text.writeString(out, setting.getValue());
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    conf = new Configuration(false);
    int count = in.readInt();
    for (int i = 0; i < count; i++) {
      conf.set(Text.readString(in), Text.readString(in));
    }
  }
}
