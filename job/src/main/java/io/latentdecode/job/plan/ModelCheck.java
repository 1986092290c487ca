package io.latentdecode.job.plan;

import ai.djl.Device;
import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.ModelDigest;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.model.DecoderLoader;
import io.latentdecode.udf.model.EngineSetup;
import io.latentdecode.udf.model.ModelFetcher;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks {@code --model} on the driver before any task starts: the file exists, its digest
 * identifies it, and libtorch loads it as TorchScript (on the CPU, then closes it). A missing or
 * corrupt model is one clear message instead of a failure in every task.
 */
public final class ModelCheck {
  private ModelCheck() {}

  public static ModelRef check(String modelUri, Configuration conf, int intraOpThreads) {
    Path path = new Path(modelUri);
    ModelRef model;
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.getFileStatus(path).isFile()) {
        throw new JobSetupException(
            "Cannot run: --model " + modelUri + " is a directory; pass the TorchScript file");
      }
      model = ModelDigest.of(fs, path);
    } catch (FileNotFoundException e) {
      throw new JobSetupException(
          "Cannot run: --model "
              + modelUri
              + " does not exist; pass a TorchScript decoder file"
              + " (torch.jit.save of a traced or scripted VAE decoder)");
    } catch (IOException e) {
      throw new JobSetupException(
          "Cannot run: cannot read --model " + modelUri + ": " + e.getMessage(), e);
    }
    EngineSetup.configure(intraOpThreads);
    try {
      DecoderLoader.load(ModelFetcher.localCopy(model, conf), Device.cpu()).close();
      return model;
    } catch (IOException e) {
      throw new JobSetupException(
          "Cannot run: --model "
              + modelUri
              + " is not a usable TorchScript decoder. "
              + e.getMessage(),
          e);
    }
  }
}
