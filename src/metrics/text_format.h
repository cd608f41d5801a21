#pragma once
// Prometheus' text exposition format, version 0.0.4: HELP and TYPE lines,
// samples with escaped label values, Go's float notation (+Inf, NaN).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace rapid::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

struct Label {
  std::string_view name;
  std::string_view value;
};

// A label value with backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);
// A HELP text with backslash and line feed escaped.
std::string escape_help(std::string_view help);
// The shortest text that reads back as `value`; "+Inf", "-Inf", "NaN".
std::string format_value(double value);

class TextWriter {
 public:
  // "# HELP name help" and "# TYPE name type": once per family, before its samples.
  void family(std::string_view name, std::string_view help, std::string_view type);
  // name{label="value",...,extra="value"} value
  void sample(std::string_view name, std::span<const Label> labels, double value,
              const Label* extra = nullptr);
  void sample(std::string_view name, std::span<const Label> labels, std::uint64_t value,
              const Label* extra = nullptr);

  std::string& text() { return out_; }

 private:
  void start_sample(std::string_view name, std::span<const Label> labels, const Label* extra);

  std::string out_;
};

}  // namespace rapid::metrics
