package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageSummary;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.pipeline.cli.json.ImageJson;
import dev.kiln.pipeline.packages.ForeignPackage;
import dev.kiln.pipeline.packages.PackageDescription;
import dev.kiln.pipeline.packages.PackagedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code kiln inspect X.mfa2} and {@code kiln inspect X.fwpkg}: what the package holds ({@link
 * PackageDescription}), then every image in it shown as {@code kiln inspect} shows an image file.
 * Exit 0 when every image verifies, 1 when one has errors, 3 when the package cannot be read.
 */
final class PackageInspection {
  private PackageInspection() {}

  static int run(PrintWriter out, Path file, boolean json, boolean toc, boolean boot) {
    ForeignPackage pkg;
    try {
      pkg = ForeignPackage.read(file);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.UNREADABLE_INPUT, ParseErrors.describe(file, e), e);
    }
    int exit = ExitCodes.OK;
    if (json) {
      ObjectNode node = PackageDescription.json(pkg);
      ArrayNode images = node.putArray("images");
      for (PackagedImage image : pkg.images()) {
        Fs4Image parsed = parse(pkg, image);
        var result = ImageVerifier.verify(parsed);
        ObjectNode entry = images.addObject();
        entry.put("name", image.name());
        entry.put("psid", image.psid());
        entry.set("image", ImageInspection.toJson(parsed, ImageSummary.of(parsed), result));
        exit = passes(image, result) ? exit : ExitCodes.CHECK_FAILED;
      }
      out.println(ImageJson.render(node));
      out.flush();
      return exit;
    }
    PackageDescription.print(out, pkg);
    for (PackagedImage image : pkg.images()) {
      out.printf("%nImage %s%n", image.name());
      Fs4Image parsed = parse(pkg, image);
      ImageInspection.run(out, parsed, false, toc, boot);
      if (image.updateComponent()) {
        out.printf("  (%s is expected: the archive holds the image as mstflint burns it, up to its"
            + " last ITOC section; the DTOC stays on the device)%n", PackagedImage.NO_DTOC);
      }
      if (!passes(image, ImageVerifier.verify(parsed))) {
        exit = ExitCodes.CHECK_FAILED;
      }
    }
    out.flush();
    return exit;
  }

  /** No structural error but those the package makes expected. */
  private static boolean passes(PackagedImage image, VerificationResult result) {
    return result.errors().stream().allMatch(f -> image.expected(f.code().name()));
  }

  private static Fs4Image parse(ForeignPackage pkg, PackagedImage image) {
    String source = pkg.source() + ":" + image.name();
    try {
      return ImageParser.parse(image.image(), source);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.UNREADABLE_INPUT, e.getMessage(), e);
    }
  }
}
