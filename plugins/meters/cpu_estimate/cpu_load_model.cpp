#include "cpu_load_model.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace carbonbench::cpu_estimate {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

std::string ReadWholeFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {} ({})", path, what));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// --- CSV -------------------------------------------------------------------

// Splits CSV text into records of fields: double quotes protect commas and
// newlines, "" inside quotes is a literal quote. Records keep the line they
// start on for error messages.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

std::vector<CsvRecord> SplitCsv(const std::string& text) {
  std::vector<CsvRecord> records;
  CsvRecord record{1, {""}};
  int line = 1;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        record.fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        record.fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.fields.emplace_back();
    } else if (c == '\n') {
      records.push_back(std::move(record));
      record = CsvRecord{line, {""}};
    } else if (c != '\r') {
      record.fields.back() += c;
    }
  }
  if (record.fields.size() > 1 || !record.fields[0].empty()) records.push_back(record);
  return records;
}

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

// The first whitespace-separated line starting with `key` in /proc/stat.
std::vector<std::string> FindStatLine(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> words = SplitWords(line);
    if (!words.empty() && words[0] == key) return words;
  }
  return {};
}

double Seconds(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// after - before, or 0 when a counter went backwards (reset, or a container
// runtime that virtualises /proc/stat).
std::uint64_t Increase(std::uint64_t before, std::uint64_t after) {
  return after >= before ? after - before : 0;
}

}  // namespace

double CpuPowerW(double tdp_w, double load) {
  const double clamped = std::isnan(load) ? 0.0 : std::clamp(load, 0.0, 1.0);
  return tdp_w * (0.1 + 0.9 * clamped * clamped * clamped);
}

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

CpuJiffies ParseProcStat(const std::string& text) {
  const std::vector<std::string> words = FindStatLine(text, "cpu");
  // user nice system idle [iowait irq softirq steal [guest guest_nice]]
  if (words.size() < 5) {
    throw std::runtime_error(
        "/proc/stat has no aggregate 'cpu' line with user, nice, system and idle times");
  }
  std::vector<std::uint64_t> fields;
  for (std::size_t i = 1; i < words.size() && i <= 8; ++i) {
    char* end = nullptr;
    fields.push_back(std::strtoull(words[i].c_str(), &end, 10));
    if (*end != '\0') {
      throw std::runtime_error(
          fmt::format("/proc/stat 'cpu' line: field {} '{}' is not a jiffy count", i, words[i]));
    }
  }
  // guest and guest_nice (fields 9, 10) are already counted in user and nice.
  CpuJiffies jiffies;
  for (std::uint64_t field : fields) jiffies.total += field;
  const std::uint64_t idle = fields[3] + (fields.size() > 4 ? fields[4] : 0);
  jiffies.busy = jiffies.total - idle;
  return jiffies;
}

CpuJiffies ReadProcStat(const std::string& proc_root) {
  return ParseProcStat(ReadWholeFile(proc_root + "/stat", "the kernel's CPU time counters"));
}

std::string ReadCpuModelName(const std::string& proc_root) {
  std::ifstream in(proc_root + "/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon != std::string::npos && Trim(line.substr(0, colon)) == "model name") {
      return Trim(line.substr(colon + 1));
    }
  }
  return "";
}

CpuSnapshot TakeCpuSnapshot(const std::string& proc_root) {
  CpuSnapshot snapshot;
  snapshot.wall_s = Seconds(CLOCK_MONOTONIC);
  snapshot.process_cpu_s = Seconds(CLOCK_PROCESS_CPUTIME_ID);
  snapshot.machine = ReadProcStat(proc_root);
  return snapshot;
}

IntervalEstimate EstimateInterval(const CpuSnapshot& before, const CpuSnapshot& after, double tdp_w,
                                  double ticks_per_s) {
  const std::uint64_t busy = Increase(before.machine.busy, after.machine.busy);
  const std::uint64_t total = Increase(before.machine.total, after.machine.total);
  IntervalEstimate estimate;
  estimate.machine_load =
      total > 0 ? std::clamp(static_cast<double>(busy) / static_cast<double>(total), 0.0, 1.0)
                : 0.0;
  // Both sides of the share count CPU-seconds summed over all cores.
  const double busy_s = ticks_per_s > 0 ? static_cast<double>(busy) / ticks_per_s : 0.0;
  const double process_s = std::max(0.0, after.process_cpu_s - before.process_cpu_s);
  estimate.process_share = busy_s > 0 ? std::clamp(process_s / busy_s, 0.0, 1.0) : 0.0;
  estimate.power_w = CpuPowerW(tdp_w, estimate.machine_load) * estimate.process_share;
  estimate.joules = estimate.power_w * std::max(0.0, after.wall_s - before.wall_s);
  return estimate;
}

}  // namespace carbonbench::cpu_estimate
