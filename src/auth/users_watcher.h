#pragma once
// Reloads the users file when it changes: inotify on its directory, so that
// in-place writes, editors' rename-replace, deletion and re-creation are all
// seen. (SIGHUP reloads too; the app layer wires that.)

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "auth/user_store.h"

namespace rapid::auth {

class UsersFileWatcher {
 public:
  UsersFileWatcher(boost::asio::any_io_executor executor, UserStore& store);
  ~UsersFileWatcher();
  UsersFileWatcher(const UsersFileWatcher&) = delete;
  UsersFileWatcher& operator=(const UsersFileWatcher&) = delete;

  void start();
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace rapid::auth
