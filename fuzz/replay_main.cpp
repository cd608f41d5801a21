// Runs a fuzz target over files (or every file of given directories), then
// over a few thousand pseudo-random mutations of them: a regression test
// for compilers without libFuzzer.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path))
        files.push_back(entry.path());
    } else {
      files.push_back(path);
    }
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (inputs.empty()) inputs.emplace_back();
  std::size_t runs = 0;
  for (const auto& input : inputs) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
    ++runs;
  }
  // Cheap mutations: byte flips, truncations, splices.
  std::mt19937 random(12345);
  for (int round = 0; round < 3000; ++round) {
    std::string input = inputs[random() % inputs.size()];
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      switch (random() % 4) {
        case 0:
          if (!input.empty()) input[random() % input.size()] = static_cast<char>(random());
          break;
        case 1:
          if (!input.empty()) input.resize(random() % input.size());
          break;
        case 2:
          input.insert(random() % (input.size() + 1), 1, static_cast<char>(random()));
          break;
        default: {
          const std::string& other = inputs[random() % inputs.size()];
          if (!other.empty()) input += other.substr(random() % other.size());
        }
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
    ++runs;
  }
  std::cout << "ran " << runs << " inputs\n";
  return 0;
}
