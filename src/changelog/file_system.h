// FileSystem: the seam through which the change log and consumer groups do ALL their file I/O.
// PosixFileSystem() is the real one; FaultInjectingFileSystem (fault_file_system.h) keeps files
// in memory, remembers what was synced, and can tear writes, fail calls and "crash" — so tests
// reach every recovery path without a real power cut.
//
// Paths are plain strings joined with '/'. Durability contract (the POSIX one): appended bytes
// survive a crash only after WritableFile::Sync(); a created, renamed or removed directory entry
// only after SyncDir() of its directory.
//
// Directory locks: a directory is owned by one opener at a time through its LOCK file
// (LockFile / UnlockFile, LevelDB's scheme). The POSIX lock is an fcntl(F_SETLK, F_WRLCK) record
// lock, which the kernel drops when its process dies (SIGKILL included), so a crash never
// leaves a stale lock; the file keeps the holder's pid for the refusal message. fcntl locks
// belong to a process, not to a file descriptor — a second lock from the same process would
// succeed, and closing any descriptor of the file would drop the first one — so locks held by
// this process are also kept in an in-process set, checked before the file is even opened.
//
// Thread safety: FileSystem methods may be called from any thread. One WritableFile is used by
// one thread at a time; a RandomAccessFile may be read from many threads at once.
#ifndef INFLOW_CHANGELOG_FILE_SYSTEM_H_
#define INFLOW_CHANGELOG_FILE_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace inflow::changelog {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes every appended byte durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch; returns how many were read (fewer only at the
  // end of the file).
  virtual Result<size_t> Read(uint64_t offset, size_t n, char* scratch) const = 0;
};

// A lock taken by FileSystem::LockFile. Give it back with UnlockFile; destroying it releases the
// lock as well (without reporting errors).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Opens for appending at the end, creating the file if it does not exist.
  virtual Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) = 0;
  // Opens for reading. The handle keeps reading the file's data even after Remove().
  virtual Result<std::shared_ptr<RandomAccessFile>> OpenReadable(const std::string& path) = 0;
  // The names (not paths) of the entries of a directory.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates a directory and its parents; success if it already exists.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  virtual Result<bool> Exists(const std::string& path) = 0;
  // Makes the entries of a directory (creations, renames, removals) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Takes the exclusive lock of the directory DirName(path) through the lock file `path`
  // (created if missing; this process's pid is written into it). Refused with
  // kFailedPrecondition "data directory DIR is in use by another inflow process (pid N)" or
  // "… is already open in this process"; never waits.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
  virtual Status UnlockFile(std::unique_ptr<FileLock> lock) = 0;
};

// The name of the lock file every locked directory holds: "<dir>/LOCK".
inline constexpr char kLockFileName[] = "LOCK";
// fs->LockFile(JoinPath(dir, kLockFileName)).
Result<std::unique_ptr<FileLock>> LockDirectory(FileSystem* fs, const std::string& dir);

// The process-wide POSIX implementation.
FileSystem* PosixFileSystem();

// Reads a whole file.
Result<std::string> ReadWholeFile(FileSystem* fs, const std::string& path);

// Replaces `path` with `data` so that after a crash the file holds either the old or the new
// content, never a mix: write "<path>.tmp", sync, rename over path, sync the directory.
Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view data);

// "dir/name", without doubling the slash.
std::string JoinPath(const std::string& dir, const std::string& name);
// The directory part of a path ("." when there is none).
std::string DirName(const std::string& path);

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_FILE_SYSTEM_H_
