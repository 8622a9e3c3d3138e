#include "data/file_io.h"

#include <stdexcept>

#include <fmt/format.h>

#include "carbonbench/utf8.h"
#include "util/regular_file.h"

namespace carbonbench {
namespace detail {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

[[noreturn]] void ThrowCsvError(const std::string& path, std::int64_t line,
                                const std::string& what) {
  throw std::runtime_error(fmt::format(
      "CSV file {}:{}: {}; expected RFC 4180 CSV (comma-separated fields, a field that holds "
      "commas, quotes or newlines enclosed in double quotes, a quote inside it doubled as \"\")",
      path, line, what));
}

}  // namespace

std::string ReadWholeFile(const std::string& path, const std::string& what,
                          std::int64_t max_bytes) {
  return ReadRegularFile(path, what, max_bytes);
}

std::string ToValidUtf8(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::size_t length = Utf8SequenceLength(bytes, pos);
    if (length > 0) {
      out.append(bytes, pos, length);
      pos += length;
    } else {
      const auto byte = static_cast<unsigned char>(bytes[pos++]);
      out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  return out;
}

std::string TrimAscii(const std::string& text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && IsAsciiSpace(text[begin])) ++begin;
  while (end > begin && IsAsciiSpace(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

std::string LowerAscii(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<CsvRecord> ParseCsv(const std::string& text, const std::string& path) {
  std::vector<CsvRecord> records;
  std::size_t pos = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;
  std::int64_t line = 1;
  const std::size_t size = text.size();
  while (pos < size) {
    // A blank line (LF or CRLF alone) holds no record.
    if (text[pos] == '\n' || (text[pos] == '\r' && pos + 1 < size && text[pos + 1] == '\n')) {
      pos += text[pos] == '\n' ? 1 : 2;
      ++line;
      continue;
    }
    CsvRecord record;
    record.line = line;
    bool record_done = false;
    while (!record_done) {
      std::string field;
      if (pos < size && text[pos] == '"') {
        const std::int64_t quote_line = line;
        ++pos;
        while (true) {
          if (pos >= size) {
            ThrowCsvError(path, quote_line,
                          "unterminated quoted field (the opening quote is never closed)");
          }
          const char c = text[pos++];
          if (c == '"') {
            if (pos < size && text[pos] == '"') {
              field.push_back('"');
              ++pos;
            } else {
              break;
            }
          } else {
            if (c == '\n') ++line;
            field.push_back(c);
          }
        }
        const bool at_end = pos >= size || text[pos] == ',' || text[pos] == '\n' ||
                            (text[pos] == '\r' && (pos + 1 >= size || text[pos + 1] == '\n'));
        if (!at_end) {
          const std::string closes = line == quote_line
                                         ? ""
                                         : " (the field opens on this line and closes on line " +
                                               std::to_string(line) + ")";
          ThrowCsvError(path, quote_line,
                        std::string("unexpected character '") + text[pos] +
                            "' after the closing quote of a quoted field" + closes);
        }
      } else {
        // Unquoted: a stray quote inside is kept as text, as most writers
        // and readers (Python's csv module included) do.
        while (pos < size && text[pos] != ',' && text[pos] != '\n' &&
               !(text[pos] == '\r' && (pos + 1 >= size || text[pos + 1] == '\n'))) {
          field.push_back(text[pos++]);
        }
      }
      record.fields.push_back(std::move(field));
      if (pos >= size) {
        record_done = true;
      } else if (text[pos] == ',') {
        ++pos;
      } else {  // LF, CRLF or a final CR
        pos += (text[pos] == '\r' && pos + 1 < size) ? 2 : 1;
        ++line;
        record_done = true;
      }
    }
    records.push_back(std::move(record));
  }
  return records;
}

int FindColumn(const std::vector<std::string>& header, const std::string& name) {
  const std::string wanted = LowerAscii(TrimAscii(name));
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (LowerAscii(TrimAscii(header[i])) == wanted) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace detail
}  // namespace carbonbench
