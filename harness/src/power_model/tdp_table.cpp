#include "power_model/tdp_table.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "power_model/csv_records.h"

namespace carbonbench::power_model {
namespace {

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
// --- Name normalisation ------------------------------------------------------

// Removes every case-insensitive occurrence of `needle` from `text`.
void EraseAll(std::string& text, const std::string& needle) {
  const std::string lower_needle = Lower(needle);
  for (std::size_t at; (at = Lower(text).find(lower_needle)) != std::string::npos;) {
    text.erase(at, needle.size());
  }
}

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// True for the words of the "@ 3.20GHz" / "@3.2GHz" clock suffix.
bool IsClockWord(const std::string& lower_word, const std::string& previous) {
  const bool frequency = EndsWith(lower_word, "ghz") || EndsWith(lower_word, "mhz");
  return lower_word[0] == '@' || (previous == "@" && frequency);
}

// Drops the decoration words; `words` has had "(R)"/"(TM)" removed already.
std::vector<std::string> DropDecorationWords(const std::vector<std::string>& words) {
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string lower = Lower(words[i]);
    const std::string next = i + 1 < words.size() ? Lower(words[i + 1]) : "";
    if (lower == "cpu" || lower == "processor") continue;
    if (EndsWith(lower, "-core") && next == "processor") continue;  // "8-Core Processor"
    if (IsClockWord(lower, i > 0 ? words[i - 1] : "")) continue;
    // "with Radeon Graphics", "w/ Radeon 780M Graphics": the iGPU, not the CPU.
    if ((lower == "with" || lower == "w/") && next == "radeon") {
      while (i + 1 < words.size() && Lower(words[i]) != "graphics") ++i;
      continue;
    }
    kept.push_back(words[i]);
  }
  return kept;
}

// The lower-case normalised name the matching compares.
std::string MatchKey(const std::string& name) { return Lower(NormaliseCpuName(name)); }

// True when `needle` occurs in `haystack` with no letter or digit touching
// either end, so "i7-8700" does not match inside "i7-8700K".
bool ContainsWholeWords(const std::string& haystack, const std::string& needle) {
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    const std::size_t end = at + needle.size();
    const bool starts_clean = at == 0 || !IsWordChar(haystack[at - 1]);
    const bool ends_clean = end == haystack.size() || !IsWordChar(haystack[end]);
    if (starts_clean && ends_clean) return true;
  }
  return false;
}

TdpMatch Matched(const CpuPowerEntry& entry) { return {true, entry.tdp_w, entry.name}; }
}  // namespace

double DefaultTdpW(int logical_cpus) { return kDefaultWattsPerThread * std::max(1, logical_cpus); }

std::vector<CpuPowerEntry> ParseCpuPowerCsv(const std::string& text, const std::string& origin) {
  std::vector<CpuPowerEntry> table;
  const std::vector<CsvRecord> records = SplitCsv(text);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const CsvRecord& record = records[i];
    if (i == 0 && Lower(record.fields[0]) == "name") continue;  // header
    if (record.fields.size() == 1 && Trim(record.fields[0]).empty()) continue;
    const std::string where = origin + " line " + std::to_string(record.line);
    if (record.fields.size() != 2) {
      throw std::runtime_error(
          fmt::format("{}: expected 2 fields (Name,TDP), got {}", where, record.fields.size()));
    }
    const std::string tdp_text = Trim(record.fields[1]);
    char* end = nullptr;
    const double tdp = std::strtod(tdp_text.c_str(), &end);
    // Upstream has a few unusable rows: ranges mangled into "27.29.5" (old
    // Celerons) and a 0 W microcontroller, which would make every estimate
    // 0. Skipping them leaves those CPUs unknown, so they get the default.
    const bool usable = !tdp_text.empty() && *end == '\0' && std::isfinite(tdp) && tdp > 0;
    if (usable) table.push_back({Trim(record.fields[0]), tdp});
  }
  return table;
}

std::vector<CpuPowerEntry> ReadCpuPowerCsv(const std::string& path) {
  return ParseCpuPowerCsv(
      ReadWholeFile(path, "CodeCarbon's CPU TDP table; it ships in harness/data/codecarbon"), path);
}

std::string NormaliseCpuName(const std::string& name) {
  std::string text = name;
  for (const char* mark : {"(R)", "(TM)", "(OEM Only)"}) EraseAll(text, mark);
  std::string out;
  for (const std::string& word : DropDecorationWords(SplitWords(text))) {
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}

TdpMatch LookUpTdp(const std::string& model_name, const std::vector<CpuPowerEntry>& table) {
  const std::string wanted = Trim(model_name);
  if (wanted.empty()) return {};
  for (const CpuPowerEntry& entry : table) {
    if (entry.name == wanted) return Matched(entry);
  }
  const std::string key = MatchKey(wanted);
  const CpuPowerEntry* longest = nullptr;
  std::size_t longest_size = 0;
  for (const CpuPowerEntry& entry : table) {
    const std::string entry_key = MatchKey(entry.name);
    if (entry_key == key) return Matched(entry);
    // One-word rows ("6140", "1075T") are bare model numbers that would
    // match unrelated CPUs' names, so only multi-word rows count here.
    if (entry_key.find(' ') == std::string::npos) continue;
    if (entry_key.size() > longest_size && ContainsWholeWords(key, entry_key)) {
      longest = &entry;
      longest_size = entry_key.size();
    }
  }
  return longest ? Matched(*longest) : TdpMatch{};
}

}  // namespace carbonbench::power_model
