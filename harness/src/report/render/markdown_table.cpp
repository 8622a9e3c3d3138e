#include "report/render/markdown_table.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace carbonbench::report {
namespace {

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
