package dev.kiln.emulator.pcifunction.fuse;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * {@code umount2(2)}, for detaching the mount from this namespace without ending the FUSE session:
 * libfuse's own {@code fuse_unmount} also closes the session's {@code /dev/fuse} descriptor
 * ({@code lib/mount.c}, {@code fuse_kern_unmount}), which would cut off the copies of the mount in
 * other namespaces that are still being served.
 */
interface LibC extends Library {
  /** {@code MNT_DETACH}: lazy unmount, the mount disappears now, in-use copies stay usable. */
  int MNT_DETACH = 2;

  /** Loaded on first use. */
  final class Holder {
    private Holder() {}

    static final LibC INSTANCE = Native.load("c", LibC.class);
  }

  int umount2(String target, int flags) throws LastErrorException;
}
