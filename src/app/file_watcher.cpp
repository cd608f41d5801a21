#include "app/file_watcher.h"

#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>
#include <vector>

namespace rapid::app {

namespace asio = boost::asio;

namespace {
// While a directory cannot be watched (it does not exist yet), check again
// this often.
constexpr std::chrono::seconds kRetryInterval{5};
constexpr std::uint32_t kDirEvents = IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                     IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

struct Watched {
  std::string directory;
  std::string file_name;
  std::function<void()> on_change;
};
}  // namespace

struct FileWatcher::Impl : std::enable_shared_from_this<Impl> {
  explicit Impl(asio::any_io_executor ex)
      : strand(asio::make_strand(ex)), descriptor(strand), retry_timer(strand) {}

  // (Re)creates the inotify descriptor with a watch on every directory;
  // false (and no descriptor) when one of them cannot be watched.
  bool watch() {
    boost::system::error_code ignored;
    descriptor.close(ignored);
    directories.clear();
    const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      SPDLOG_WARN("inotify_init1 failed: {}", std::strerror(errno));
      return false;
    }
    std::set<std::string> wanted;
    for (const auto& file : files) wanted.insert(file.directory);
    for (const auto& directory : wanted) {
      const int wd = inotify_add_watch(fd, directory.c_str(), kDirEvents);
      if (wd < 0) {
        SPDLOG_WARN("Cannot watch {} for changes: {}", directory, std::strerror(errno));
        ::close(fd);
        directories.clear();
        return false;
      }
      directories[wd] = directory;
    }
    descriptor.assign(fd);
    return true;
  }

  void notify_all() {
    for (const auto& file : files) file.on_change();
  }

  // The files an event batch concerns; all of them once a watch was lost
  // or the queue overflowed.
  std::vector<const Watched*> changed_by(const char* data, std::size_t n, bool& lost_watch) {
    std::set<const Watched*> changed;
    for (std::size_t offset = 0; offset + sizeof(inotify_event) <= n;) {
      // Copied out: the buffer need not be aligned for inotify_event (UBSan).
      inotify_event event;
      std::memcpy(&event, data + offset, sizeof event);
      const char* name_start = data + offset + sizeof(inotify_event);
      offset += sizeof(inotify_event) + event.len;
      if (event.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW)) {
        lost_watch = lost_watch || !(event.mask & IN_Q_OVERFLOW);
        for (const auto& file : files) changed.insert(&file);
        continue;
      }
      if (event.len == 0 || offset > n) continue;
      const std::string_view name(name_start, ::strnlen(name_start, event.len));
      const auto directory = directories.find(event.wd);
      if (directory == directories.end()) continue;
      for (const auto& file : files) {
        if (file.directory == directory->second && file.file_name == name) changed.insert(&file);
      }
    }
    return {changed.begin(), changed.end()};
  }

  asio::awaitable<void> run() {
    std::array<char, 64 * 1024> buffer;
    while (!stopped) {
      if (!descriptor.is_open()) {
        if (!watch()) {
          retry_timer.expires_after(kRetryInterval);
          co_await retry_timer.async_wait(asio::as_tuple(asio::use_awaitable));
          continue;
        }
        notify_all();  // whatever happened while nothing was watched
      }
      auto [ec, n] = co_await descriptor.async_read_some(asio::buffer(buffer),
                                                         asio::as_tuple(asio::use_awaitable));
      if (stopped) break;
      if (ec) {
        SPDLOG_WARN("Reading inotify events failed: {}", ec.message());
        boost::system::error_code ignored;
        descriptor.close(ignored);
        continue;
      }
      bool lost_watch = false;
      const std::vector<const Watched*> changed = changed_by(buffer.data(), n, lost_watch);
      if (lost_watch) {
        boost::system::error_code ignored;
        descriptor.close(ignored);
      }
      for (const Watched* file : changed) file->on_change();
    }
  }

  asio::strand<asio::any_io_executor> strand;
  asio::posix::stream_descriptor descriptor;
  asio::steady_timer retry_timer;
  std::vector<Watched> files;              // fixed once started
  std::map<int, std::string> directories;  // watch descriptor -> directory
  bool stopped = false;
};

FileWatcher::FileWatcher(asio::any_io_executor executor)
    : impl_(std::make_shared<Impl>(executor)) {}

FileWatcher::~FileWatcher() { stop(); }

void FileWatcher::add(const std::string& path, std::function<void()> on_change) {
  const std::filesystem::path file(path);
  impl_->files.push_back({file.parent_path().empty() ? "." : file.parent_path().string(),
                          file.filename().string(), std::move(on_change)});
}

void FileWatcher::start() {
  // Nothing else uses the descriptor yet: set up here, synchronously.
  if (!impl_->watch()) {
    SPDLOG_WARN("File changes will be picked up on SIGHUP until every directory can be watched");
  }
  asio::co_spawn(impl_->strand, impl_->run(), asio::detached);
}

void FileWatcher::stop() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->stopped = true;
    boost::system::error_code ignored;
    impl->descriptor.close(ignored);
    impl->retry_timer.cancel();
  });
}

}  // namespace rapid::app
