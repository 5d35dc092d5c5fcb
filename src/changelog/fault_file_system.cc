#include "changelog/fault_file_system.h"

#include <algorithm>
#include <cstring>

namespace inflow::changelog {

struct FaultInjectingFileSystem::Node {
  std::string data;
  size_t synced = 0;
  bool entry_durable = false;
  std::string dir;
};

class FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(FaultInjectingFileSystem* fs, std::shared_ptr<FaultInjectingFileSystem::Node> n)
      : fs_(fs), node_(std::move(n)) {}
  Status Append(std::string_view data) override { return fs_->AppendTo(node_.get(), data); }
  Status Sync() override { return fs_->SyncNode(node_.get()); }
  Status Close() override { return Ok(); }

 private:
  FaultInjectingFileSystem* fs_;
  std::shared_ptr<FaultInjectingFileSystem::Node> node_;
};

class FaultFileLock : public FileLock {
 public:
  FaultFileLock(FaultInjectingFileSystem* fs, std::string path, uint64_t generation)
      : fs_(fs), path_(std::move(path)), generation_(generation) {}
  ~FaultFileLock() override { fs_->ReleaseLock(path_, generation_); }

 private:
  FaultInjectingFileSystem* fs_;
  std::string path_;
  uint64_t generation_;
};

namespace {

class FaultReadableFile : public RandomAccessFile {
 public:
  FaultReadableFile(std::mutex* mu, std::shared_ptr<FaultInjectingFileSystem::Node> n)
      : mu_(mu), node_(std::move(n)) {}
  Result<size_t> Read(uint64_t offset, size_t n, char* scratch) const override {
    std::lock_guard lock(*mu_);
    const std::string& d = node_->data;
    if (offset >= d.size()) return size_t{0};
    size_t len = std::min<size_t>(n, d.size() - offset);
    std::memcpy(scratch, d.data() + offset, len);
    return len;
  }

 private:
  std::mutex* mu_;
  std::shared_ptr<FaultInjectingFileSystem::Node> node_;
};

}  // namespace

Status FaultInjectingFileSystem::AppendTo(Node* node, std::string_view data) {
  std::lock_guard lock(mu_);
  if (append_budget_ >= 0 && static_cast<int64_t>(data.size()) > append_budget_) {
    node->data.append(data.substr(0, static_cast<size_t>(append_budget_)));
    append_budget_ = 0;
    return Fail(IoError("injected: write torn"));
  }
  if (append_budget_ >= 0) append_budget_ -= static_cast<int64_t>(data.size());
  node->data.append(data);
  return Ok();
}

Status FaultInjectingFileSystem::SyncNode(Node* node) {
  std::lock_guard lock(mu_);
  if (fail_syncs_) return Fail(IoError("injected: fdatasync failed"));
  node->synced = node->data.size();
  ++sync_count_;
  return Ok();
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::OpenAppendable(
    const std::string& path) {
  std::lock_guard lock(mu_);
  std::string dir = DirName(path);
  if (!dirs_.contains(dir)) return Fail(IoError("open '" + path + "': no such directory"));
  auto& node = files_[path];
  if (!node) {
    node = std::make_shared<Node>();
    node->dir = dir;
  }
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, node));
}

Result<std::shared_ptr<RandomAccessFile>> FaultInjectingFileSystem::OpenReadable(
    const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Fail(NotFound("no file '" + path + "'"));
  return std::shared_ptr<RandomAccessFile>(new FaultReadableFile(&mu_, it->second));
}

Result<std::vector<std::string>> FaultInjectingFileSystem::ListDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (!dirs_.contains(dir)) return Fail(IoError("opendir '" + dir + "': no such directory"));
  std::vector<std::string> names;
  for (const auto& [path, node] : files_) {
    if (node->dir == dir) names.push_back(path.substr(JoinPath(dir, "").size()));
  }
  for (const std::string& d : dirs_) {
    if (d != dir && DirName(d) == dir) names.push_back(d.substr(JoinPath(dir, "").size()));
  }
  return names;
}

Status FaultInjectingFileSystem::CreateDirs(const std::string& dir) {
  std::lock_guard lock(mu_);
  std::string d = dir;
  while (!d.empty() && d != "." && d != "/") {
    dirs_.insert(d);
    d = DirName(d);
  }
  return Ok();
}

Status FaultInjectingFileSystem::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  if (files_.erase(path) == 0) return Fail(IoError("unlink '" + path + "': no such file"));
  return Ok();
}

Status FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return Fail(IoError("rename '" + from + "': no such file"));
  std::shared_ptr<Node> node = it->second;
  files_.erase(it);
  node->dir = DirName(to);
  node->entry_durable = true;
  files_[to] = node;
  return Ok();
}

Status FaultInjectingFileSystem::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Fail(IoError("truncate '" + path + "': no such file"));
  Node& n = *it->second;
  n.data.resize(size);
  n.synced = std::min<size_t>(n.synced, size);
  return Ok();
}

Result<uint64_t> FaultInjectingFileSystem::FileSize(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Fail(IoError("stat '" + path + "': no such file"));
  return static_cast<uint64_t>(it->second->data.size());
}

Result<bool> FaultInjectingFileSystem::Exists(const std::string& path) {
  std::lock_guard lock(mu_);
  return files_.contains(path) || dirs_.contains(path);
}

Status FaultInjectingFileSystem::SyncDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (fail_syncs_) return Fail(IoError("injected: fsync of directory failed"));
  for (auto& [path, node] : files_) {
    if (node->dir == dir) node->entry_durable = true;
  }
  ++sync_count_;
  return Ok();
}

Result<std::unique_ptr<FileLock>> FaultInjectingFileSystem::LockFile(const std::string& path) {
  std::lock_guard lock(mu_);
  if (!dirs_.contains(DirName(path))) {
    return Fail(IoError("open '" + path + "': no such directory"));
  }
  if (locks_.contains(path)) {
    return Fail(ErrorCode::kFailedPrecondition,
                "data directory " + DirName(path) + " is already open in this process");
  }
  uint64_t generation = ++lock_generation_;
  locks_[path] = generation;
  return std::unique_ptr<FileLock>(new FaultFileLock(this, path, generation));
}

Status FaultInjectingFileSystem::UnlockFile(std::unique_ptr<FileLock> lock) {
  lock.reset();  // the destructor releases it
  return Ok();
}

void FaultInjectingFileSystem::ReleaseLock(const std::string& path, uint64_t generation) {
  std::lock_guard lock(mu_);
  // A lock from before a Crash() must not release the one a "restarted process" took since.
  auto it = locks_.find(path);
  if (it != locks_.end() && it->second == generation) locks_.erase(it);
}

void FaultInjectingFileSystem::FailAppendsAfter(int64_t bytes) {
  std::lock_guard lock(mu_);
  append_budget_ = bytes;
}

void FaultInjectingFileSystem::FailSyncs(bool fail) {
  std::lock_guard lock(mu_);
  fail_syncs_ = fail;
}

void FaultInjectingFileSystem::Crash(uint64_t keep_unsynced) {
  std::lock_guard lock(mu_);
  std::map<std::string, std::shared_ptr<Node>> kept;
  for (auto& [path, node] : files_) {
    if (!node->entry_durable) continue;
    auto copy = std::make_shared<Node>(*node);
    size_t keep = std::min<size_t>(copy->data.size(), copy->synced + keep_unsynced);
    copy->data.resize(keep);
    copy->synced = keep;
    kept[path] = std::move(copy);
  }
  files_ = std::move(kept);
  locks_.clear();  // the process that held them is gone
  append_budget_ = -1;
  fail_syncs_ = false;
}

std::string FaultInjectingFileSystem::Contents(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? std::string() : it->second->data;
}

void FaultInjectingFileSystem::SetContents(const std::string& path, std::string data) {
  std::lock_guard lock(mu_);
  auto& node = files_[path];
  if (!node) node = std::make_shared<Node>();
  node->dir = DirName(path);
  node->data = std::move(data);
  node->synced = node->data.size();
  node->entry_durable = true;
}

int64_t FaultInjectingFileSystem::sync_count() const {
  std::lock_guard lock(mu_);
  return sync_count_;
}

}  // namespace inflow::changelog
