package dev.roundhouse.host.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement: the content goes to a temp file in the target's directory ({@code .NAME.*.tmp}),
 * is fsynced, atomically renamed over the target, and the directory is fsynced. A reader sees either the old or the
 * new complete file, never a partial one; on failure the temp file is removed.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes UTF-8 text atomically. */
  public static void writeString(Path target, String text) throws IOException {
    writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes bytes atomically. The parent directory must exist. */
  public static void writeBytes(Path target, byte[] data) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      moveAtomically(tmp, target);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
    }
    fsyncDirectory(dir);
  }

  /** Renames {@code from} to {@code to} (replacing it) atomically; fails if the file system cannot. */
  public static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("file system of " + to + " cannot rename atomically", e);
    }
  }

  /** Flushes a file's content to disk. */
  public static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Flushes a directory entry list so a rename survives a crash. Best effort: some platforms (Windows) cannot open
   * a directory; there the rename is still atomic, only its durability is up to the OS.
   */
  public static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not supported here; see Javadoc
    }
  }
}
