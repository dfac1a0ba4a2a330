package dev.kiln.packages.mfa2;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.ImageSummary;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.section.ImageInfo;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the archive mstarchive builds from a set of FS4 images ({@code FWDirectoryBuilder} in
 * mstflint's {@code mlxarchive/mlxarchive_mfa2_builder.cpp}): per image, in the order given, one
 * device descriptor for the image's PSID pointing at one component; the component is the image
 * as mstflint burns it ({@link UpdateComponent#bytes}), with the image's FW version and release
 * date, classification and identifier 0.
 */
public final class Mfa2Images {
  private Mfa2Images() {}

  /**
   * @throws ImageFormatException when an image has no IMAGE_INFO, no PSID, or no component
   *     mstflint could extract
   * @throws IllegalArgumentException when two images have the same PSID
   */
  public static Mfa2Archive archive(String packageVersion, LocalDateTime created, List<Fs4Image> images)
      throws ImageFormatException {
    List<Mfa2Device> devices = new ArrayList<>();
    List<Mfa2Component> components = new ArrayList<>();
    for (Fs4Image image : images) {
      ImageSummary summary = ImageSummary.of(image);
      ImageInfo info = summary.imageInfo();
      if (info == null || summary.psid() == null || summary.psid().isEmpty()) {
        throw new ImageFormatException(image.source() + ": no IMAGE_INFO with a PSID to archive it under");
      }
      for (Mfa2Device device : devices) {
        if (device.psid().equals(summary.psid())) {
          throw new IllegalArgumentException(
              image.source() + ": a second image for PSID " + summary.psid()
                  + " (an archive holds one image per PSID)");
        }
      }
      devices.add(new Mfa2Device(summary.psid(), List.of(components.size())));
      components.add(
          new Mfa2Component(
              0, 0, Mfa2Version.ofImage(info.fwVersion(), info.releaseDate()),
              UpdateComponent.bytes(image)));
    }
    return new Mfa2Archive(Mfa2Version.ofPackage(packageVersion, created), devices, components);
  }
}
