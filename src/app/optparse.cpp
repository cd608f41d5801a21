#include "app/optparse.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "util/utf8.h"

namespace rapid::app::optparse {
namespace {

std::optional<std::size_t> find_short(const std::vector<Option>& options, const std::string& name) {
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (options[i].short_name == name) return i;
  }
  return std::nullopt;
}

// optparse's _match_abbrev, with ganeti-rapi's options winning: see
// Option::preferred.
std::optional<std::size_t> match_long(const std::vector<Option>& options, const std::string& name,
                                      std::string& error) {
  std::vector<std::size_t> matches;
  std::vector<std::size_t> preferred;
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (options[i].long_name == name) return i;
    if (options[i].long_name.starts_with(name)) {
      matches.push_back(i);
      if (options[i].preferred) preferred.push_back(i);
    }
  }
  if (preferred.size() == 1) return preferred.front();
  if (matches.size() == 1) return matches.front();
  if (matches.empty()) {
    error = "no such option: " + name;
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const std::size_t i : matches) names.push_back(options[i].long_name);
  std::sort(names.begin(), names.end());
  error = "ambiguous option: " + name + " (";
  for (std::size_t i = 0; i < names.size(); ++i) error += (i ? ", " : "") + names[i];
  error += "?)";
  return std::nullopt;
}

bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }

// textwrap's chunks of one word: it breaks after a hyphen with two letters
// (or letter-hyphen-letter) before it and letter, optional hyphen, letter
// after it.
void split_word(std::string_view word, std::vector<std::string>& chunks) {
  const auto letter = [&](std::size_t i) { return i < word.size() && is_letter(word[i]); };
  std::size_t start = 0;
  for (std::size_t h = 1; h + 1 < word.size(); ++h) {
    if (word[h] != '-' || h == start) continue;
    const bool before = (h >= 2 && letter(h - 1) && letter(h - 2)) ||
                        (h >= 3 && letter(h - 1) && word[h - 2] == '-' && letter(h - 3));
    const bool after =
        letter(h + 1) &&
        (letter(h + 2) || (h + 2 < word.size() && word[h + 2] == '-' && letter(h + 3)));
    if (before && after) {
      chunks.emplace_back(word.substr(start, h + 1 - start));
      start = h + 1;
    }
  }
  chunks.emplace_back(word.substr(start));
}

bool is_blank(const std::string& chunk) {
  return chunk.find_first_not_of(' ') == std::string::npos;
}

std::string option_strings(const Option& option) {
  std::string text;
  if (!option.short_name.empty()) {
    text = option.short_name;
    if (option.takes_value()) text += " " + option.metavar;
    text += ", ";
  }
  text += option.long_name;
  if (option.takes_value()) text += "=" + option.metavar;
  return text;
}

// IndentedHelpFormatter.format_option.
std::string format_option(const Option& option, std::size_t indent, std::size_t help_position,
                          std::size_t help_width) {
  const std::string strings = option_strings(option);
  const std::size_t opt_width = help_position - indent - 2;
  std::string out(indent, ' ');
  std::size_t first_indent = 0;
  if (strings.size() > opt_width) {
    out += strings + "\n";
    first_indent = help_position;
  } else {
    out += strings + std::string(opt_width - strings.size() + 2, ' ');
  }
  const auto lines = wrap(option.help, help_width);
  if (lines.empty()) return first_indent ? out : out + "\n";
  out += std::string(first_indent, ' ') + lines.front() + "\n";
  for (std::size_t i = 1; i < lines.size(); ++i) {
    out += std::string(help_position, ' ') + lines[i] + "\n";
  }
  return out;
}

std::string fill(std::string_view text, std::size_t width, std::size_t indent) {
  std::string out;
  for (const auto& line : wrap(text, width - indent)) {
    out += std::string(indent, ' ') + line + "\n";
  }
  return out;
}

}  // namespace

Outcome parse(const std::vector<Option>& options, const std::vector<std::string>& args,
              const Store& store) {
  Outcome outcome;
  // Stores one occurrence; false when parsing stops (an error or --help).
  const auto take = [&](Occurrence occurrence) {
    outcome.error = store(occurrence);
    if (!outcome.error.empty()) return false;
    if (options[occurrence.option].ends_parsing) outcome.ended_by = occurrence.option;
    return !outcome.ended_by;
  };
  std::size_t next = 0;
  while (next < args.size()) {
    const std::string& arg = args[next++];
    if (arg == "--") {
      outcome.positional.insert(outcome.positional.end(), args.begin() + next, args.end());
      break;
    }
    if (arg.starts_with("--")) {
      const std::size_t equals = arg.find('=');
      const std::string name = arg.substr(0, equals);
      const auto index = match_long(options, name, outcome.error);
      if (!index) return outcome;
      const Option& option = options[*index];
      Occurrence occurrence{*index, option.long_name, {}};
      if (option.takes_value()) {
        if (equals != std::string::npos) {
          occurrence.value = arg.substr(equals + 1);
        } else if (next < args.size()) {
          occurrence.value = args[next++];
        } else {
          outcome.error = option.long_name + " option requires 1 argument";
          return outcome;
        }
      } else if (equals != std::string::npos) {
        outcome.error = option.long_name + " option does not take a value";
        return outcome;
      }
      if (!take(std::move(occurrence))) return outcome;
    } else if (arg.size() > 1 && arg[0] == '-') {
      std::size_t pos = 1;
      while (pos < arg.size()) {
        const std::size_t start = pos;
        utf8::decode(arg, pos);  // one character, as Python iterates the str
        const std::string name = "-" + arg.substr(start, pos - start);
        const auto index = find_short(options, name);
        if (!index) {
          outcome.error = "no such option: " + name;
          return outcome;
        }
        Occurrence occurrence{*index, name, {}};
        const bool takes_value = options[*index].takes_value();
        if (takes_value) {
          if (pos < arg.size()) {
            occurrence.value = arg.substr(pos);  // "-p5080"
          } else if (next < args.size()) {
            occurrence.value = args[next++];
          } else {
            outcome.error = name + " option requires 1 argument";
            return outcome;
          }
        }
        if (!take(std::move(occurrence))) return outcome;
        if (takes_value) break;
      }
    } else {
      outcome.positional.push_back(arg);
    }
  }
  return outcome;
}

std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> chunks;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const bool space = std::isspace(static_cast<unsigned char>(text[pos]));
    std::size_t end = pos;
    while (end < text.size() && bool(std::isspace(static_cast<unsigned char>(text[end]))) == space)
      ++end;
    if (space) {
      chunks.emplace_back(end - pos, ' ');
    } else {
      split_word(text.substr(pos, end - pos), chunks);
    }
    pos = end;
  }
  std::reverse(chunks.begin(), chunks.end());
  std::vector<std::string> lines;
  while (!chunks.empty()) {
    if (!lines.empty() && is_blank(chunks.back())) chunks.pop_back();
    std::string line;
    while (!chunks.empty() && line.size() + chunks.back().size() <= width) {
      line += chunks.back();
      chunks.pop_back();
    }
    if (!chunks.empty() && chunks.back().size() > width) {
      // A word longer than the width: cut it (after a hyphen if one fits).
      std::string& word = chunks.back();
      const std::size_t space_left = width < 1 ? 1 : width - line.size();
      std::size_t cut = space_left;
      const std::size_t hyphen = space_left ? word.rfind('-', space_left - 1) : std::string::npos;
      if (hyphen != std::string::npos && hyphen > 0 && word.find_first_not_of('-') < hyphen) {
        cut = hyphen + 1;
      }
      line += word.substr(0, cut);
      word.erase(0, cut);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string format_help(std::string_view usage, std::string_view description,
                        const std::vector<Option>& options, const std::vector<Group>& groups,
                        std::size_t columns) {
  const std::size_t width = columns > 2 ? columns - 2 : 1;
  const std::size_t max_help_position =
      std::min<std::size_t>(24, std::max<std::size_t>(width > 20 ? width - 20 : 0, 4));
  std::size_t max_length = 0;
  for (const auto& option : options) {
    const std::size_t indent = option.group == 0 ? 2 : 4;
    max_length = std::max(max_length, option_strings(option).size() + indent);
  }
  const std::size_t help_position = std::min(max_length + 2, max_help_position);
  const std::size_t help_width =
      std::max<std::size_t>(width > help_position ? width - help_position : 0, 11);

  std::string out = "Usage: " + std::string(usage) + "\n\n";
  if (!description.empty()) out += fill(description, std::max<std::size_t>(width, 11), 0) + "\n";
  out += "Options:\n";
  for (std::size_t group = 0; group < std::max<std::size_t>(groups.size(), 1); ++group) {
    const std::size_t indent = group == 0 ? 2 : 4;
    if (group > 0) {
      out += "\n  " + groups[group].title + ":\n";
      if (!groups[group].description.empty()) {
        // As optparse: the indent counts twice against the width.
        const std::size_t text_width =
            std::max<std::size_t>(width > indent ? width - indent : 0, 11);
        out += fill(groups[group].description, text_width, indent) + "\n";
      }
    }
    for (const auto& option : options) {
      if (option.group == group) out += format_option(option, indent, help_position, help_width);
    }
  }
  return out;
}

IntStatus python_int(std::string_view text, int base, long long& value) {
  // int() first maps Unicode whitespace to ' ' and Unicode digits to ASCII.
  std::string ascii;
  std::size_t pos = 0;
  while (pos < text.size()) {
    bool valid = true;
    const char32_t cp = utf8::decode(text, pos, &valid);
    if (!valid) return IntStatus::invalid;
    if (cp < 0x7F) {
      ascii += static_cast<char>(cp);
    } else if (utf8::is_space(cp)) {
      ascii += ' ';
    } else if (const int digit = utf8::decimal_digit_value(cp); digit >= 0) {
      ascii += static_cast<char>('0' + digit);
    } else {
      return IntStatus::invalid;
    }
  }
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const std::size_t first = ascii.find_first_not_of(kSpace);
  if (first == std::string::npos) return IntStatus::invalid;
  std::string_view rest(ascii);
  rest = rest.substr(first, ascii.find_last_not_of(kSpace) + 1 - first);
  bool negative = false;
  if (rest.front() == '+' || rest.front() == '-') {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  // The base's own prefix may come first, then one underscore.
  bool after_digit = false;
  const char prefix = base == 16 ? 'x' : base == 8 ? 'o' : base == 2 ? 'b' : 0;
  if (prefix && rest.size() >= 2 && rest[0] == '0' &&
      std::tolower(static_cast<unsigned char>(rest[1])) == prefix) {
    rest.remove_prefix(2);
    after_digit = true;
  }
  bool any_digit = false;
  bool overflow = false;
  unsigned long long magnitude = 0;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (c == '_') {
      if (!after_digit || i + 1 == rest.size()) return IntStatus::invalid;
      after_digit = false;
      continue;
    }
    const int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                      : std::isalpha(static_cast<unsigned char>(c))
                          ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                          : 99;
    if (digit >= base) return IntStatus::invalid;
    const auto d = static_cast<unsigned long long>(digit);
    const auto b = static_cast<unsigned long long>(base);
    if (magnitude > (std::numeric_limits<unsigned long long>::max() - d) / b) overflow = true;
    magnitude = magnitude * b + d;
    after_digit = true;
    any_digit = true;
  }
  if (!any_digit || !after_digit) return IntStatus::invalid;
  const auto limit = static_cast<unsigned long long>(std::numeric_limits<long long>::max());
  if (overflow || magnitude > limit + (negative ? 1 : 0)) return IntStatus::out_of_range;
  value = negative ? (magnitude == limit + 1 ? std::numeric_limits<long long>::min()
                                             : -static_cast<long long>(magnitude))
                   : static_cast<long long>(magnitude);
  return IntStatus::ok;
}

IntStatus parse_int(std::string_view text, long long& value) {
  // optparse's _parse_num: the prefix decides the base; "0b" is removed
  // before int() sees the rest, the others are left to it.
  const auto starts = [&](std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
             return a == std::tolower(static_cast<unsigned char>(b));
           });
  };
  if (starts("0x")) return python_int(text, 16, value);
  if (starts("0b")) {
    text.remove_prefix(2);
    return python_int(text.empty() ? "0" : text, 2, value);
  }
  if (starts("0")) return python_int(text, 8, value);
  return python_int(text, 10, value);
}

}  // namespace rapid::app::optparse
