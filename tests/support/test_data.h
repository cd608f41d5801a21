#pragma once
// Where the tests' data files are. The root comes from CMake as an absolute
// path: __FILE__ is relative to the build directory when ccache rewrites
// paths (CCACHE_BASEDIR), and the tests run in another directory.

#include <filesystem>

namespace rapid::testing {

// The source folder tests/.
inline std::filesystem::path tests_dir() { return RAPID_TESTS_DIR; }

// The real ganeti-rapi's recorded answers (tests/data/captures/README.md).
inline std::filesystem::path captures_dir() { return tests_dir() / "data" / "captures"; }

}  // namespace rapid::testing
