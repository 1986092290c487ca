package io.latentdecode.udf.output;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The JVM's Arrow memory: one root, and a child per task that the task closes in {@code finally}.
 * Closing a child that still holds buffers throws, so a leak fails the task (and the tests) instead
 * of growing.
 */
public final class ArrowAllocators {
  private static final RootAllocator ROOT = new RootAllocator(Long.MAX_VALUE);

  private ArrowAllocators() {}

  public static BufferAllocator forTask(String name) {
    return ROOT.newChildAllocator(name, 0, Long.MAX_VALUE);
  }
}
