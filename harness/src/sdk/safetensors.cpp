#include "carbonbench/safetensors.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

// The format stores lengths and tensor bytes little-endian; tensors are read
// straight into memory, so a big-endian host would need byte swapping.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors.cpp assumes a little-endian host"
#endif

namespace carbonbench {
namespace detail {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kMetadataKey[] = "__metadata__";
// The reference implementation refuses headers above 100 MB; a larger one is
// a corrupt length, not a real header.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
};

constexpr std::array<DtypeInfo, 10> kDtypes = {{
    {"F64", torch::kDouble},
    {"F32", torch::kFloat},
    {"F16", torch::kHalf},
    {"BF16", torch::kBFloat16},
    {"I64", torch::kLong},
    {"I32", torch::kInt},
    {"I16", torch::kShort},
    {"I8", torch::kChar},
    {"U8", torch::kByte},
    {"BOOL", torch::kBool},
}};

std::string SupportedDtypeList() {
  std::string list;
  for (const auto& dtype : kDtypes) {
    if (!list.empty()) list += ", ";
    list += dtype.name;
  }
  return list;
}

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

SafetensorsEntry ParseEntry(const std::string& path, const std::string& name, const Json& value,
                            std::uint64_t data_bytes) {
  if (!value.is_object()) FailTensor(path, name, "its header entry is not a JSON object");
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    if (!value.contains(field)) FailTensor(path, name, fmt::format("missing field '{}'", field));
  }
  SafetensorsEntry entry;
  entry.name = name;

  const Json& dtype = value.at("dtype");
  if (!dtype.is_string()) FailTensor(path, name, "'dtype' is not a string");
  entry.dtype = dtype.get<std::string>();
  try {
    entry.scalar_type = SafetensorsScalarType(entry.dtype);
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
  overflow = overflow ||
             __builtin_mul_overflow(elements, c10::elementSize(entry.scalar_type), &expected_bytes);
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
void CheckLayout(const std::string& path, const std::vector<SafetensorsEntry>& entries,
                 std::uint64_t data_bytes) {
  std::vector<const SafetensorsEntry*> sorted;
  for (const auto& entry : entries) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return a->begin_byte != b->begin_byte ? a->begin_byte < b->begin_byte
                                          : a->end_byte < b->end_byte;
  });
  std::uint64_t covered = 0;
  const SafetensorsEntry* previous = nullptr;
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

std::string SafetensorsDtypeName(torch::ScalarType type) {
  for (const auto& dtype : detail::kDtypes) {
    if (dtype.type == type) return dtype.name;
  }
  throw SafetensorsError(fmt::format("dtype {} cannot be stored in safetensors (supported: {})",
                                     std::string(c10::toString(type)),
                                     detail::SupportedDtypeList()));
}

torch::ScalarType SafetensorsScalarType(const std::string& dtype) {
  for (const auto& known : detail::kDtypes) {
    if (dtype == known.name) return known.type;
  }
  throw SafetensorsError(
      fmt::format("unknown dtype '{}' (supported: {})", dtype, detail::SupportedDtypeList()));
}

SafetensorsFile SafetensorsFile::Open(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) detail::Fail(path, "cannot open the file for reading");
  const auto file_bytes = static_cast<std::uint64_t>(in.tellg());
  if (file_bytes < 8) {
    detail::Fail(path, fmt::format("the file has {} bytes, too few for the 8-byte header length: "
                                   "it is truncated or not a safetensors file",
                                   file_bytes));
  }
  in.seekg(0);
  unsigned char length_bytes[8];
  in.read(reinterpret_cast<char*>(length_bytes), 8);
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

  detail::Json json;
  try {
    json = detail::Json::parse(header);
  } catch (const detail::Json::parse_error& error) {
    detail::Fail(path, fmt::format("the header is not valid JSON: {}", error.what()));
  }
  if (!json.is_object()) detail::Fail(path, "the header is JSON but not an object");

  SafetensorsFile file;
  file.path_ = path;
  file.data_start_byte_ = 8 + header_bytes;
  const std::uint64_t data_bytes = file_bytes - file.data_start_byte_;
  for (const auto& [key, value] : json.items()) {
    if (key == detail::kMetadataKey) {
      if (!value.is_object()) detail::Fail(path, "'__metadata__' is not a JSON object");
      for (const auto& [meta_key, meta_value] : value.items()) {
        if (!meta_value.is_string()) {
          detail::Fail(path, fmt::format("'__metadata__' entry '{}' is {}, not a string", meta_key,
                                         meta_value.dump()));
        }
        file.metadata_[meta_key] = meta_value.get<std::string>();
      }
      continue;
    }
    if (file.index_.count(key)) detail::FailTensor(path, key, "listed twice in the header");
    file.index_[key] = file.entries_.size();
    file.entries_.push_back(detail::ParseEntry(path, key, value, data_bytes));
  }
  detail::CheckLayout(path, file.entries_, data_bytes);
  return file;
}

const SafetensorsEntry* SafetensorsFile::Find(const std::string& name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

torch::Tensor SafetensorsFile::Load(const std::string& name) const {
  const SafetensorsEntry* entry = Find(name);
  if (!entry) {
    detail::Fail(path_, fmt::format("no tensor named '{}' (the file has {} tensors)", name,
                                    entries_.size()));
  }
  torch::Tensor tensor =
      torch::empty(entry->shape, torch::TensorOptions().dtype(entry->scalar_type));
  const std::uint64_t bytes = entry->end_byte - entry->begin_byte;
  if (bytes == 0) return tensor;
  std::ifstream in(path_, std::ios::binary);
  if (!in) detail::Fail(path_, "cannot open the file for reading");
  in.seekg(static_cast<std::streamoff>(data_start_byte_ + entry->begin_byte));
  in.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(bytes));
  if (!in || static_cast<std::uint64_t>(in.gcount()) != bytes) {
    detail::FailTensor(path_, name,
                       "reading its " + std::to_string(bytes) +
                           " bytes failed: the file changed or was truncated after it was opened");
  }
  return tensor;
}

void WriteSafetensors(const std::string& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  detail::Json header = detail::Json::object();
  if (!metadata.empty()) {
    detail::Json meta = detail::Json::object();
    for (const auto& [key, value] : metadata) meta[key] = value;
    header[detail::kMetadataKey] = meta;
  }
  std::vector<torch::Tensor> contiguous;
  std::set<std::string> names;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == detail::kMetadataKey) detail::FailTensor(path, name, "the name is reserved");
    if (!names.insert(name).second) detail::FailTensor(path, name, "given twice");
    if (!tensor.defined()) detail::FailTensor(path, name, "the tensor is undefined");
    std::string dtype;
    try {
      dtype = SafetensorsDtypeName(tensor.scalar_type());
    } catch (const SafetensorsError& error) {
      detail::FailTensor(path, name, error.what());
    }
    torch::Tensor data = tensor.detach().to(torch::kCPU).contiguous();
    const auto bytes = static_cast<std::uint64_t>(data.nbytes());
    header[name] = {{"dtype", dtype},
                    {"shape", data.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    contiguous.push_back(std::move(data));
  }
  std::string text = header.dump();
  // Readers that map the file like the data buffer 8-byte aligned; spaces are
  // valid JSON padding.
  text.append((8 - text.size() % 8) % 8, ' ');

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) detail::Fail(path, "cannot open the file for writing");
  std::uint64_t length = text.size();
  char length_bytes[8];
  for (char& byte : length_bytes) {
    byte = static_cast<char>(length & 0xff);
    length >>= 8;
  }
  out.write(length_bytes, 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const auto& data : contiguous) {
    out.write(static_cast<const char*>(data.data_ptr()),
              static_cast<std::streamsize>(data.nbytes()));
  }
  out.close();
  if (!out) detail::Fail(path, "writing the file failed (disk full or no permission?)");
}

}  // namespace carbonbench
