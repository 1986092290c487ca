package io.latentdecode.udf.contract;

import java.io.Serializable;

/**
 * One input file as the driver's listing saw it: its qualified path and its length in bytes. Tasks
 * of file inputs receive a list of these and read each file themselves.
 */
public record InputFile(String path, long length) implements Serializable {}
