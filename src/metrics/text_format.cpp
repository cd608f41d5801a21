#include "metrics/text_format.h"

#include <charconv>
#include <cmath>

namespace rapid::metrics {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

void TextWriter::family(std::string_view name, std::string_view help, std::string_view type) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += escape_help(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void TextWriter::start_sample(std::string_view name, std::span<const Label> labels,
                              const Label* extra) {
  out_ += name;
  if (labels.empty() && !extra) {
    out_ += ' ';
    return;
  }
  char separator = '{';
  const auto add = [&](const Label& label) {
    out_ += separator;
    out_ += label.name;
    out_ += "=\"";
    out_ += escape_label_value(label.value);
    out_ += '"';
    separator = ',';
  };
  for (const Label& label : labels) add(label);
  if (extra) add(*extra);
  out_ += "} ";
}

void TextWriter::sample(std::string_view name, std::span<const Label> labels, double value,
                        const Label* extra) {
  start_sample(name, labels, extra);
  out_ += format_value(value);
  out_ += '\n';
}

void TextWriter::sample(std::string_view name, std::span<const Label> labels, std::uint64_t value,
                        const Label* extra) {
  start_sample(name, labels, extra);
  out_ += std::to_string(value);
  out_ += '\n';
}

}  // namespace rapid::metrics
