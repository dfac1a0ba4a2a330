package dev.kiln.pipeline.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln inspect IMAGE [--json] [--toc] [--boot]}: the command-line shell of {@link
 * ImageInspection}, which {@link QuickCommands} also runs without picocli. Exit 0 when the image
 * verifies, 1 when it has errors (it is still shown), 3 when it cannot be read.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Show an FS4 or FS3 image like 'mstflint query full', with sections and findings.",
      "FW version, release date, PSID, part number, security attributes, GUIDs/MACs, keys and"
          + " signatures; --toc lists ITOC/DTOC entries, --boot the HW pointers, tools area and"
          + " BOOT2. Exit 0 when the image verifies, 1 when it has errors, 3 when it cannot be"
          + " read."
    })
public final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "FS4 or FS3 image file.")
  Path image;

  @Option(names = "--json", description = "Print one JSON object (always includes everything).")
  boolean json;

  @Option(names = "--toc", description = "List the ITOC and DTOC entries.")
  boolean toc;

  @Option(names = "--boot", description = "Show the boot area: HW pointers, tools area, BOOT2.")
  boolean boot;

  @Override
  public Integer call() {
    return ImageInspection.run(spec.commandLine().getOut(), image, json, toc, boot);
  }
}
