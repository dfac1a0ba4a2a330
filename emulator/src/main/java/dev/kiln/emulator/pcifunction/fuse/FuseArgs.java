package dev.kiln.emulator.pcifunction.fuse;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * {@code struct fuse_args} ({@code include/fuse_opt.h}): {@code int argc; char **argv; int
 * allocated;}. Public only because JNA reads the fields by reflection; not API.
 */
@Structure.FieldOrder({"argc", "argv", "allocated"})
public final class FuseArgs extends Structure {
  public int argc;
  public Pointer argv;
  public int allocated;
}
