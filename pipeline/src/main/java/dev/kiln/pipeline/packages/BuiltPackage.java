package dev.kiln.pipeline.packages;

import java.util.List;

/**
 * A package kiln has made in memory, with the images a reader must find in it (in {@link
 * ForeignPackage#images()} order): what {@link SignedPackageWriter} checks the written file against.
 */
public record BuiltPackage(PackageFormat format, byte[] bytes, List<PackagedImage> expected) {
  public BuiltPackage {
    bytes = bytes.clone();
    expected = List.copyOf(expected);
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }
}
