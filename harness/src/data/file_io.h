// Byte- and text-level helpers shared by the dataset readers in this folder:
// whole-file reads, UTF-8 repair and an RFC 4180 CSV parser.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carbonbench {
namespace detail {

// The whole file as bytes, at most `max_bytes` of them (input_limits.h).
// Throws std::runtime_error "cannot open <what> <path>: <reason>", or naming
// the file when it is not a regular file (a FIFO, a device) or is too large.
std::string ReadWholeFile(const std::string& path, const std::string& what, std::int64_t max_bytes);

// Returns `bytes` unchanged where they are valid UTF-8; each byte that is not
// part of a valid sequence is taken as Latin-1 and re-encoded (0xE9 -> "é"),
// which is what a legacy 8-bit text file almost always meant.
std::string ToValidUtf8(const std::string& bytes);

// Strips ASCII whitespace (space, \t, \r, \n, \v, \f) from both ends.
std::string TrimAscii(const std::string& text);

// ASCII-lowercased copy (column names are matched case-insensitively).
std::string LowerAscii(const std::string& text);

struct CsvRecord {
  std::vector<std::string> fields;
  std::int64_t line = 0;  // 1-based line on which the record starts
};

// Parses RFC 4180 CSV: comma separated, "quoted" fields may hold commas,
// newlines and doubled quotes (""); records end at LF or CRLF; a UTF-8 BOM
// is dropped; blank lines are skipped. Throws std::runtime_error naming
// `path`:line for an unterminated quote or text after a closing quote; the
// line is where the quoted field opens, as a stray quote is the usual cause.
std::vector<CsvRecord> ParseCsv(const std::string& text, const std::string& path);

// Index of `name` in `header` (case-insensitive, trimmed), or -1.
int FindColumn(const std::vector<std::string>& header, const std::string& name);

}  // namespace detail
}  // namespace carbonbench
