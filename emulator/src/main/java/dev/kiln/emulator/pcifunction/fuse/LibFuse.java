package dev.kiln.emulator.pcifunction.fuse;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The six libfuse3 calls of the high-level API that {@link FuseMount} needs, through JNA's
 * interface mapping. The only class that loads libfuse.
 *
 * <p>Not {@code fuse_main}: it parses a command line and installs signal handlers, which would
 * take SIGINT/SIGTERM from the JVM. {@code fuse_new} is called by its versioned name {@code
 * fuse_new_31} (the FUSE_3.1 signature with {@code op_size}; plain {@code fuse_new} resolves to the
 * same symbol through the default version, but the explicit name cannot pick up the 3.0 one).
 *
 * <p>Debian ships only {@code libfuse3.so.3} at run time (the unversioned {@code libfuse3.so}
 * comes with {@code libfuse3-dev}), so the loader tries the plain name, then the soname, then
 * the multiarch path.
 */
interface LibFuse extends Library {

  /** Loaded on first use: machines that never serve a PCI function never touch libfuse. */
  final class Holder {
    private Holder() {}

    static final LibFuse INSTANCE = load();

    private static LibFuse load() {
      UnsatisfiedLinkError first = null;
      for (String name :
          new String[] {"fuse3", "libfuse3.so.3", "/usr/lib/x86_64-linux-gnu/libfuse3.so.3"}) {
        try {
          return Native.load(name, LibFuse.class);
        } catch (UnsatisfiedLinkError e) {
          if (first == null) {
            first = e;
          }
        }
      }
      throw first;
    }
  }

  /** {@code struct fuse *fuse_new_31(struct fuse_args *, const struct fuse_operations *, ...)}. */
  Pointer fuse_new_31(FuseArgs args, FuseOperations operations, long operationsSize, Pointer data);

  int fuse_mount(Pointer fuse, String mountpoint);

  /** Single-threaded request loop; returns when the session exits or the connection ends. */
  int fuse_loop(Pointer fuse);

  void fuse_exit(Pointer fuse);

  /** Unmounts (lazily, {@code MNT_DETACH}, when root) in the caller's mount namespace. */
  void fuse_unmount(Pointer fuse);

  void fuse_destroy(Pointer fuse);
}
