package io.latentdecode.udf.model;

/**
 * How glibc's allocator should serve libtorch on a CPU, for the processes that decode: the launcher
 * exports it as {@value #VARIABLE} (glibc reads it once, when the process starts, so it cannot be
 * set from Java), and the driver passes it to cluster executors as {@code
 * spark.executorEnv.GLIBC_TUNABLES}; a value the user set wins in both places.
 *
 * <p>A forward allocates and frees hundreds of MB of activations. With glibc's defaults the blocks
 * above its mmap threshold are new mappings each time, and freed memory at the top of a heap goes
 * back to the kernel: every forward faults its memory in again, page by page. On the CI kind of
 * machine (a VM, where a page fault is dear) that was 1 million faults and 15 s of system time per
 * 96-latent TAEF2 run, about a third of the decode. These settings keep freed memory for the next
 * forward (a trim threshold of 16 GB: peak memory is unchanged, it is only not handed back between
 * forwards), serve blocks up to 32 MB from the heaps instead of fresh mappings, and back the heaps
 * with transparent huge pages (glibc 2.35 and later; older ones ignore the setting), which is what
 * libtorch's own {@code THP_MEM_ALLOC_ENABLE} does for its blocks of 2 MB and more. A process that
 * must hand memory back (the memory probe) calls {@code malloc_trim}, which these settings do not
 * change.
 */
public final class MallocSettings {
  /** The environment variable glibc reads its tunables from. */
  public static final String VARIABLE = "GLIBC_TUNABLES";

  /** The tunables; the launcher script holds the same text. */
  public static final String TUNABLES =
      "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432"
          + ":glibc.malloc.trim_threshold=17179869184";

  private MallocSettings() {}
}
