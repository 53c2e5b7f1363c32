#include "server/storage/log_file_syncer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace alder {
namespace {

constexpr std::string_view kLogPrefix = "WiredTigerLog.";

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

}  // namespace

LogFileSyncer::LogFileSyncer(std::string data_dir) : data_dir_(std::move(data_dir)) {}

LogFileSyncer::~LogFileSyncer() {
  if (fd_ >= 0) close(fd_);
  if (dir_fd_ >= 0) close(dir_fd_);
}

std::string LogFileSyncer::PathOf(uint32_t number) const {
  return fmt::format("{}/{}{:010}", data_dir_, kLogPrefix, number);
}

Status LogFileSyncer::OpenNewest() {
  dir_fd_ = open(data_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) return Errno("open " + data_dir_);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kLogPrefix, 0) != 0) continue;
    const auto number = static_cast<uint32_t>(std::stoul(name.substr(kLogPrefix.size())));
    if (number > number_) number_ = number;
  }
  if (ec) return Status::IoError("list " + data_dir_ + ": " + ec.message());
  if (number_ == 0) return Status::IoError("no WiredTiger log file in " + data_dir_);
  fd_ = open(PathOf(number_).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return Errno("open " + PathOf(number_));
  return Status::Ok();
}

Status LogFileSyncer::Sync() {
  if (fd_ < 0) {
    if (Status s = OpenNewest(); !s.ok()) return s;
  }
  // Move through newer files: the current one is complete once a newer exists.
  while (access(PathOf(number_ + 1).c_str(), F_OK) == 0) {
    if (fdatasync(fd_) != 0) return Errno("fdatasync " + PathOf(number_));
    const int next = open(PathOf(number_ + 1).c_str(), O_RDONLY | O_CLOEXEC);
    if (next < 0) return Errno("open " + PathOf(number_ + 1));
    close(fd_);
    fd_ = next;
    ++number_;
    if (fsync(dir_fd_) != 0) return Errno("fsync " + data_dir_);
  }
  if (fdatasync(fd_) != 0) return Errno("fdatasync " + PathOf(number_));
  return Status::Ok();
}

}  // namespace alder
