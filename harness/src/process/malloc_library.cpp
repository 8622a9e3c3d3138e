#include "process/malloc_library.h"

#include <dlfcn.h>
#include <malloc.h>

#include <filesystem>
#include <vector>

namespace carbonbench {
namespace {

constexpr const char* kTcmallocFile = "libtcmalloc_minimal.so.4";

std::string FileName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

// LD_PRELOAD separates its entries with colons or spaces (ld.so(8)).
std::vector<std::string> PreloadEntries(const std::string& list) {
  std::vector<std::string> entries;
  std::string entry;
  for (const char c : list + ":") {
    if (c == ':' || c == ' ') {
      if (!entry.empty()) entries.push_back(entry);
      entry.clear();
    } else {
      entry += c;
    }
  }
  return entries;
}

std::string JoinPreload(const std::vector<std::string>& entries) {
  std::string list;
  for (const auto& entry : entries) list += (list.empty() ? "" : ":") + entry;
  return list;
}

// The path of the shared object whose `symbol` this process calls; empty
// when it cannot be told.
std::filesystem::path LibraryOf(const char* symbol) {
  Dl_info info;
  void* address = dlsym(RTLD_DEFAULT, symbol);
  if (address == nullptr || dladdr(address, &info) == 0 || info.dli_fname == nullptr) return {};
  return info.dli_fname;
}

}  // namespace

std::string MallocProvider() { return LibraryOf("malloc").filename().string(); }

bool IsGlibcMalloc(const std::string& provider) { return provider.rfind("libc.so", 0) == 0; }

void ReleaseFreeMemory() {
  using Release = void (*)();
  if (auto release =
          reinterpret_cast<Release>(dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"))) {
    release();
  } else if (IsGlibcMalloc(MallocProvider())) {
    malloc_trim(0);
  }
}

bool IsMallocReplacement(const std::string& library) {
  const std::string file = FileName(library);
  for (const char* prefix : {"libtcmalloc", "libjemalloc", "libmimalloc"}) {
    if (file.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string FindTcmalloc() {
  // gnu_get_libc_version lives in libc itself, whoever provides malloc.
  const std::string libc_folder = LibraryOf("gnu_get_libc_version").parent_path().string();
  if (libc_folder.empty()) return "";
  for (const std::string& folder : {libc_folder, "/usr" + libc_folder}) {
    const auto candidate = std::filesystem::path(folder) / kTcmallocFile;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
  }
  return "";
}

std::optional<std::string> CellPreload(const std::string& allocator, const std::string& inherited,
                                       const std::string& tcmalloc_path) {
  std::vector<std::string> kept;
  bool had_replacement = false;
  for (const auto& entry : PreloadEntries(inherited)) {
    if (IsMallocReplacement(entry)) {
      had_replacement = true;
    } else {
      kept.push_back(entry);
    }
  }
  if (allocator == "auto" && had_replacement) return std::nullopt;
  if (allocator == "glibc") {
    if (!had_replacement) return std::nullopt;
    return JoinPreload(kept);
  }
  // auto without a replacement, or tcmalloc: tcmalloc first when found.
  if (tcmalloc_path.empty()) {
    if (allocator == "auto") return std::nullopt;
    // tcmalloc asked for and not installed: run without any replacement, so
    // the cell's own check names what is missing.
    return had_replacement ? std::optional<std::string>(JoinPreload(kept)) : std::nullopt;
  }
  kept.insert(kept.begin(), tcmalloc_path);
  return JoinPreload(kept);
}

std::string AllocatorMismatch(const std::string& allocator, const std::string& provider) {
  const bool tcmalloc = provider.rfind("libtcmalloc", 0) == 0;
  const bool glibc = IsGlibcMalloc(provider);
  const std::string actual = provider.empty() ? "an unknown library" : provider;
  if (allocator == "tcmalloc" && !tcmalloc) {
    return "allocator: tcmalloc was asked for, but this cell's process runs " + actual +
           "'s malloc: " + kTcmallocFile +
           " was not found next to libc (install Debian's libtcmalloc-minimal4, or set "
           "allocator: auto or glibc)";
  }
  if (allocator == "glibc" && !glibc) {
    return "allocator: glibc was asked for, but this cell's process runs " + actual +
           "'s malloc (something other than LD_PRELOAD put it there: check how carbonbench "
           "was started)";
  }
  return "";
}

}  // namespace carbonbench
