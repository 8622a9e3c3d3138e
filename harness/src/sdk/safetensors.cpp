#include "carbonbench/safetensors.h"

#include <array>
#include <fstream>
#include <set>
#include <utility>

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

[[noreturn]] void Fail(const std::string& path, const std::string& what) {
  throw SafetensorsError(fmt::format("{}: {}", path, what));
}

[[noreturn]] void FailTensor(const std::string& path, const std::string& name,
                             const std::string& what) {
  Fail(path, fmt::format("tensor '{}': {}", name, what));
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
  in.seekg(0);
  SafetensorsLayout layout = ReadSafetensorsLayout(path, in, file_bytes);

  SafetensorsFile file;
  file.path_ = path;
  file.data_start_byte_ = layout.data_start_byte;
  file.metadata_ = std::move(layout.metadata);
  for (auto& tensor : layout.entries) {
    SafetensorsEntry entry;
    entry.name = std::move(tensor.name);
    entry.dtype = std::move(tensor.dtype);
    entry.scalar_type = SafetensorsScalarType(entry.dtype);
    entry.shape = std::move(tensor.shape);
    entry.begin_byte = tensor.begin_byte;
    entry.end_byte = tensor.end_byte;
    file.index_[entry.name] = file.entries_.size();
    file.entries_.push_back(std::move(entry));
  }
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
