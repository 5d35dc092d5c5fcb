// FaultInjectingFileSystem: an in-memory FileSystem for tests that models what a crash keeps.
// Each file remembers how many of its bytes were synced and whether its directory entry was
// made durable; Crash() throws away everything else, exactly like a power cut. It can also tear
// an append after a byte budget, fail syncs, and expose raw bytes so a test can cut or corrupt a
// file at any offset.
//
// Model limits: Rename and Remove take effect durably at once (only creations wait for SyncDir).
//
// Thread safety: all methods are thread-safe (one internal mutex).
#ifndef INFLOW_CHANGELOG_FAULT_FILE_SYSTEM_H_
#define INFLOW_CHANGELOG_FAULT_FILE_SYSTEM_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "changelog/file_system.h"

namespace inflow::changelog {

class FaultInjectingFileSystem : public FileSystem {
 public:
  struct Node;

  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override;
  Result<std::shared_ptr<RandomAccessFile>> OpenReadable(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status Remove(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Result<bool> Exists(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  // Locks live in memory (no LOCK file appears): a second LockFile of a held path is refused as
  // "already open in this process"; Crash() releases every lock, as the death of a process does.
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  Status UnlockFile(std::unique_ptr<FileLock> lock) override;

  // After `bytes` more appended bytes (over all files), an Append writes only the part that
  // fits and fails with kIo; every later Append fails too. Negative: never.
  void FailAppendsAfter(int64_t bytes);
  // While set, Sync() and SyncDir() fail with kIo.
  void FailSyncs(bool fail);
  // A power cut: each file keeps its synced bytes plus at most `keep_unsynced` more; files
  // whose creation was never made durable disappear. Open handles stop affecting the files.
  void Crash(uint64_t keep_unsynced = 0);

  // Raw access for tests. SetContents makes the content durable.
  std::string Contents(const std::string& path) const;
  void SetContents(const std::string& path, std::string data);
  int64_t sync_count() const;

 private:
  friend class FaultWritableFile;
  friend class FaultFileLock;
  void ReleaseLock(const std::string& path, uint64_t generation);
  Status AppendTo(Node* node, std::string_view data);
  Status SyncNode(Node* node);

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Node>> files_;
  std::set<std::string> dirs_;
  std::map<std::string, uint64_t> locks_;  // path -> generation of the holder
  uint64_t lock_generation_ = 0;
  int64_t append_budget_ = -1;
  bool fail_syncs_ = false;
  int64_t sync_count_ = 0;
};

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_FAULT_FILE_SYSTEM_H_
