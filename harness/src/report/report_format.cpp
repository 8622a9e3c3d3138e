#include "report/report_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

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
  return std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
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

std::string EscapeCell(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
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

MarkdownTable::MarkdownTable(std::vector<Column> columns)
    : columns_(std::move(columns)) {}

void MarkdownTable::AddRow(const std::vector<std::string>& cells) {
  if (cells.size() != columns_.size()) {
    throw std::logic_error(fmt::format("table row has {} cells, expected {}",
                                       cells.size(), columns_.size()));
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
    header +=
        " " + Pad(columns_[i].header, widths[i], columns_[i].align) + " |";
    rule += columns_[i].align == Align::kRight
                ? " " + std::string(widths[i] - 1, '-') + ": |"
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
