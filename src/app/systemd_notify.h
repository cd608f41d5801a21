#pragma once
// systemd's readiness protocol (sd_notify(3)) for the Type=notify unit of
// systemd/ganeti-rapi.service.d/rapid.conf: the service manager learns when
// rapid serves, reloads and stops. Without $NOTIFY_SOCKET (not started by
// systemd, or by a Type=simple unit) nothing is sent.

#include <cstdint>
#include <string>

namespace rapid::app {

// The messages: newline-separated VAR=value lines, one datagram each.
std::string ready_message(const std::string& status);
// systemd asks for the CLOCK_MONOTONIC time of the reload's start with
// RELOADING=1 (MONOTONIC_USEC=), so it can tell this reload from an older one.
std::string reloading_message(const std::string& status, std::uint64_t monotonic_usec);
std::string stopping_message(const std::string& status);

// CLOCK_MONOTONIC now, in microseconds (what MONOTONIC_USEC= carries).
std::uint64_t monotonic_usec();

// Sends `message` to $NOTIFY_SOCKET; failures are ignored (the service
// manager is an observer: rapid serves the same without it).
void notify_systemd(const std::string& message);

}  // namespace rapid::app
