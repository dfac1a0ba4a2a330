package dev.kiln.emulator.pcifunction.fuse;

/** What a {@link FuseMount} serves: a tree of nodes looked up by absolute path. */
@FunctionalInterface
public interface FuseFilesystem {

  /**
   * The node at {@code path} ({@code "/"}, {@code "/a/b"}), or null when there is none. Called
   * on the loop thread for lookups, getattr, open and readdir; never for reads and writes.
   */
  FuseNode lookup(String path);
}
