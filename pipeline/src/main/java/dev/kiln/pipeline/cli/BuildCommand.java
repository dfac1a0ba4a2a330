package dev.kiln.pipeline.cli;

import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageLayout;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.InvalidDescriptionException;
import dev.kiln.pipeline.build.DescriptionJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln build DESCRIPTION.json --out IMAGE [--force]}: writes an FS4 image from a JSON
 * description (docs/image-description.md). Exit codes: 0 built; 1 the description asks for an
 * image that cannot be built (it fails a check); 2 usage, including an existing output without
 * {@code --force}; 3 the description or a payload file cannot be read, or is not JSON.
 */
@Command(
    name = "build",
    mixinStandardHelpOptions = true,
    description = "Build an FS4 (or ConnectX-4 FS3) firmware image from a JSON description.")
public final class BuildCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DESCRIPTION",
      description = "The image description (JSON, see docs/image-description.md).")
  Path descriptionFile;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "IMAGE",
      description = "Where to write the image.")
  Path out;

  @Option(names = "--force", description = "Replace IMAGE if it exists.")
  boolean force;

  @Override
  public Integer call() {
    SignCommand.requireReadable(descriptionFile);
    SignCommand.requireWritableDirectory(out);
    if (!force && Files.exists(out)) {
      throw new CommandFailure(
          ExitCodes.USAGE, out + ": already exists; pass --force to replace it");
    }
    ImageDescription description;
    try {
      description = DescriptionJson.read(descriptionFile);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.UNREADABLE_INPUT, oneLine(e, descriptionFile), e);
    } catch (InvalidDescriptionException e) {
      throw new CommandFailure(ExitCodes.CHECK_FAILED, descriptionFile + ": " + e.getMessage(), e);
    }
    ImageLayout layout;
    try {
      layout = ImageWriter.write(description, out, force);
    } catch (InvalidDescriptionException e) {
      throw new CommandFailure(ExitCodes.CHECK_FAILED, descriptionFile + ": " + e.getMessage(), e);
    } catch (FileAlreadyExistsException e) {
      throw new CommandFailure(
          ExitCodes.USAGE, out + ": already exists; pass --force to replace it", e);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.UNREADABLE_INPUT, oneLine(e, out), e);
    }
    PrintWriter printer = spec.commandLine().getOut();
    printer.printf("Built %s: %s %s, %d bytes, %d ITOC sections%s%n", out,
        description.device().cliName(), description.fwVersion(), layout.imageSize(),
        layout.sectionsOf(dev.kiln.inspector.format.TocHeader.Kind.ITOC).size(),
        layout.hashesTableOffset() != 0 ? ", hashes table" : "");
    printer.flush();
    return ExitCodes.OK;
  }

  private static String oneLine(IOException e, Path subject) {
    if (e instanceof NoSuchFileException missing) {
      String file = missing.getFile();
      return file != null && missing.getReason() == null ? file + ": no such file"
          : String.valueOf(e.getMessage());
    }
    if (e instanceof AccessDeniedException denied) {
      return denied.getFile() + ": permission denied";
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? subject + ": cannot be read" : message;
  }
}
