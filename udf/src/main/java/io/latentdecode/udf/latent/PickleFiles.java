package io.latentdecode.udf.latent;

import java.util.List;
import java.util.Locale;

/**
 * PyTorch's {@code torch.save} files are Python pickles: loading one runs whatever code it names,
 * so the job never opens them. The message says how to convert them.
 */
public final class PickleFiles {
  public static final List<String> EXTENSIONS = List.of(".pt", ".pth", ".ckpt", ".bin", ".pkl");

  private PickleFiles() {}

  public static boolean isPickle(String fileName) {
    String name = fileName.toLowerCase(Locale.ROOT);
    return EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  public static String refusal(String fileName) {
    return fileName
        + " is a pickle-based PyTorch file; loading pickles can run arbitrary code, so"
        + " latent-decode does not read them. Convert it once, where you trust it:"
        + " python -c \"import torch, safetensors.torch as st;"
        + " st.save_file({'latent': torch.load('IN.pt').contiguous()}, 'OUT.safetensors')\""
        + " (or numpy.save('OUT.npy', torch.load('IN.pt').numpy()))";
  }
}
