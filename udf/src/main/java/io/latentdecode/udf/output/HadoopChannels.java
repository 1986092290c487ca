package io.latentdecode.udf.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Arrow's file reader needs a {@link SeekableByteChannel}; this is one over any Hadoop file system.
 */
public final class HadoopChannels {
  private HadoopChannels() {}

  public static SeekableByteChannel openForRead(FileSystem fs, Path path) throws IOException {
    long size = fs.getFileStatus(path).getLen();
    FSDataInputStream in = fs.open(path);
    return new SeekableByteChannel() {
      private boolean open = true;

      @Override
      public int read(ByteBuffer dst) throws IOException {
        long position = in.getPos();
        if (position >= size) {
          return -1;
        }
        int want = (int) Math.min(dst.remaining(), size - position);
        byte[] chunk = new byte[want];
        in.readFully(chunk);
        dst.put(chunk);
        return want;
      }

      @Override
      public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
      }

      @Override
      public long position() throws IOException {
        return in.getPos();
      }

      @Override
      public SeekableByteChannel position(long newPosition) throws IOException {
        in.seek(newPosition);
        return this;
      }

      @Override
      public long size() {
        return size;
      }

      @Override
      public SeekableByteChannel truncate(long s) {
        throw new NonWritableChannelException();
      }

      @Override
      public boolean isOpen() {
        return open;
      }

      @Override
      public void close() throws IOException {
        open = false;
        in.close();
      }
    };
  }
}
