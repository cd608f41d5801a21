#include "auth/users_watcher.h"

#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace rapid::auth {

namespace asio = boost::asio;

namespace {
// While the directory cannot be watched (it does not exist yet), check again
// this often.
constexpr std::chrono::seconds kRetryInterval{5};
constexpr std::uint32_t kDirEvents = IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                     IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

struct Scan {
  bool changed = false;     // the file (or the watch) changed: reload
  bool lost_watch = false;  // the directory went away: watch again
};

// Events as read(2) returns them. Each is copied out: the buffer (in the
// coroutine frame) need not be aligned for inotify_event (UBSan: misaligned
// member access).
Scan scan_events(const char* data, std::size_t n, const std::string& file_name) {
  Scan scan;
  for (std::size_t offset = 0; offset + sizeof(inotify_event) <= n;) {
    inotify_event event;
    std::memcpy(&event, data + offset, sizeof event);
    const char* name = data + offset + sizeof(inotify_event);
    if (event.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW)) {
      scan.lost_watch = scan.lost_watch || !(event.mask & IN_Q_OVERFLOW);
      scan.changed = true;
    } else if (event.len > 0 && file_name == std::string_view(name, ::strnlen(name, event.len))) {
      scan.changed = true;
    }
    offset += sizeof(inotify_event) + event.len;
  }
  return scan;
}
}  // namespace

struct UsersFileWatcher::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, UserStore& s)
      : strand(asio::make_strand(ex)), descriptor(strand), retry_timer(strand), store(s) {
    const std::filesystem::path path(store.path());
    directory = path.parent_path().empty() ? "." : path.parent_path().string();
    file_name = path.filename().string();
  }

  // (Re)creates the inotify descriptor and the directory watch.
  bool watch() {
    boost::system::error_code ignored;
    descriptor.close(ignored);
    const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      SPDLOG_WARN("inotify_init1 failed: {}", std::strerror(errno));
      return false;
    }
    if (inotify_add_watch(fd, directory.c_str(), kDirEvents) < 0) {
      SPDLOG_WARN("Cannot watch {} for changes of the users file: {}", directory,
                  std::strerror(errno));
      ::close(fd);
      return false;
    }
    descriptor.assign(fd);
    return true;
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
        // Whatever happened while we were not watching.
        store.reload();
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
      const auto [changed, lost_watch] = scan_events(buffer.data(), n, file_name);
      if (lost_watch) {
        boost::system::error_code ignored;
        descriptor.close(ignored);
      }
      if (changed) store.reload();
    }
  }

  asio::strand<asio::any_io_executor> strand;
  asio::posix::stream_descriptor descriptor;
  asio::steady_timer retry_timer;
  UserStore& store;
  std::string directory;
  std::string file_name;
  bool stopped = false;
};

UsersFileWatcher::UsersFileWatcher(asio::any_io_executor executor, UserStore& store)
    : impl_(std::make_shared<Impl>(executor, store)) {}

UsersFileWatcher::~UsersFileWatcher() { stop(); }

void UsersFileWatcher::start() {
  // The watch is set up before start() returns (nothing else uses the
  // descriptor yet): a change made right after start-up must not be missed.
  if (!impl_->watch()) {
    SPDLOG_WARN("Users file changes will be picked up on SIGHUP until {} can be watched",
                impl_->directory);
  }
  asio::co_spawn(impl_->strand, impl_->run(), asio::detached);
}

void UsersFileWatcher::stop() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->stopped = true;
    boost::system::error_code ignored;
    impl->descriptor.close(ignored);
    impl->retry_timer.cancel();
  });
}

}  // namespace rapid::auth
