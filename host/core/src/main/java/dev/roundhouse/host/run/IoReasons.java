package dev.roundhouse.host.run;

import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The operating system's reason for an I/O failure in words, without Java exception class names: {@code
 * AccessDeniedException: /x} becomes {@code /x: permission denied}. Stateless and thread-safe.
 */
public final class IoReasons {
  private IoReasons() {}

  /** "FILE: reason" where the exception names a file, else the reason. */
  public static String describe(Throwable e) {
    if (e instanceof UncheckedIOException u && u.getCause() != null && u.getMessage() == null) {
      return describe(u.getCause());
    }
    if (e instanceof FileSystemException fs) {
      String reason = reason(fs);
      String file = fs.getFile();
      if (fs.getOtherFile() != null) {
        file = file + " -> " + fs.getOtherFile();
      }
      return file == null ? reason : file + ": " + reason;
    }
    if (e instanceof CharacterCodingException) {
      return "not valid UTF-8 text";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? "input/output error" : m;
  }

  private static String reason(FileSystemException fs) {
    if (fs instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (fs instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (fs instanceof FileAlreadyExistsException) {
      return "already exists";
    }
    if (fs instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (fs instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    String r = fs.getReason();
    return r == null || r.isBlank() ? "input/output error" : r;
  }
}
