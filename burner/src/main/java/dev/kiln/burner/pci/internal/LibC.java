package dev.kiln.burner.pci.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The four libc calls the sysfs config-space layer needs, mapped through JNA's interface mapping
 * (the stable, documented way). This is the only class that loads a native library in Kiln's
 * burner. {@code size_t}, {@code ssize_t} and {@code off_t} are 64-bit on the LP64 Linux targets
 * Kiln supports, hence {@code long}.
 */
public interface LibC extends Library {
  int O_RDONLY = 0;
  int O_RDWR = 2;
  int O_CLOEXEC = 0x80000;
  int EACCES = 13;
  int EPERM = 1;
  int ENOENT = 2;

  /** Loaded on first use, so that machines without the PCI path never touch native code. */
  final class Holder {
    private Holder() {}

    public static final LibC INSTANCE = Native.load("c", LibC.class);
  }

  int open(String path, int flags) throws LastErrorException;

  long pread(int fd, byte[] buffer, long count, long offset) throws LastErrorException;

  long pwrite(int fd, byte[] buffer, long count, long offset) throws LastErrorException;

  int close(int fd) throws LastErrorException;
}
