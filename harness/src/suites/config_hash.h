// The identity of a cell's configuration: canonical JSON and its digest. The
// store keys finished runs by this hash, so it must never depend on the order
// things were written in the YAML, on the machine, or on the run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "carbonbench/params.h"
#include "suites/suite.h"

namespace carbonbench::detail {

// {"carbon":{"pue":..,"region":..},"meters":[..],"optimizations":[..],
//  "settings":{..}} with sorted keys and no whitespace. Training knobs added
// later (nesterov, lr_schedule, ...) and the plugin parameters in
// `added_later` (full key -> the value at which it changes nothing) appear
// only away from their defaults. `code_files` (setting key -> digest of the
// file of code it names) goes under "code_files" when not empty: a file
// changed in place is another cell.
std::string CanonicalConfigJson(const std::map<std::string, ParamValue>& settings,
                                const std::vector<std::string>& optimizations,
                                const CarbonSettings& carbon,
                                const std::vector<std::string>& meters,
                                const std::map<std::string, ParamValue>& added_later = {},
                                const std::map<std::string, std::string>& code_files = {});

// FNV-1a 64-bit of `bytes`, going on from `hash` (the offset basis to start),
// so a long input can be hashed block by block.
inline constexpr std::uint64_t kFnv1a64Basis = 0xcbf29ce484222325ULL;
std::uint64_t Fnv1a64(std::string_view bytes, std::uint64_t hash = kFnv1a64Basis);
// 16 lowercase hex digits.
std::string Hex64(std::uint64_t value);
// FNV-1a 64-bit as 16 lowercase hex digits.
std::string Fnv1a64Hex(const std::string& text);

}  // namespace carbonbench::detail
