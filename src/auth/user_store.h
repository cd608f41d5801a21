#pragma once
// The current user table, swapped atomically on reload: a request sees
// either the old or the new table, never a half-read file.

#include <atomic>
#include <memory>
#include <string>

#include "auth/users.h"

namespace rapid::auth {

class UserStore {
 public:
  explicit UserStore(std::string path);

  // Re-reads the file. Missing or unreadable: the table becomes empty (all
  // authentication fails) and a warning is logged. Undecodable: the previous
  // table stays. Returns true when a new table was installed from the file.
  bool reload();

  std::shared_ptr<const UserTable> current() const { return table_.load(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::atomic<std::shared_ptr<const UserTable>> table_;
};

}  // namespace rapid::auth
