// The users-file reload (auth::UserStore: read, parse, swap) over two
// successive contents of the file: a decodable file replaces the table, an
// undecodable one (invalid UTF-8) keeps the previous table, a missing file
// empties it. Input: one byte (where to split), then the two contents.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "auth/user_store.h"
#include "auth/users.h"

namespace {

std::string users_path() {
  char directory[] = "/tmp/rapid-fuzz-reload-XXXXXX";
  if (!::mkdtemp(directory)) std::abort();
  spdlog::set_level(spdlog::level::off);
  return std::string(directory) + "/users";
}

void write(const std::string& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!out) std::abort();
}

// The store now holds what `contents` parses to.
void expect_table(const rapid::auth::UserStore& store, std::string_view contents) {
  const auto parsed = rapid::auth::parse_users_file(contents);
  const auto table = store.current();
  if (!parsed || !table || table->size() != parsed->table.size()) std::abort();
  for (std::string_view name : {"admin", "reader", "a", ""}) {
    const auto* expected = parsed->table.find(name);
    const auto* found = table->find(name);
    if ((expected == nullptr) != (found == nullptr)) std::abort();
    if (found && (found->password != expected->password || found->options != expected->options))
      std::abort();
  }
}

// One reload of `contents` on top of whatever the store holds.
void reload(rapid::auth::UserStore& store, const std::string& path, std::string_view contents) {
  const auto before = store.current();
  write(path, contents);
  const bool installed = store.reload();
  if (installed != rapid::auth::parse_users_file(contents).has_value()) std::abort();
  if (installed) {
    expect_table(store, contents);
  } else if (store.current() != before) {
    std::abort();  // undecodable: the previous table, the very same object
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = users_path();
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = text.size() * data[0] / 256;
  rapid::auth::UserStore store(path);
  reload(store, path, text.substr(0, split));
  reload(store, path, text.substr(split));
  ::unlink(path.c_str());
  if (store.reload() || !store.current() || store.current()->size() != 0) std::abort();
  return 0;
}
