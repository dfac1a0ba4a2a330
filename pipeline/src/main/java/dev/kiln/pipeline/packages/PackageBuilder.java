package dev.kiln.pipeline.packages;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.ImageSummary;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.packages.mfa2.Mfa2Images;
import dev.kiln.packages.mfa2.Mfa2Writer;
import dev.kiln.packages.pldm.PldmFormatRevision;
import dev.kiln.packages.pldm.PldmImages;
import dev.kiln.packages.pldm.PldmPackageWriter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes an MFA2 archive or a DSP0267 package of checked images, deterministically: the creation
 * time is given (MFA2 stores it as UTC date and time, where mstarchive uses the local time of the
 * machine; DSP0267 as a UTC timestamp104).
 */
public final class PackageBuilder {
  private PackageBuilder() {}

  /**
   * @param version the MFA2 package version, N.N.N (a FW version such as 22.41.1000 fits)
   * @throws IllegalArgumentException when the version is not N.N.N or two images share a PSID
   */
  public static BuiltPackage mfa2(List<Fs4Image> images, String version, Instant created)
      throws ImageFormatException {
    byte[] bytes =
        Mfa2Writer.toBytes(
            Mfa2Images.archive(version, LocalDateTime.ofInstant(created, ZoneOffset.UTC), images));
    List<PackagedImage> expected = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      byte[] component = UpdateComponent.bytes(images.get(i));
      UpdateComponent.restoreMagic(component);
      String psid = ImageSummary.of(images.get(i)).psid();
      expected.add(new PackagedImage(psid + " component " + i, psid, component, true));
    }
    return new BuiltPackage(PackageFormat.MFA2, bytes, expected);
  }

  /**
   * @throws IllegalArgumentException when two images share PSID and device id
   */
  public static BuiltPackage pldm(
      List<Fs4Image> images, PldmFormatRevision revision, String version, Instant created)
      throws ImageFormatException {
    byte[] bytes =
        PldmPackageWriter.toBytes(PldmImages.packageFor(revision, version, created, images));
    List<PackagedImage> expected = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      ByteBuffer view = images.get(i).bytes();
      byte[] image = new byte[view.limit()];
      view.position(0).get(image);
      String psid = ImageSummary.of(images.get(i)).psid();
      expected.add(new PackagedImage("record " + i + " component " + i, psid, image, false));
    }
    return new BuiltPackage(PackageFormat.PLDM, bytes, expected);
  }
}
