package io.latentdecode.udf.contract;

import java.io.Serializable;
import java.util.Map;

/**
 * What {@code --batch-size auto} measured for one latent shape in one executor JVM.
 *
 * @param chosen the batch size settled on (or the one being measured, while not settled)
 * @param settled whether the search ended
 * @param imagesPerSecond per batch size tried, the forward throughput the search compared: the
 *     lower median of its forwards in the last trial it took part in
 * @param costSeconds forward time the batches decoded at other sizes took beyond what the chosen
 *     size would have needed for them (0 until settled)
 */
public record BatchSizeChoice(
    int chosen, boolean settled, Map<Integer, Double> imagesPerSecond, double costSeconds)
    implements Serializable {
  public BatchSizeChoice {
    imagesPerSecond = Map.copyOf(imagesPerSecond);
  }
}
