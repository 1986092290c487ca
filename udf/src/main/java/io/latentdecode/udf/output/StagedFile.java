package io.latentdecode.udf.output;

import org.apache.hadoop.fs.Path;

/**
 * A finished file in a task attempt's private folder, waiting to be published.
 *
 * @param staged where it is now
 * @param publishedName its path relative to the output once published
 * @param rows rows it holds
 * @param bytes its length
 */
public record StagedFile(Path staged, String publishedName, long rows, long bytes) {}
