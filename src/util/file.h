#pragma once
// Reading a whole file, with the errno of a failure; writing all of a buffer.

#include <cstddef>
#include <string>

namespace rapid {

// The contents of `path` into `contents`; false with `error_number` set
// (ENOENT for a missing file) when it cannot be opened or read.
bool read_file(const std::string& path, std::string& contents, int& error_number);

// write(2) until all `size` bytes are out (EINTR retried); false with errno
// set on a failure.
bool write_all(int fd, const char* data, std::size_t size);

}  // namespace rapid
