package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.Finding;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageSummary;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.SectionCheck;
import dev.kiln.inspector.Structure;
import dev.kiln.inspector.Toc;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.inspector.format.HwPointer;
import dev.kiln.inspector.format.HwPointers;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ExpansionRoms;
import dev.kiln.inspector.section.ImageSignature;
import dev.kiln.inspector.section.PublicKeys;
import dev.kiln.inspector.section.UidEntry;
import dev.kiln.pipeline.cli.json.ImageJson;
import dev.kiln.pipeline.packages.PackageFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The work of {@code kiln inspect} on an image file, free of picocli so that {@link QuickCommands}
 * can run it without building a command-line model: what {@code mstflint -i IMAGE query full}
 * shows, the section table of {@code verify showitoc} ({@code toc}) and the boot-area layout
 * ({@code boot}), plus the structural findings; or all of it as one JSON object.
 */
final class ImageInspection {
  private ImageInspection() {}

  /**
   * Shows {@code image} and returns the exit code: 0 when it verifies, 1 when it has errors (it is
   * still shown).
   *
   * @throws CommandFailure with exit code 3 when the image cannot be read
   */
  static int run(PrintWriter out, Path image, boolean json, boolean toc, boolean boot) {
    if (PackageFormat.of(image).filter(f -> f != PackageFormat.KBUNDLE).isPresent()) {
      return PackageInspection.run(out, image, json, toc, boot);
    }
    Fs4Image parsed;
    try {
      parsed = ImageParser.parse(image);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.UNREADABLE_INPUT, ParseErrors.describe(image, e), e);
    }
    return run(out, parsed, json, toc, boot);
  }

  /** Shows an image already parsed (one of a package's); the exit code as above. */
  static int run(PrintWriter out, Fs4Image parsed, boolean json, boolean toc, boolean boot) {
    VerificationResult result = ImageVerifier.verify(parsed);
    ImageSummary summary = ImageSummary.of(parsed);
    if (json) {
      out.println(ImageJson.render(toJson(parsed, summary, result)));
    } else {
      printSummary(out, summary);
      printRsaKey(out, summary);
      SignatureTrustOptions.printInspect(out, parsed); // signer: checks against the image's keys
      if (boot) {
        printBoot(out, parsed);
      }
      if (toc) {
        printToc(out, parsed, result);
      }
      printFindings(out, result);
    }
    out.flush();
    return result.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }

  private static void printSummary(PrintWriter out, ImageSummary s) {
    line(out, "Image type", s.format());
    line(out, "FW Version", s.fwVersion());
    line(out, "FW Release Date", s.releaseDate());
    line(out, "PRS Name", s.prsName());
    line(out, "Part Number", s.partNumber());
    line(out, "Description", s.description());
    line(out, "Product Version", s.productVersion());
    if (s.expansionRoms() != null) {
      line(out, "Rom Info", s.expansionRoms().text(23));
    }
    printUids(out, s);
    line(out, "Image VSD", s.imageVsd() == null ? "N/A" : s.imageVsd());
    line(out, "Device VSD", s.deviceVsd() == null ? "N/A" : s.deviceVsd());
    line(out, "PSID", s.psid());
    line(out, "Orig PSID", s.origPsid());
    line(out, "Security Attributes", s.securityAttributes().text());
    line(out, "Security Ver", Integer.toString(s.securityVersion()));
    line(out, "Default Update Method", s.securityAttributes().updateMethod());
    if (s.imageInfo() != null) {
      StringBuilder ids = new StringBuilder();
      for (int id : s.supportedHwIds()) {
        ids.append(ids.length() == 0 ? "" : ", ").append(String.format("0x%x", id));
        DeviceType.byHwId(id).ifPresent(d -> ids.append(" (").append(d.displayName()).append(')'));
      }
      line(out, "Supported HW IDs", ids.toString());
    }
    for (ImageSignature signature : s.signatures()) {
      line(out, signature.kind().sectionType().name(), signature.isEmpty() ? "empty"
          : "keypair UUID " + HexFormat.of().formatHex(signature.keypairUuid()));
    }
    for (PublicKeys keys : s.publicKeys()) {
      long used = keys.entries().stream().filter(e -> !isZero(e.modulus())).count();
      line(out, keys.kind().sectionType().name(), used + " of " + keys.entries().size()
          + " entries hold " + keys.kind().keyBits() + "-bit keys");
    }
  }

  private static void printRsaKey(PrintWriter out, ImageSummary s) {
    if (s.rsaPublicKey() == null) {
      return;
    }
    for (var entry : s.rsaPublicKey().entries()) {
      if (!isZero(entry.modulus())) {
        line(out, "RSA_PUBLIC_KEY", (entry.modulus().length * 8) + "-bit key, UUID "
            + HexFormat.of().formatHex(entry.keypairUuid()));
      }
    }
  }

  private static void printBoot(PrintWriter out, Fs4Image image) {
    out.println();
    out.println("Boot area:");
    out.printf("  image start 0x%x, format version %d, %d bytes%n", image.imageStart(),
        image.formatVersion(), image.size());
    HwPointers pointers = image.hwPointers();
    for (HwPointer pointer : HwPointer.values()) {
      int i = pointer.index();
      out.printf("  HW pointer %2d %-30s 0x%08x  crc 0x%08x %s%n", i, pointer.fieldName(),
          pointers.rawValue(i), pointers.storedCrc(i), pointers.crcOk(i) ? "OK" : "BAD");
    }
    for (Structure structure : image.structures()) {
      out.printf("  %-12s at 0x%08x size 0x%x%n", structure.name(), structure.offset(),
          structure.size());
    }
    image.toolsArea().ifPresent(t -> out.printf(
        "  tools area: bin version %d.%d, log2_img_slot_size 0x%x, crc %s%n",
        t.binVerMajor(), t.binVerMinor(), t.log2ImgSlotSize(), t.crcOk() ? "OK" : "BAD"));
    image.boot2().ifPresent(b -> out.printf("  BOOT2: %d payload dwords, crc %s%n",
        b.dwordCount(), b.crcOk() ? "OK" : "BAD"));
    image.hashesTable().ifPresent(h -> out.printf(
        "  hashes table: %d entries, hash size %d, header crc %s, table crc %s%n",
        h.numOfEntries(), h.hashSize(), h.headerCrcOk() ? "OK" : "BAD",
        h.tableCrcOk() ? "OK" : "BAD"));
  }

  private static void printToc(PrintWriter out, Fs4Image image, VerificationResult result) {
    for (Toc table : image.itoc().stream().toList()) {
      printTable(out, table, result);
    }
    for (Toc table : image.dtoc().stream().toList()) {
      printTable(out, table, result);
    }
  }

  private static void printTable(PrintWriter out, Toc table, VerificationResult result) {
    out.println();
    out.printf("%s at 0x%x%s, %d entries:%n", table.kind(), table.headerOffset(),
        table.failsafeCopy() ? " (fail-safe copy)" : "", table.sections().size());
    for (Section section : table.sections()) {
      TocEntry e = section.entry();
      String status = result.check(section).map(SectionCheck::status).map(Enum::name)
          .orElse("UNCHECKED");
      out.printf("  %2d %-22s /0x%08x-0x%08x (0x%06x)/ crc mode %d, entry crc %s, section crc %s"
              + "%s%n",
          section.index(), section.name(), section.offset(),
          section.offset() + Math.max(section.size(), 1) - 1, section.size(), e.crcMode(),
          e.entryCrcOk() ? "OK" : "BAD", status, e.cacheLineCrc() ? ", cache-line CRC" : "");
    }
  }

  private static void printFindings(PrintWriter out, VerificationResult result) {
    out.println();
    if (result.findings().isEmpty()) {
      out.println("Verification: OK (no findings)");
      return;
    }
    out.printf("Verification: %s (%d errors, %d warnings)%n", result.passed() ? "OK" : "FAILED",
        result.errors().size(), result.warnings().size());
    for (Finding finding : result.findings()) {
      out.println("  " + ImageVerification.line(finding));
    }
  }

  static ObjectNode toJson(Fs4Image image, ImageSummary s, VerificationResult result) {
    ObjectNode root = ImageJson.object();
    root.put("image", image.source());
    root.put("format", s.format());
    root.put("size", image.size());
    root.put("fwVersion", s.fwVersion());
    root.put("releaseDate", s.releaseDate());
    root.put("psid", s.psid());
    root.put("origPsid", s.origPsid());
    root.put("partNumber", s.partNumber());
    root.put("description", s.description());
    root.put("prsName", s.prsName());
    root.put("productVersion", s.productVersion());
    root.put("imageVsd", s.imageVsd());
    root.put("deviceVsd", s.deviceVsd());
    root.put("securityAttributes", s.securityAttributes().text());
    root.put("securityVersion", s.securityVersion());
    root.put("defaultUpdateMethod", s.securityAttributes().updateMethod());
    ArrayNode deviceIds = root.putArray("deviceIds");
    for (int id : s.supportedHwIds()) {
      ObjectNode node = deviceIds.addObject();
      node.put("hwId", id);
      node.put("hwIdHex", String.format("0x%x", id));
      DeviceType.byHwId(id).ifPresent(d -> node.put("device", d.cliName()));
    }
    if (s.imageInfo() != null) {
      ObjectNode pci = root.putObject("pci");
      pci.put("vendorId", s.imageInfo().pciVendorId());
      pci.put("deviceId", s.imageInfo().pciDeviceId());
      pci.put("subVendorId", s.imageInfo().pciSubVendorId());
      pci.put("subsystemId", s.imageInfo().pciSubsystemId());
      ArrayNode flags = root.putArray("imageInfoFlags");
      s.imageInfo().flags().forEach(f -> flags.add(f.fieldName()));
    }
    ArrayNode guids = root.putArray("guids");
    ArrayNode macs = root.putArray("macs");
    if (s.devInfo() != null) {
      guids.add(uidJson(s.devInfo().guids(), "DEV_INFO", false));
      macs.add(uidJson(s.devInfo().macs(), "DEV_INFO", true));
    }
    if (s.mfgInfo() != null) {
      guids.add(uidJson(s.mfgInfo().guids(), "MFG_INFO", false));
      macs.add(uidJson(s.mfgInfo().macs(), "MFG_INFO", true));
    }
    root.set("expansionRoms", romsJson(s.expansionRoms()));
    SignatureTrustOptions.addInspectJson(root, image); // signer: checks against image keys
    ArrayNode signatures = root.putArray("signatures");
    for (ImageSignature signature : s.signatures()) {
      ObjectNode node = signatures.addObject();
      node.put("section", signature.kind().sectionType().name());
      node.put("keyBits", signature.kind().signatureLength() * 8);
      node.put("empty", signature.isEmpty());
      node.put("keypairUuid", HexFormat.of().formatHex(signature.keypairUuid()));
      node.put("devKey", signature.isDevKey());
    }
    ArrayNode publicKeys = root.putArray("publicKeys");
    for (PublicKeys keys : s.publicKeys()) {
      for (int i = 0; i < keys.entries().size(); i++) {
        PublicKeys.Entry entry = keys.entries().get(i);
        if (isZero(entry.modulus())) {
          continue;
        }
        ObjectNode node = publicKeys.addObject();
        node.put("section", keys.kind().sectionType().name());
        node.put("index", i);
        node.put("keyBits", keys.kind().keyBits());
        node.put("keypairUuid", HexFormat.of().formatHex(entry.keypairUuid()));
      }
    }
    ArrayNode rsaKeys = root.putArray("rsaPublicKeys");
    if (s.rsaPublicKey() != null) {
      for (int i = 0; i < s.rsaPublicKey().entries().size(); i++) {
        var entry = s.rsaPublicKey().entries().get(i);
        if (isZero(entry.modulus())) {
          continue;
        }
        ObjectNode node = rsaKeys.addObject();
        node.put("section", "RSA_PUBLIC_KEY");
        node.put("index", i);
        node.put("keyBits", entry.modulus().length * 8);
        node.put("exponent", entry.exponent());
        node.put("keypairUuid", HexFormat.of().formatHex(entry.keypairUuid()));
      }
    }
    ArrayNode sections = root.putArray("sections");
    image.sections().forEach(section -> sections.add(ImageJson.section(section, result)));
    root.set("boot", bootJson(image));
    root.put("passed", result.passed());
    root.set("findings", ImageJson.findings(result.findings()));
    return root;
  }

  /** The ROM_CODE section's ROMs (null without one): as mstflint prints them, and field by field. */
  private static ObjectNode romsJson(ExpansionRoms roms) {
    if (roms == null) {
      return null;
    }
    ObjectNode node = ImageJson.object();
    String text = roms.roms().isEmpty() ? roms.text(0)
        : String.join("; ", roms.roms().stream().map(rom -> rom.text().strip()).toList())
            + (roms.warning() == null ? "" : " (-W- " + roms.warning() + ")");
    node.put("text", text);
    ArrayNode list = node.putArray("roms");
    for (ExpansionRoms.Rom rom : roms.roms()) {
      ObjectNode entry = list.addObject();
      entry.put("productId", rom.productId());
      entry.put("type", rom.typeName());
      entry.put("version", rom.versionText());
      entry.put("deviceId", rom.deviceId());
      entry.put("port", rom.port());
      entry.put("protocol", rom.protocolName());
      entry.put("cpu", rom.cpuName());
    }
    node.put("warning", roms.warning());
    node.put("error", roms.error());
    return node;
  }

  private static ObjectNode bootJson(Fs4Image image) {
    ObjectNode boot = ImageJson.object();
    boot.put("imageStart", image.imageStart());
    boot.put("formatVersion", image.formatVersion());
    ArrayNode pointers = boot.putArray("hwPointers");
    for (HwPointer pointer : HwPointer.values()) {
      ObjectNode node = pointers.addObject();
      node.put("index", pointer.index());
      node.put("name", pointer.fieldName());
      node.put("value", Integer.toUnsignedLong(image.hwPointers().rawValue(pointer.index())));
      node.put("crcOk", image.hwPointers().crcOk(pointer.index()));
    }
    ArrayNode structures = boot.putArray("structures");
    for (Structure structure : image.structures()) {
      ObjectNode node = structures.addObject();
      node.put("name", structure.name());
      node.put("offset", structure.offset());
      node.put("size", structure.size());
    }
    image.toolsArea().ifPresent(t -> {
      ObjectNode node = boot.putObject("toolsArea");
      node.put("binVersion", t.binVerMajor() + "." + t.binVerMinor());
      node.put("log2ImgSlotSize", t.log2ImgSlotSize());
      node.put("crcOk", t.crcOk());
    });
    image.boot2().ifPresent(b -> {
      ObjectNode node = boot.putObject("boot2");
      node.put("dwordCount", b.dwordCount());
      node.put("size", b.size());
      node.put("crcOk", b.crcOk());
    });
    return boot;
  }

  private static ObjectNode uidJson(UidEntry uid, String source, boolean mac) {
    ObjectNode node = ImageJson.object();
    node.put("base", mac ? uid.macHex() : uid.uidHex());
    node.put("count", uid.count());
    node.put("step", uid.step());
    node.put("source", source);
    return node;
  }

  /**
   * The GUID/MAC block of query full, line for line: the DEV_INFO values, and the MFG_INFO
   * ("Orig") ones where they differ. The count is the whole 16-bit count (num_allocated and
   * num_allocated_msb), as mstflint 4.24 and later print it; 4.21 prints its low byte.
   */
  private static void printUids(PrintWriter out, ImageSummary s) {
    if (s.devInfo() == null) {
      return;
    }
    out.println("Description:           UID                GuidsNumber");
    printUid(out, "Base GUID:", s.devInfo().guids(),
        s.mfgInfo() == null ? null : s.mfgInfo().guids(), false);
    printUid(out, "Base MAC:", s.devInfo().macs(),
        s.mfgInfo() == null ? null : s.mfgInfo().macs(), true);
  }

  private static void printUid(
      PrintWriter out, String label, UidEntry uid, UidEntry orig, boolean mac) {
    out.println(uidLine(label, uid, mac));
    if (orig != null && (orig.uid() != uid.uid() || orig.count() != uid.count())) {
      out.println(uidLine("Orig " + label, orig, mac));
    }
  }

  /** One UID line: a zero base or count prints as N/A, a MAC is padded to a GUID's width. */
  private static String uidLine(String label, UidEntry uid, boolean mac) {
    String base = uid.uid() == 0 ? String.format("%-16s", "N/A")
        : mac ? uid.macHex() + "    " : uid.uidHex();
    String count = uid.count() == 0 ? "       N/A" : "        " + uid.count();
    return String.format("%-18s     %s%s", label, base, count);
  }

  private static boolean isZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static void line(PrintWriter out, String name, String value) {
    if (value != null) {
      out.printf("%-23s%s%n", name + ":", value);
    }
  }
}
