#pragma once
// Where the tests' data files and the rapid binary are. Both are absolute
// paths from CMake, compiled into test_data.cpp alone: a definition on every
// test source would make each of them differ between two checkouts, and
// ccache could not share them (scripts/lib/ccache.sh). __FILE__ would not do:
// it is relative when ccache rewrites paths, and the tests run elsewhere.

#include <filesystem>

namespace rapid::testing {

// The source folder tests/.
std::filesystem::path tests_dir();

// The rapid executable of this build tree.
std::filesystem::path rapid_binary();

// The real ganeti-rapi's recorded answers (tests/data/captures/README.md).
inline std::filesystem::path captures_dir() { return tests_dir() / "data" / "captures"; }

}  // namespace rapid::testing
