package io.latentdecode.udf.model;

/**
 * How glibc's allocator should serve libtorch on a CPU, for the processes that decode: the launcher
 * exports it as {@value #VARIABLE} (glibc reads it once, when the process starts, so it cannot be
 * set from Java), and the driver passes it to cluster executors as {@code
 * spark.executorEnv.GLIBC_TUNABLES}; a value the user set wins in both places.
 *
 * <p>A forward allocates and frees hundreds of MB of activations. With glibc's defaults most of its
 * blocks are new mappings (above the mmap threshold, which only grows to a freed block's size) or
 * heap memory in 4 KB pages: every forward faults its memory in again, page by page. On the CI kind
 * of machine (a VM, where a page fault is dear) that was 1 million faults and 15 s of system time
 * per 96-latent TAEF2 run, about a third of the decode. These settings serve blocks up to 32 MB
 * from the heaps instead of fresh mappings, and back the heaps with transparent huge pages (glibc
 * 2.35 and later; older ones ignore the setting), which is what libtorch's own {@code
 * THP_MEM_ALLOC_ENABLE} does for its blocks of 2 MB and more. Freed memory still goes back to the
 * kernel as glibc decides (a larger trim threshold saved no more time, and would keep memory that
 * {@code malloc_trim}, which the memory probe relies on, cannot hand back from a thread's arena).
 */
public final class MallocSettings {
  /** The environment variable glibc reads its tunables from. */
  public static final String VARIABLE = "GLIBC_TUNABLES";

  /** The tunables; the launcher script holds the same text. */
  public static final String TUNABLES =
      "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432";

  private MallocSettings() {}
}
