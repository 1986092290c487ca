package io.latentdecode.job;

import io.latentdecode.job.commit.RunReport;
import org.apache.hadoop.fs.Path;

/** A committed run: its id, where it went, and its report. */
public record RunResult(String runId, Path output, Path reportPath, RunReport report) {}
