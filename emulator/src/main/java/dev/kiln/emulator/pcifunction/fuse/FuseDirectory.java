package dev.kiln.emulator.pcifunction.fuse;

import java.util.List;

/** A directory: the names of its entries ("." and ".." are added by the binding). */
public non-sealed interface FuseDirectory extends FuseNode {

  /** The entry names. */
  List<String> entries();
}
