#include "app/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstring>
#include <ctime>

namespace rapid::app {

std::string ready_message(const std::string& status) { return "READY=1\nSTATUS=" + status; }

std::string reloading_message(const std::string& status, std::uint64_t monotonic_usec) {
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec) + "\nSTATUS=" + status;
}

std::string stopping_message(const std::string& status) { return "STOPPING=1\nSTATUS=" + status; }

std::uint64_t monotonic_usec() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1'000u;
}

void notify_systemd(const std::string& message) {
  // 0: keep $NOTIFY_SOCKET, later messages need it too.
  const int result = sd_notify(0, message.c_str());
  if (result < 0) SPDLOG_DEBUG("sd_notify failed: {}", std::strerror(-result));
}

}  // namespace rapid::app
