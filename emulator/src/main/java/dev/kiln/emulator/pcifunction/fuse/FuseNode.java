package dev.kiln.emulator.pcifunction.fuse;

/** A path in a {@link FuseFilesystem}: a {@link FuseDirectory} or a {@link FuseFile}. */
public sealed interface FuseNode permits FuseDirectory, FuseFile {

  /** Permission bits (e.g. {@code 0644}); the file type bits are added by the binding. */
  int permissions();
}
