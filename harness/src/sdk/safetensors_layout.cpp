#include "carbonbench/safetensors_layout.h"

#include <algorithm>
#include <array>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "carbonbench/json_nesting.h"

namespace carbonbench {
namespace detail {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kMetadataKey[] = "__metadata__";
// The reference implementation refuses headers above 100 MB; a larger one is
// a corrupt length, not a real header.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

struct DtypeSize {
  const char* name;
  std::size_t bytes;
};

constexpr std::array<DtypeSize, 10> kDtypeSizes = {{
    {"F64", 8},
    {"F32", 4},
    {"F16", 2},
    {"BF16", 2},
    {"I64", 8},
    {"I32", 4},
    {"I16", 2},
    {"I8", 1},
    {"U8", 1},
    {"BOOL", 1},
}};

std::string ShapeText(const std::vector<std::int64_t>& shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

[[noreturn]] void Fail(const std::string& path, const std::string& what) {
  throw SafetensorsError(fmt::format("{}: {}", path, what));
}

[[noreturn]] void FailTensor(const std::string& path, const std::string& name,
                             const std::string& what) {
  Fail(path, fmt::format("tensor '{}': {}", name, what));
}

SafetensorsTensorLayout ParseEntry(const std::string& path, const std::string& name,
                                   const Json& value, std::uint64_t data_bytes) {
  if (!value.is_object()) FailTensor(path, name, "its header entry is not a JSON object");
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    if (!value.contains(field)) FailTensor(path, name, fmt::format("missing field '{}'", field));
  }
  SafetensorsTensorLayout entry;
  entry.name = name;

  const Json& dtype = value.at("dtype");
  if (!dtype.is_string()) FailTensor(path, name, "'dtype' is not a string");
  entry.dtype = dtype.get<std::string>();
  std::size_t element_bytes = 0;
  try {
    element_bytes = SafetensorsDtypeBytes(entry.dtype);
  } catch (const SafetensorsError& error) {
    FailTensor(path, name, error.what());
  }

  const Json& shape = value.at("shape");
  if (!shape.is_array()) FailTensor(path, name, "'shape' is not an array");
  std::uint64_t elements = 1;
  bool overflow = false;
  for (const Json& dim : shape) {
    if (!dim.is_number_unsigned()) {
      FailTensor(path, name,
                 fmt::format("'shape' holds {}, not a non-negative integer", dim.dump()));
    }
    const auto size = dim.get<std::uint64_t>();
    if (size > static_cast<std::uint64_t>(INT64_MAX)) overflow = true;
    entry.shape.push_back(static_cast<std::int64_t>(size));
    overflow = overflow || __builtin_mul_overflow(elements, size, &elements);
  }

  const Json& offsets = value.at("data_offsets");
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    FailTensor(path, name,
               fmt::format("'data_offsets' must be [begin, end] with non-negative integers, not {}",
                           offsets.dump()));
  }
  entry.begin_byte = offsets[0].get<std::uint64_t>();
  entry.end_byte = offsets[1].get<std::uint64_t>();
  if (entry.end_byte < entry.begin_byte) {
    FailTensor(path, name, fmt::format("data_offsets {} end before they begin", offsets.dump()));
  }
  if (entry.end_byte > data_bytes) {
    FailTensor(path, name,
               fmt::format("data_offsets {} reach past the end of the data buffer ({} bytes): the "
                           "file is truncated or corrupt",
                           offsets.dump(), data_bytes));
  }

  std::uint64_t expected_bytes = 0;
  overflow = overflow || __builtin_mul_overflow(elements, element_bytes, &expected_bytes);
  if (overflow) FailTensor(path, name, fmt::format("shape {} is too large", shape.dump()));
  const std::uint64_t stored_bytes = entry.end_byte - entry.begin_byte;
  if (stored_bytes != expected_bytes) {
    FailTensor(path, name,
               fmt::format("holds {} bytes but shape {} of {} needs {}", stored_bytes,
                           ShapeText(entry.shape), entry.dtype, expected_bytes));
  }
  return entry;
}

// The format requires the tensors to tile the data buffer exactly: no
// overlaps (two names sharing bytes) and no holes (bytes nobody describes).
void CheckLayout(const std::string& path, const std::vector<SafetensorsTensorLayout>& entries,
                 std::uint64_t data_bytes) {
  std::vector<const SafetensorsTensorLayout*> sorted;
  for (const auto& entry : entries) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return a->begin_byte != b->begin_byte ? a->begin_byte < b->begin_byte
                                          : a->end_byte < b->end_byte;
  });
  std::uint64_t covered = 0;
  const SafetensorsTensorLayout* previous = nullptr;
  for (const auto* entry : sorted) {
    if (entry->begin_byte < covered) {
      FailTensor(
          path, entry->name,
          fmt::format("bytes [{}, {}) overlap tensor '{}' [{}, {})", entry->begin_byte,
                      entry->end_byte, previous->name, previous->begin_byte, previous->end_byte));
    }
    if (entry->begin_byte > covered) {
      Fail(path, fmt::format("bytes [{}, {}) of the data buffer belong to no tensor (a hole before "
                             "'{}')",
                             covered, entry->begin_byte, entry->name));
    }
    covered = entry->end_byte;
    previous = entry;
  }
  if (covered != data_bytes) {
    Fail(path, fmt::format("the data buffer has {} bytes but its tensors end at {}: trailing bytes "
                           "belong to no tensor",
                           data_bytes, covered));
  }
}

}  // namespace
}  // namespace detail

std::size_t SafetensorsDtypeBytes(const std::string& dtype) {
  std::string supported;
  for (const auto& known : detail::kDtypeSizes) {
    if (dtype == known.name) return known.bytes;
    supported += (supported.empty() ? "" : ", ") + std::string(known.name);
  }
  throw SafetensorsError(fmt::format("unknown dtype '{}' (supported: {})", dtype, supported));
}

SafetensorsLayout ReadSafetensorsLayout(const std::string& path, std::istream& in,
                                        std::uint64_t file_bytes) {
  if (file_bytes < 8) {
    detail::Fail(path, fmt::format("the file has {} bytes, too few for the 8-byte header length: "
                                   "it is truncated or not a safetensors file",
                                   file_bytes));
  }
  unsigned char length_bytes[8];
  in.read(reinterpret_cast<char*>(length_bytes), 8);
  if (!in) detail::Fail(path, "reading the 8-byte header length failed");
  std::uint64_t header_bytes = 0;
  for (int i = 7; i >= 0; --i) header_bytes = (header_bytes << 8) | length_bytes[i];
  if (header_bytes > file_bytes - 8) {
    detail::Fail(path, fmt::format("header length {} is larger than the rest of the file ({} "
                                   "bytes): it is truncated or not a safetensors file",
                                   header_bytes, file_bytes - 8));
  }
  if (header_bytes > detail::kMaxHeaderBytes) {
    detail::Fail(path, fmt::format("header length {} exceeds the 100 MB limit: not a safetensors "
                                   "file",
                                   header_bytes));
  }
  std::string header(header_bytes, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_bytes));
  if (!in) detail::Fail(path, fmt::format("reading the {}-byte header failed", header_bytes));

  if (const auto line = LineNestedDeeperThan(header, kJsonNestingLimit)) {
    detail::Fail(path, fmt::format("the header nests arrays or objects more than {} levels deep "
                                   "(line {} of the header): not a safetensors file",
                                   kJsonNestingLimit, *line));
  }
  detail::Json json;
  try {
    json = detail::Json::parse(header);
  } catch (const detail::Json::exception& error) {  // parse_error, or out_of_range for 1e999
    detail::Fail(path, fmt::format("the header is not valid JSON: {}", error.what()));
  }
  if (!json.is_object()) detail::Fail(path, "the header is JSON but not an object");

  SafetensorsLayout layout;
  layout.data_start_byte = 8 + header_bytes;
  const std::uint64_t data_bytes = file_bytes - layout.data_start_byte;
  std::map<std::string, std::size_t> seen;
  for (const auto& [key, value] : json.items()) {
    if (key == detail::kMetadataKey) {
      if (!value.is_object()) detail::Fail(path, "'__metadata__' is not a JSON object");
      for (const auto& [meta_key, meta_value] : value.items()) {
        if (!meta_value.is_string()) {
          detail::Fail(path, fmt::format("'__metadata__' entry '{}' is {}, not a string", meta_key,
                                         meta_value.dump()));
        }
        layout.metadata[meta_key] = meta_value.get<std::string>();
      }
      continue;
    }
    if (!seen.emplace(key, layout.entries.size()).second) {
      detail::FailTensor(path, key, "listed twice in the header");
    }
    layout.entries.push_back(detail::ParseEntry(path, key, value, data_bytes));
  }
  detail::CheckLayout(path, layout.entries, data_bytes);
  return layout;
}

}  // namespace carbonbench
