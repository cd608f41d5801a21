#pragma once
// Calls back when a watched file changes: inotify on each file's directory,
// so that in-place writes, editors' and Ganeti's rename-replace, deletion
// and re-creation are all seen. The users file and the TLS files use it;
// SIGHUP reloads them too (the app wires that).

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

namespace rapid::app {

class FileWatcher {
 public:
  explicit FileWatcher(boost::asio::any_io_executor executor);
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Before start(): `on_change` runs (on the watcher's strand) after any
  // change of `path`, and whenever a watch had to be set up again (what
  // happened meanwhile is unknown). A path may be added more than once.
  void add(const std::string& path, std::function<void()> on_change);

  // The watches are set up before start() returns: a change made right
  // after start-up is not missed.
  void start();
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace rapid::app
