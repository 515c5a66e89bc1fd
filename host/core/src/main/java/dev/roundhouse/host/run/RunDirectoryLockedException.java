package dev.roundhouse.host.run;

import java.nio.file.Path;

/** A run directory is already open for writing by another process or another part of this process. */
public final class RunDirectoryLockedException extends IllegalStateException {
  private final transient Path directory;

  RunDirectoryLockedException(Path directory, String holder) {
    super("run directory " + directory + " is in use by another writer (" + holder + "); lock file "
        + directory.resolve(RunDirectory.LOCK_FILE) + ". Wait for that run to finish or use another directory.");
    this.directory = directory;
  }

  /** The locked run directory. */
  public Path directory() {
    return directory;
  }
}
