package dev.roundhouse.host.run;

import java.nio.file.Path;

/** Child-process helper for {@link RunDirectoryTest}: holds a run directory's lock until stdin closes. */
public final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    try (RunDirectory dir = RunDirectory.open(Path.of(args[0]))) {
      System.out.println("locked " + dir.root());
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold until the parent closes our stdin
      }
    }
  }
}
