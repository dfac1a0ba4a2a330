package dev.kiln.emulator.pcifunction.fuse;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FuseFilesystem} mounted through libfuse3's high-level API and served by one loop
 * thread of this JVM.
 *
 * <p>Life cycle: {@link #mount} creates the session ({@code fuse_new}) with attribute, entry and
 * negative timeouts of 0 and opens every file with {@code direct_io}, so the kernel caches neither
 * names nor data and
 * every {@code pread}/{@code pwrite} of a served file reaches {@link FuseFile}; it mounts it
 * ({@code fuse_mount}) and starts {@code fuse_loop} on a daemon thread. {@link #unmount} detaches
 * the mount from this process's mount namespace; copies of it in other namespaces (a child's
 * private namespace) keep being served until their last user is gone, at which point the kernel
 * ends the connection and the loop returns by itself. {@link #close} unmounts, stops the loop and frees the
 * session. All callbacks run on the loop thread, catch everything (an exception must never cross
 * back into C) and answer errors as negative errno values.
 *
 * <p>The read/write path allocates nothing of its own: the open file is found by the handle
 * stored in {@code fuse_file_info.fh}, and data passes through one scratch array.
 */
public final class FuseMount implements AutoCloseable {
  private static final int ENOENT = 2;
  private static final int EIO = 5;
  private static final int EACCES = 13;
  private static final int ENOTDIR = 20;
  private static final int EISDIR = 21;
  private static final int EBADF = 9;
  private static final int EMFILE = 24;
  private static final int MAX_OPEN_FILES = 1024;
  private static final int SCRATCH_SIZE = 128 * 1024;
  private static final long LOOP_STOP_WAIT_MILLIS = 2000;

  private final LibFuse fuse;
  private final FuseFilesystem filesystem;
  private final Path mountpoint;
  private final long mountTime = System.currentTimeMillis() / 1000;
  private final byte[] scratch = new byte[SCRATCH_SIZE];
  private final List<FuseFile> openFiles = new ArrayList<>();
  // Strong references: native code holds these pointers for the whole session, and JNA frees a
  // callback's trampoline when its Java object is collected.
  private final FuseOperations operations = new FuseOperations();
  private final StringArray argv;
  private final FuseArgs args = new FuseArgs();
  private Pointer session;
  private Thread loop;
  private volatile int loopResult = Integer.MIN_VALUE;
  private boolean mounted;
  private boolean closed;

  private FuseMount(LibFuse fuse, FuseFilesystem filesystem, Path mountpoint, String fsName) {
    this.fuse = fuse;
    this.filesystem = filesystem;
    this.mountpoint = mountpoint;
    this.argv =
        new StringArray(
            new String[] {
              fsName,
              "-o",
              "fsname=" + fsName + ",subtype=" + fsName
                  + ",entry_timeout=0,attr_timeout=0,negative_timeout=0"
            });
    args.argc = 3;
    args.argv = argv;
    args.allocated = 0;
    operations.getattr = this::getattr;
    operations.open = this::open;
    operations.read = this::read;
    operations.write = this::write;
    operations.release = this::release;
    operations.readdir = this::readdir;
  }

  /**
   * Mounts {@code filesystem} on the existing empty directory {@code mountpoint} and starts
   * serving it.
   *
   * @param fsName the name {@code /proc/self/mountinfo} shows (source and subtype)
   * @throws FuseException when libfuse cannot be loaded or refuses to mount (no /dev/fuse, no
   *     permission)
   */
  public static FuseMount mount(Path mountpoint, FuseFilesystem filesystem, String fsName)
      throws FuseException {
    LibFuse fuse;
    try {
      fuse = LibFuse.Holder.INSTANCE;
    } catch (LinkageError e) {
      throw new FuseException("cannot load libfuse3 (apt-get install fuse3): " + e.getMessage(), e);
    }
    FuseMount mount = new FuseMount(fuse, filesystem, mountpoint, fsName);
    mount.start();
    return mount;
  }

  private void start() throws FuseException {
    operations.write();
    session = fuse.fuse_new_31(args, operations, operations.size(), Pointer.NULL);
    if (session == null) {
      throw new FuseException("libfuse refused to create a session (fuse_new failed)");
    }
    if (fuse.fuse_mount(session, mountpoint.toString()) != 0) {
      fuse.fuse_destroy(session);
      session = null;
      throw new FuseException("cannot mount a FUSE filesystem on " + mountpoint
          + " (fuse_mount failed; needs /dev/fuse and CAP_SYS_ADMIN)");
    }
    mounted = true;
    loop = new Thread(() -> loopResult = fuse.fuse_loop(session), "fuse-loop " + mountpoint);
    loop.setDaemon(true);
    loop.start();
  }

  /** The directory the filesystem is mounted on. */
  public Path mountpoint() {
    return mountpoint;
  }

  /**
   * Detaches the mount from this process's mount namespace (idempotent): {@code umount2} with
   * {@code MNT_DETACH}. Namespaces that copied it keep it until they end, and the loop keeps
   * serving them; when no copy is left the kernel ends the connection and the loop returns.
   *
   * @throws FuseException when the kernel refuses (the mount stays)
   */
  public synchronized void unmount() throws FuseException {
    if (mounted) {
      try {
        LibC.Holder.INSTANCE.umount2(mountpoint.toString(), LibC.MNT_DETACH);
      } catch (LastErrorException e) {
        throw new FuseException(
            "cannot unmount " + mountpoint + " (errno " + e.getErrorCode() + ")", e);
      }
      mounted = false;
    }
  }

  /**
   * Waits up to {@code millis} for the loop to end on its own (every copy of the mount gone).
   *
   * @return whether it has ended
   */
  public boolean awaitLoopEnd(long millis) throws InterruptedException {
    loop.join(TimeUnit.MILLISECONDS.toMillis(Math.max(1, millis)));
    return !loop.isAlive();
  }

  /**
   * Unmounts, waits briefly for the loop to end (it ends by itself once no namespace holds a copy
   * of the mount) and frees the session. When a copy is still in use elsewhere after the wait (a
   * process the command left running), the session is told to exit and left to the daemon loop
   * thread rather than freed under it: that process then sees its files fail.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      unmount();
    } catch (FuseException e) {
      // Still mounted here: libfuse's unmount below tries again.
    }
    boolean ended;
    try {
      ended = awaitLoopEnd(LOOP_STOP_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ended = !loop.isAlive();
    }
    if (ended) {
      // The connection is gone: fuse_unmount only closes the descriptor (its poll sees POLLERR).
      fuse.fuse_unmount(session);
      fuse.fuse_destroy(session);
    } else {
      fuse.fuse_exit(session);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Callbacks (loop thread)

  private int getattr(Pointer path, Pointer stat, Pointer fileInfo) {
    try {
      FuseNode node = filesystem.lookup(path.getString(0));
      if (node == null) {
        return -ENOENT;
      }
      if (node instanceof FuseDirectory directory) {
        StatLayout.fill(
            stat, StatLayout.S_IFDIR | node.permissions(), 2 + directory.entries().size(), 0,
            mountTime);
      } else {
        FuseFile file = (FuseFile) node;
        StatLayout.fill(
            stat, StatLayout.S_IFREG | node.permissions(), 1, file.size(), mountTime);
      }
      return 0;
    } catch (RuntimeException | Error e) {
      return -EIO;
    }
  }

  private int readdir(
      Pointer path, Pointer buffer, Pointer filler, long offset, Pointer fileInfo, int flags) {
    try {
      FuseNode node = filesystem.lookup(path.getString(0));
      if (node == null) {
        return -ENOENT;
      }
      if (!(node instanceof FuseDirectory directory)) {
        return -ENOTDIR;
      }
      // fuse_fill_dir_t: int (*)(void *buf, const char *name, const struct stat *st, off_t off,
      // enum fuse_fill_dir_flags flags). Offset 0: libfuse collects the whole listing itself.
      Function fill = Function.getFunction(filler);
      List<String> names = new ArrayList<>(List.of(".", ".."));
      names.addAll(directory.entries());
      for (String name : names) {
        if (fill.invokeInt(new Object[] {buffer, name, Pointer.NULL, 0L, 0}) != 0) {
          break;
        }
      }
      return 0;
    } catch (RuntimeException | Error e) {
      return -EIO;
    }
  }

  private int open(Pointer path, Pointer fileInfo) {
    try {
      FuseNode node = filesystem.lookup(path.getString(0));
      if (node == null) {
        return -ENOENT;
      }
      if (!(node instanceof FuseFile file)) {
        return -EISDIR;
      }
      if (FileInfoLayout.opensForWriting(fileInfo) && !file.writable()) {
        return -EACCES;
      }
      int handle = openFiles.indexOf(null);
      if (handle < 0) {
        if (openFiles.size() >= MAX_OPEN_FILES) {
          return -EMFILE;
        }
        handle = openFiles.size();
        openFiles.add(file);
      } else {
        openFiles.set(handle, file);
      }
      FileInfoLayout.setHandle(fileInfo, handle);
      FileInfoLayout.setDirectIo(fileInfo);
      return 0;
    } catch (RuntimeException | Error e) {
      return -EIO;
    }
  }

  private int release(Pointer path, Pointer fileInfo) {
    try {
      long handle = FileInfoLayout.handle(fileInfo);
      if (handle >= 0 && handle < openFiles.size()) {
        openFiles.set((int) handle, null);
      }
      return 0;
    } catch (RuntimeException | Error e) {
      return -EIO;
    }
  }

  private FuseFile openFile(Pointer fileInfo) {
    long handle = FileInfoLayout.handle(fileInfo);
    return handle >= 0 && handle < openFiles.size() ? openFiles.get((int) handle) : null;
  }

  private int read(Pointer path, Pointer buffer, long size, long offset, Pointer fileInfo) {
    try {
      FuseFile file = openFile(fileInfo);
      if (file == null) {
        return -EBADF;
      }
      int length = (int) Math.min(size, scratch.length);
      int count = file.read(offset, scratch, length);
      buffer.write(0, scratch, 0, count);
      return count;
    } catch (java.io.IOException | RuntimeException | Error e) {
      return -EIO;
    }
  }

  private int write(Pointer path, Pointer buffer, long size, long offset, Pointer fileInfo) {
    try {
      FuseFile file = openFile(fileInfo);
      if (file == null) {
        return -EBADF;
      }
      int length = (int) Math.min(size, scratch.length);
      buffer.read(0, scratch, 0, length);
      return file.write(offset, scratch, length);
    } catch (java.io.IOException | RuntimeException | Error e) {
      return -EIO;
    }
  }
}
