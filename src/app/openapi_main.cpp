// rapid-openapi: prints the OpenAPI description rapid serves at
// /rapid/openapi.json (rapi/openapi.h), writes it to a file, or checks that
// a file (docs/openapi.json) holds it (ctest generated.openapi).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "rapi/openapi.h"

namespace {

constexpr std::string_view kUsage =
    "usage: rapid-openapi [-o FILE | --check FILE]\n"
    "  (none)        print the OpenAPI 3.1 description\n"
    "  -o FILE       write it to FILE (docs/openapi.json)\n"
    "  --check FILE  exit 1 unless FILE holds it\n";

int check(const std::string& file, const std::string& text) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream committed;
  committed << in.rdbuf();
  if (in && committed.str() == text) return 0;
  std::cerr
      << file << " differs from the description this build generates.\n"
      << "Regenerate it from the repository root with:\n"
      << "  scripts/build rapid-openapi && build/src/app/rapid-openapi -o docs/openapi.json\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string text = rapid::rapi::openapi_text();
    if (argc == 1) {
      std::cout << text;
      return std::cout.good() ? 0 : 1;
    }
    const std::string_view option = argv[1];
    if (argc == 3 && option == "--check") return check(argv[2], text);
    if (argc == 3 && option == "-o") {
      std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
      out << text;
      return out.good() ? 0 : 1;
    }
    std::cerr << kUsage;
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "rapid-openapi: " << error.what() << "\n";
    return 1;
  }
}
