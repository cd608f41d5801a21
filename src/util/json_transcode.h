#pragma once
// luxid's JSON text rewritten in Python's format without building the
// value: what the hot read paths send (util/json_parse.cpp).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rapid {

// Appends what dump_python(*parse_json(text)) would, without building the
// value (a fraction of the time and no allocation per item): `ok`; nothing
// appended and `invalid` where parse_json fails. `needs_dom`, nothing
// appended: the text repeats a key in an object, or has a member named in
// `special_keys`, which only the DOM can handle (the caller parses it; the
// text may also be invalid further on, which the parse then finds).
enum class Transcoded { ok, invalid, needs_dom };

// Where the values of some top-level members of an object were written:
// (offset in `out`, length), offset npos for a member not there.
struct TopMembers {
  std::span<const std::string_view> names;
  std::vector<std::pair<std::size_t, std::size_t>> values;
};

Transcoded transcode_python(std::string_view text, std::string& out,
                            std::span<const std::string_view> special_keys = {},
                            TopMembers* members = nullptr);

// The items of a top-level JSON list, each as its text (not checked: parse
// each); nullopt when `text` is no list of items separated by commas.
std::optional<std::vector<std::string_view>> json_list_items(std::string_view text);

// transcode_python for a list of rows (lists of values), written as
// map_bulk_fields (rapi/answers.h) would: each row an object of `fields`
// and its values, in order. `needs_dom` as above, and also for any shape
// map_bulk_fields would refuse (a row that is no list or of another length,
// no list at all): the DOM path gives the error.
Transcoded transcode_python_rows(std::string_view text, std::span<const std::string_view> fields,
                                 std::string& out,
                                 std::span<const std::string_view> special_keys = {});

}  // namespace rapid
