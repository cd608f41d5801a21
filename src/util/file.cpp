#include "util/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace rapid {

bool read_file(const std::string& path, std::string& contents, int& error_number) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error_number = errno;
    return false;
  }
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) contents.append(buffer, static_cast<std::size_t>(n));
  }
  error_number = n < 0 ? errno : 0;
  ::close(fd);
  return n == 0;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace rapid
