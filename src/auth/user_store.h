#pragma once
// The current user table, swapped atomically on reload: a request sees
// either the old or the new table, never a half-read file.

#include <memory>
#include <mutex>
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

  std::shared_ptr<const UserTable> current() const;
  const std::string& path() const { return path_; }

 private:
  void install(std::shared_ptr<const UserTable> table);

  std::string path_;
  // A mutex, not std::atomic<std::shared_ptr>: GCC 12's load() drops its
  // lock bit with a relaxed fetch_sub, so its read of the pointer is not
  // ordered before the next store's write (a data race ThreadSanitizer
  // reports in UsersReload.InPlaceRewrite). Readers only copy the pointer.
  mutable std::mutex mutex_;
  std::shared_ptr<const UserTable> table_;
};

}  // namespace rapid::auth
