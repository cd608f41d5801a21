#include "auth/user_store.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "util/file.h"

namespace rapid::auth {
namespace {

enum class ReadStatus { ok, missing, failed };

ReadStatus read_users_file(const std::string& path, std::string& contents, std::string& error) {
  int error_number = 0;
  if (read_file(path, contents, error_number)) return ReadStatus::ok;
  error = std::strerror(error_number);
  return error_number == ENOENT ? ReadStatus::missing : ReadStatus::failed;
}

}  // namespace

UserStore::UserStore(std::string path)
    : path_(std::move(path)), table_(std::make_shared<const UserTable>()) {}

bool UserStore::reload() {
  SPDLOG_INFO("Reading users file at {}", path_);
  std::string contents;
  std::string error;
  switch (read_users_file(path_, contents, error)) {
    case ReadStatus::missing:
      SPDLOG_WARN("No users file at {}", path_);
      install(std::make_shared<const UserTable>());
      return false;
    case ReadStatus::failed:
      SPDLOG_WARN("Error while reading {}: {}", path_, error);
      install(std::make_shared<const UserTable>());
      return false;
    case ReadStatus::ok:
      break;
  }
  auto parsed = parse_users_file(contents);
  if (!parsed) {
    SPDLOG_ERROR("Error while parsing {}: not valid UTF-8; keeping the previous users", path_);
    return false;
  }
  for (const auto& warning : parsed->warnings) SPDLOG_WARN("{}: {}", path_, warning);
  install(std::make_shared<const UserTable>(std::move(parsed->table)));
  return true;
}

std::shared_ptr<const UserTable> UserStore::current() const {
  std::lock_guard lock(mutex_);
  return table_;
}

void UserStore::install(std::shared_ptr<const UserTable> table) {
  std::lock_guard lock(mutex_);
  table_.swap(table);
  // The old table is released after the lock, outside the readers' way.
}

}  // namespace rapid::auth
