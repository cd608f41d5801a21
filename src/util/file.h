#pragma once
// Reading a whole file, with the errno of a failure.

#include <string>

namespace rapid {

// The contents of `path` into `contents`; false with `error_number` set
// (ENOENT for a missing file) when it cannot be opened or read.
bool read_file(const std::string& path, std::string& contents, int& error_number);

}  // namespace rapid
