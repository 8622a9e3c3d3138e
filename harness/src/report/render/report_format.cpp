#include "report/render/report_format.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace carbonbench::report {
namespace {

// A value that rounds to zero prints without a sign either way.
std::string DropSignOfZero(std::string text) {
  if (text.empty() || (text[0] != '-' && text[0] != '+')) return text;
  const bool all_zero = text.find_first_not_of("0.", 1) == std::string::npos;
  return all_zero ? text.substr(1) : text;
}

// Display width in code points: "—", "±" and "Δ" are several bytes each.
std::size_t DisplayWidth(const std::string& text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

std::string Pad(const std::string& text, std::size_t width, Align align) {
  const std::size_t used = DisplayWidth(text);
  const std::string padding(width > used ? width - used : 0, ' ');
  return align == Align::kRight ? padding + text : text + padding;
}

}  // namespace

std::string Fixed(double value, int digits) {
  return DropSignOfZero(fmt::format("{:.{}f}", value, digits));
}

std::string Significant(double value, int digits) {
  if (value == 0 || !std::isfinite(value)) return Fixed(value, 0);
  const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(value))));
  const int decimals = std::max(0, digits - 1 - magnitude);
  // Rounding may carry into a new digit (9.995 -> 10.0): drop the extra one.
  std::string text = Fixed(value, decimals);
  const double rounded = std::stod(text);
  if (decimals > 0 && rounded != 0 &&
      static_cast<int>(std::floor(std::log10(std::abs(rounded)))) > magnitude) {
    text = Fixed(value, decimals - 1);
  }
  return text;
}

std::string Compact(double value) { return fmt::format("{:g}", value); }

std::string Signed(double value, int digits) {
  return DropSignOfZero(fmt::format("{:+.{}f}", value, digits));
}

Stat Summarize(const std::vector<double>& values) {
  Stat stat;
  stat.count = static_cast<int>(values.size());
  if (values.empty()) return stat;
  double sum = 0;
  for (const double value : values) sum += value;
  stat.mean = sum / stat.count;
  if (stat.count > 1) {
    double squares = 0;
    for (const double value : values) {
      squares += (value - stat.mean) * (value - stat.mean);
    }
    stat.stddev = std::sqrt(squares / (stat.count - 1));
  }
  return stat;
}

std::string FormatStat(const Stat& stat, int digits) {
  if (stat.count == 0) return kNone;
  std::string text = Fixed(stat.mean, digits);
  if (stat.count > 1) text += " ± " + Fixed(stat.stddev, digits);
  return text;
}

std::string FormatStatSignificant(const Stat& stat, int digits) {
  if (stat.count == 0) return kNone;
  std::string text = Significant(stat.mean, digits);
  if (stat.count > 1) text += " ± " + Significant(stat.stddev, digits);
  return text;
}

std::string FormatCount(const Stat& stat) {
  if (stat.count == 0) return kNone;
  const int digits = stat.mean == std::floor(stat.mean) ? 0 : 1;
  std::string text = Fixed(stat.mean, digits);
  if (stat.count > 1) text += " ± " + Fixed(stat.stddev, stat.stddev == 0 ? 0 : 1);
  return text;
}

std::string EscapeText(const std::string& text) {
  auto word = [&text](std::size_t i) {
    return i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) ||
                               (static_cast<unsigned char>(text[i]) & 0x80) != 0);
  };
  std::string escaped;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool inside_word = i > 0 && word(i - 1) && word(i + 1);
    if (std::string_view("\\*`[]<>").find(c) != std::string_view::npos ||
        (c == '_' && !inside_word)) {
      escaped += '\\';
    }
    escaped += c;
  }
  return escaped;
}

std::string EscapeCell(const std::string& text) {
  std::string escaped;
  for (const char c : EscapeText(text)) {
    if (c == '|') {
      escaped += "\\|";
    } else if (c == '\n' || c == '\r') {
      escaped += ' ';
    } else {
      escaped += c;
    }
  }
  return escaped.empty() ? kNone : escaped;
}

MarkdownTable::MarkdownTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

void MarkdownTable::AddRow(const std::vector<std::string>& cells) {
  if (cells.size() != columns_.size()) {
    throw std::logic_error(
        fmt::format("table row has {} cells, expected {}", cells.size(), columns_.size()));
  }
  std::vector<std::string> row;
  for (const std::string& cell : cells) row.push_back(EscapeCell(cell));
  rows_.push_back(std::move(row));
}

std::vector<std::size_t> MarkdownTable::Widths() const {
  std::vector<std::size_t> widths;
  for (const Column& column : columns_) {
    // Three is the shortest delimiter Markdown accepts ("---", "--:").
    widths.push_back(std::max<std::size_t>(3, DisplayWidth(column.header)));
  }
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  return widths;
}

std::string MarkdownTable::Render() const {
  const std::vector<std::size_t> widths = Widths();
  std::string header = "|";
  std::string rule = "|";
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    header += " " + Pad(columns_[i].header, widths[i], columns_[i].align) + " |";
    rule += columns_[i].align == Align::kRight ? " " + std::string(widths[i] - 1, '-') + ": |"
                                               : " " + std::string(widths[i], '-') + " |";
  }
  std::string text = header + "\n" + rule + "\n";
  for (const auto& row : rows_) {
    text += "|";
    for (std::size_t i = 0; i < row.size(); ++i) {
      text += " " + Pad(row[i], widths[i], columns_[i].align) + " |";
    }
    text += "\n";
  }
  return text;
}

}  // namespace carbonbench::report
