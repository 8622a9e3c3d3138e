#include "carbonbench/safetensors.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <ext/stdio_filebuf.h>
#include <fstream>
#include <istream>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "carbonbench/regular_file.h"

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

namespace {

// Opened through OpenRegularFile: a FIFO in a model folder would otherwise
// block until a writer came, and /dev/zero would pass for a huge file.
RegularFile OpenSafetensors(const std::string& path) {
  try {
    return OpenRegularFile(path, "safetensors file");
  } catch (const std::runtime_error& error) {
    throw SafetensorsError(error.what());
  }
}

// `bytes` bytes at `offset`, or false when the file ends first or a read fails.
bool ReadAt(int fd, char* into, std::uint64_t bytes, std::uint64_t offset) {
  while (bytes > 0) {
    const ssize_t got = ::pread(fd, into, bytes, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    into += got;
    bytes -= static_cast<std::uint64_t>(got);
    offset += static_cast<std::uint64_t>(got);
  }
  return true;
}

}  // namespace

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
  RegularFile opened = OpenSafetensors(path);
  const auto file_bytes = static_cast<std::uint64_t>(opened.size_bytes());
  // The stream owns the descriptor from here and closes it.
  __gnu_cxx::stdio_filebuf<char> buffer(opened.Release(), std::ios::in | std::ios::binary);
  std::istream in(&buffer);
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
  const RegularFile file = OpenSafetensors(path_);
  if (!ReadAt(file.fd(), static_cast<char*>(tensor.data_ptr()), bytes,
              data_start_byte_ + entry->begin_byte)) {
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
