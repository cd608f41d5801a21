#include "support/test_data.h"

namespace rapid::testing {

std::filesystem::path tests_dir() { return RAPID_TESTS_DIR; }

std::filesystem::path rapid_binary() { return RAPID_BINARY; }

}  // namespace rapid::testing
