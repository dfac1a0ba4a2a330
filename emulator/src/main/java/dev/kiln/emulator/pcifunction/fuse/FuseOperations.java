package dev.kiln.emulator.pcifunction.fuse;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * {@code struct fuse_operations} of libfuse 3.14 ({@code include/fuse.h}): 42 function pointers
 * in this order, of which Kiln fills six; the others stay NULL, which libfuse answers with
 * {@code ENOSYS} (or a sensible default for opendir/flush). libfuse copies {@code op_size}
 * bytes, so a newer library with more fields treats the missing ones as NULL.
 *
 * <p>Prototypes used (x86_64: {@code size_t} and {@code off_t} are 64-bit, hence {@code long}):
 *
 * <pre>
 * int getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
 * int open(const char *path, struct fuse_file_info *fi)
 * int read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
 * int write(const char *path, const char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
 * int release(const char *path, struct fuse_file_info *fi)
 * int readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset,
 *             struct fuse_file_info *fi, enum fuse_readdir_flags flags)
 * </pre>
 *
 * <p>Paths arrive as {@link Pointer}s so that the hot read/write path never decodes a string.
 * Public only because JNA reads the fields by reflection; not API.
 */
@Structure.FieldOrder({
  "getattr", "readlink", "mknod", "mkdir", "unlink", "rmdir", "symlink", "rename", "link",
  "chmod", "chown", "truncate", "open", "read", "write", "statfs", "flush", "release", "fsync",
  "setxattr", "getxattr", "listxattr", "removexattr", "opendir", "readdir", "releasedir",
  "fsyncdir", "init", "destroy", "access", "create", "lock", "utimens", "bmap", "ioctl", "poll",
  "write_buf", "read_buf", "flock", "fallocate", "copy_file_range", "lseek"
})
public final class FuseOperations extends Structure {
  /** {@code getattr}. */
  public interface GetAttr extends Callback {
    int invoke(Pointer path, Pointer stat, Pointer fileInfo);
  }

  /** {@code open} and {@code release}. */
  public interface FileCall extends Callback {
    int invoke(Pointer path, Pointer fileInfo);
  }

  /** {@code read} and {@code write}. */
  public interface ReadWrite extends Callback {
    int invoke(Pointer path, Pointer buffer, long size, long offset, Pointer fileInfo);
  }

  /** {@code readdir}. */
  public interface ReadDir extends Callback {
    int invoke(Pointer path, Pointer buffer, Pointer filler, long offset, Pointer fileInfo,
        int flags);
  }

  public GetAttr getattr;
  public Pointer readlink;
  public Pointer mknod;
  public Pointer mkdir;
  public Pointer unlink;
  public Pointer rmdir;
  public Pointer symlink;
  public Pointer rename;
  public Pointer link;
  public Pointer chmod;
  public Pointer chown;
  public Pointer truncate;
  public FileCall open;
  public ReadWrite read;
  public ReadWrite write;
  public Pointer statfs;
  public Pointer flush;
  public FileCall release;
  public Pointer fsync;
  public Pointer setxattr;
  public Pointer getxattr;
  public Pointer listxattr;
  public Pointer removexattr;
  public Pointer opendir;
  public ReadDir readdir;
  public Pointer releasedir;
  public Pointer fsyncdir;
  public Pointer init;
  public Pointer destroy;
  public Pointer access;
  public Pointer create;
  public Pointer lock;
  public Pointer utimens;
  public Pointer bmap;
  public Pointer ioctl;
  public Pointer poll;
  public Pointer write_buf;
  public Pointer read_buf;
  public Pointer flock;
  public Pointer fallocate;
  public Pointer copy_file_range;
  public Pointer lseek;
}
