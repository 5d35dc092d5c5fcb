#include "changelog/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

namespace inflow::changelog {
namespace {

Error Errno(std::string_view what, const std::string& path, int err) {
  return IoError(std::string(what) + " '" + path + "': " + std::strerror(err));
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Fail(Errno("write", path_, errno));
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    return Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Fail(Errno("fdatasync", path_, errno));
    return Ok();
  }

  Status Close() override {
    if (fd_ < 0) return Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Fail(Errno("close", path_, errno));
    return Ok();
  }

 private:
  int fd_;
  std::string path_;
};

class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Result<size_t> Read(uint64_t offset, size_t n, char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Fail(Errno("pread", path_, errno));
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  }

 private:
  int fd_;
  std::string path_;
};

// The lock files this process holds, by (device, inode): the kernel cannot tell two of our own
// fcntl locks apart (see file_system.h). Guarded by LockedMutex().
using FileKey = std::pair<dev_t, ino_t>;

std::mutex& LockedMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}

std::set<FileKey>& LockedFiles() {
  struct Held {
    pid_t owner = 0;
    std::set<FileKey> files;
  };
  static Held* held = new Held();
  // A forked child inherits this memory but none of the fcntl locks.
  if (held->owner != ::getpid()) {
    held->owner = ::getpid();
    held->files.clear();
  }
  return held->files;
}

Error AlreadyOpenHere(const std::string& path) {
  return {ErrorCode::kFailedPrecondition,
          fmt::format("data directory {} is already open in this process (pid {})", DirName(path),
                      ::getpid())};
}

// fcntl record locks over the whole file.
int SetLock(int fd, short type) {
  struct flock f;
  std::memset(&f, 0, sizeof(f));
  f.l_type = type;
  f.l_whence = SEEK_SET;
  f.l_start = 0;
  f.l_len = 0;
  return ::fcntl(fd, F_SETLK, &f);
}

// The pid of the process holding a write lock on fd's file: what F_GETLK reports (the kernel
// knows it even if the holder never wrote the file), else the pid the holder wrote; 0 when the
// lock is gone or the pid cannot be told.
pid_t LockHolder(int fd) {
  struct flock f;
  std::memset(&f, 0, sizeof(f));
  f.l_type = F_WRLCK;
  f.l_whence = SEEK_SET;
  if (::fcntl(fd, F_GETLK, &f) == 0) {
    if (f.l_type == F_UNLCK) return 0;
    if (f.l_pid > 0) return f.l_pid;
  }
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  pid_t pid = 0;
  for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) pid = pid * 10 + (buf[i] - '0');
  return pid;
}

class PosixFileLock : public FileLock {
 public:
  PosixFileLock(int fd, FileKey key, std::string path)
      : fd_(fd), key_(key), path_(std::move(path)) {}
  ~PosixFileLock() override { (void)Release(); }

  Status Release() {
    if (fd_ < 0) return Ok();
    std::lock_guard lock(LockedMutex());
    int unlock_rc = SetLock(fd_, F_UNLCK);
    int unlock_err = errno;
    // Closing drops the lock even if F_UNLCK failed; only then may the key be reused.
    ::close(fd_);
    fd_ = -1;
    LockedFiles().erase(key_);
    if (unlock_rc != 0) return Fail(Errno("unlock", path_, unlock_err));
    return Ok();
  }

 private:
  int fd_;
  FileKey key_;
  std::string path_;
};

class Posix : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Fail(Errno("open", path, errno));
    return std::make_unique<PosixWritableFile>(fd, path);
  }

  Result<std::shared_ptr<RandomAccessFile>> OpenReadable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Fail(NotFound("no file '" + path + "'"));
      return Fail(Errno("open", path, errno));
    }
    return std::make_shared<PosixRandomAccessFile>(fd, path);
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return Fail(Errno("opendir", dir, errno));
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    return names;
  }

  Status CreateDirs(const std::string& dir) override {
    std::string partial;
    size_t i = 0;
    while (i <= dir.size()) {
      size_t slash = dir.find('/', i);
      if (slash == std::string::npos) slash = dir.size();
      partial = dir.substr(0, slash);
      i = slash + 1;
      if (partial.empty()) continue;
      if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
        return Fail(Errno("mkdir", partial, errno));
      }
    }
    return Ok();
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Fail(Errno("unlink", path, errno));
    return Ok();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Fail(Errno("rename", from, errno));
    return Ok();
  }

  Status Truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return Fail(Errno("truncate", path, errno));
    }
    return Ok();
  }

  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Fail(Errno("stat", path, errno));
    return static_cast<uint64_t>(st.st_size);
  }

  Result<bool> Exists(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    return Fail(Errno("stat", path, errno));
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Fail(Errno("open", dir, errno));
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return Fail(Errno("fsync", dir, err));
    return Ok();
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    std::lock_guard lock(LockedMutex());
    // Checked before open(): if we hold this file, closing a second descriptor of it would
    // release our own lock.
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && LockedFiles().contains({st.st_dev, st.st_ino})) {
      return Fail(AlreadyOpenHere(path));
    }
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Fail(Errno("open", path, errno));
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return Fail(Errno("fstat", path, err));
    }
    FileKey key{st.st_dev, st.st_ino};
    if (LockedFiles().contains(key)) {
      // The path was renamed onto a file we hold between stat and open. Closing fd would
      // drop that lock, so the descriptor is deliberately left open.
      return Fail(AlreadyOpenHere(path));
    }
    // A holder may let go between a refused F_SETLK and F_GETLK: then try again.
    for (int attempt = 0;; ++attempt) {
      if (SetLock(fd, F_WRLCK) == 0) break;
      int err = errno;
      if (err == EINTR) continue;
      if (err != EACCES && err != EAGAIN) {
        ::close(fd);
        return Fail(Errno("lock", path, err));
      }
      pid_t holder = LockHolder(fd);
      if (holder == 0 && attempt < 3) continue;
      ::close(fd);
      return Fail(ErrorCode::kFailedPrecondition,
                  holder > 0 ? fmt::format("data directory {} is in use by another inflow "
                                           "process (pid {})",
                                           DirName(path), holder)
                             : fmt::format("data directory {} is in use by another inflow "
                                           "process (pid unknown)",
                                           DirName(path)));
    }
    // The pid is for people and for the message of a refused opener (F_GETLK does not see
    // across pid namespaces). No other descriptor of ours is open on the file, so closing fd on
    // failure is safe.
    std::string pid = std::to_string(::getpid()) + "\n";
    errno = 0;
    bool written = ::ftruncate(fd, 0) == 0 &&
                   ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
    if (!written) {
      int err = errno != 0 ? errno : EIO;
      ::close(fd);
      return Fail(Errno("write", path, err));
    }
    LockedFiles().insert(key);
    return std::unique_ptr<FileLock>(new PosixFileLock(fd, key, path));
  }

  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    if (!lock) return Ok();
    auto* posix = dynamic_cast<PosixFileLock*>(lock.get());
    if (posix == nullptr) return Fail(Internal("UnlockFile: not a lock of this file system"));
    return posix->Release();
  }
};

}  // namespace

FileSystem* PosixFileSystem() {
  static Posix* fs = new Posix();
  return fs;
}

Result<std::unique_ptr<FileLock>> LockDirectory(FileSystem* fs, const std::string& dir) {
  return fs->LockFile(JoinPath(dir, kLockFileName));
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<std::string> ReadWholeFile(FileSystem* fs, const std::string& path) {
  INFLOW_TRY(auto file, fs->OpenReadable(path));
  std::string out;
  constexpr size_t kChunk = 1 << 16;
  while (true) {
    size_t old = out.size();
    out.resize(old + kChunk);
    INFLOW_TRY(size_t n, file->Read(old, kChunk, out.data() + old));
    out.resize(old + n);
    if (n < kChunk) break;
  }
  return out;
}

Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  INFLOW_TRY(bool exists, fs->Exists(tmp));
  if (exists) INFLOW_RETURN_IF_ERROR(fs->Remove(tmp));
  INFLOW_TRY(auto file, fs->OpenAppendable(tmp));
  INFLOW_RETURN_IF_ERROR(file->Append(data));
  INFLOW_RETURN_IF_ERROR(file->Sync());
  INFLOW_RETURN_IF_ERROR(file->Close());
  INFLOW_RETURN_IF_ERROR(fs->Rename(tmp, path));
  return fs->SyncDir(DirName(path));
}

}  // namespace inflow::changelog
