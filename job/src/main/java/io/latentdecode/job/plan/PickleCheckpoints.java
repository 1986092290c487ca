package io.latentdecode.job.plan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Tells a {@code torch.save} checkpoint (a pickle, or a zip of one with tensor data) from a
 * TorchScript file (a zip that also holds the module's code), without unpickling anything.
 */
final class PickleCheckpoints {
  private PickleCheckpoints() {}

  static boolean isPickle(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(2);
    }
    if (head.length == 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
      return true; // a plain pickle stream: torch.save's legacy format
    }
    if (head.length < 2 || head[0] != 'P' || head[1] != 'K') {
      return false;
    }
    try (ZipFile zip = new ZipFile(file.toFile())) {
      boolean data = false;
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        String name = e.getName();
        if (name.contains("/code/") || name.endsWith("/constants.pkl")) {
          return false; // TorchScript
        }
        data |= name.endsWith("/data.pkl");
      }
      return data;
    } catch (ZipException e) {
      return false;
    }
  }

  static String refusal(String fileName) {
    return "is a pickle checkpoint (torch.save), not TorchScript; loading pickles can run"
        + " arbitrary code, so latent-decode does not read them. Convert it once, where you trust"
        + " it: python -c \"import torch, safetensors.torch as st; sd = torch.load('"
        + fileName
        + "', map_location='cpu'); sd = sd.get('state_dict', sd); st.save_file({k: v.contiguous()"
        + " for k, v in sd.items()}, 'vae.safetensors')\" and pass vae.safetensors with --preset";
  }
}
