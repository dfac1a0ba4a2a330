package dev.kiln.pipeline.release;

import dev.kiln.pipeline.bundle.ManifestImage;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.audit.AuditRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state one release run shares between its stages: the description, the work directory every
 * stage writes into, the images as they progress, and the products to publish at the end.
 *
 * <p>Only {@link ReleaseRunner} publishes (moves products into the output directory), and only
 * when the run is not a dry run and every stage passed.
 */
public final class PipelineContext {
  /** Opens a signing key by reference; the CLI passes the signer module's SigningServices. */
  @FunctionalInterface
  public interface KeyOpener {
    SigningService open(String keyReference, KeyOptions options) throws KeyAccessException;
  }

  /** One image moving through the stages. */
  public static final class ReleaseImage {
    private final ReleaseDescription.ImageSource source;
    private Path current;
    private ManifestImage manifestEntry;
    private AuditRecord signing;

    ReleaseImage(ReleaseDescription.ImageSource source) {
      this.source = source;
    }

    public ReleaseDescription.ImageSource source() {
      return source;
    }

    /** The file holding the image in its latest state (in the work directory). */
    public Path current() {
      return current;
    }

    public void current(Path path) {
      this.current = path;
    }

    /** The output file name, {@code BASE.bin}. */
    public String outputName() {
      return source.baseName() + ".bin";
    }

    public ManifestImage manifestEntry() {
      return manifestEntry;
    }

    public void manifestEntry(ManifestImage entry) {
      this.manifestEntry = entry;
    }

    /** The audit record of the signing, appended when the image is published. */
    public AuditRecord signing() {
      return signing;
    }

    public void signing(AuditRecord record) {
      this.signing = record;
    }
  }

  private final ReleaseDescription description;
  private final boolean dryRun;
  private final Path workDirectory;
  private final PrintWriter out;
  private final Clock clock;
  private final KeyOpener keys;
  private final List<ReleaseImage> images = new ArrayList<>();
  private final Map<Path, Path> products = new LinkedHashMap<>();

  public PipelineContext(
      ReleaseDescription description, boolean dryRun, Path workDirectory, PrintWriter out,
      Clock clock, KeyOpener keys) {
    this.description = Objects.requireNonNull(description, "description");
    this.dryRun = dryRun;
    this.workDirectory = Objects.requireNonNull(workDirectory, "workDirectory");
    this.out = Objects.requireNonNull(out, "out");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.keys = Objects.requireNonNull(keys, "keys");
    description.images().forEach(source -> images.add(new ReleaseImage(source)));
  }

  public ReleaseDescription description() {
    return description;
  }

  public boolean dryRun() {
    return dryRun;
  }

  /** A private temporary directory; removed after the run. */
  public Path workDirectory() {
    return workDirectory;
  }

  /** Where stages print their progress details. */
  public PrintWriter out() {
    return out;
  }

  public Clock clock() {
    return clock;
  }

  public KeyOpener keys() {
    return keys;
  }

  public List<ReleaseImage> images() {
    return images;
  }

  /**
   * Registers a file in the work directory to be moved to {@code outputName} in the output
   * directory when the release is published.
   */
  public void addProduct(Path workFile, String outputName) {
    products.put(workFile, description.outputDirectory().resolve(outputName));
  }

  /** Work file to final location, in registration order. */
  public Map<Path, Path> products() {
    return Map.copyOf(products);
  }

  List<Map.Entry<Path, Path>> orderedProducts() {
    return new ArrayList<>(products.entrySet());
  }
}
