package dev.kiln.packages.mfa2;

/**
 * The text mstarchive 4.36 prints for {@code mstarchive --mfa2-file X.mfa2} ({@code MFA2::dump}
 * in mstflint's {@code mlxarchive/mlxarchive_mfa2.cpp}), line for line, so that an archive kiln
 * reads can be compared with the vendor tool's view of it.
 */
public final class Mfa2Dump {
  private Mfa2Dump() {}

  public static String text(Mfa2Archive archive) {
    StringBuilder out = new StringBuilder();
    out.append("Package Version : ").append(archive.packageVersion().version()).append('\n');
    out.append("Creation Time   : ").append(archive.packageVersion().creationTime()).append('\n');
    out.append("Devices         : ").append(archive.devices().size()).append('\n');
    for (Mfa2Device device : archive.devices()) {
      out.append("    PSID       : ").append(device.psid()).append('\n');
      out.append("    Num of Images : ").append(device.components().size()).append('\n');
      for (int index : device.components()) {
        Mfa2Version version = archive.components().get(index).version();
        out.append("        Index   : ").append(index).append('\n');
        out.append("        Version : ").append(version.paddedVersion()).append('\n');
        out.append("        Date    : ").append(version.releaseDate()).append('\n');
      }
    }
    return out.toString();
  }
}
