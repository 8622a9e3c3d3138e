// Opening input files safely: a reader given a FIFO would wait forever for a
// writer, and one given /dev/zero (or a symlink to it) would read until memory
// runs out. Every reader of user-supplied data opens through here, so each
// refuses anything but a regular file, by name, and reads at most a stated
// number of bytes. Part of the SDK so that plugins reading files of their own
// do the same.
#pragma once

#include <cstdint>
#include <string>

namespace carbonbench {

// An open, read-only descriptor of a regular file; closed on destruction.
class RegularFile {
 public:
  RegularFile(int fd, std::int64_t size_bytes) : fd_(fd), size_bytes_(size_bytes) {}
  ~RegularFile();
  RegularFile(RegularFile&& other) noexcept;
  RegularFile& operator=(RegularFile&&) = delete;
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;

  int fd() const { return fd_; }
  std::int64_t size_bytes() const { return size_bytes_; }  // when opened
  // Hands the descriptor to the caller (e.g. zlib's gzdopen), who closes it.
  int Release();

 private:
  int fd_;
  std::int64_t size_bytes_;
};

// Opens `path` without blocking (a FIFO with no writer returns at once) and
// checks, on the opened descriptor, that it is a regular file; symlinks are
// followed, so a link to a device is refused as the device. Throws
// std::runtime_error "cannot open <what> <path>: <reason>" or "<what> <path>
// is a FIFO, not a regular file; ...".
RegularFile OpenRegularFile(const std::string& path, const std::string& what);

// The whole file, refused (naming the size and the limit) when it holds more
// than `max_bytes`. Errors as OpenRegularFile's.
std::string ReadRegularFile(const std::string& path, const std::string& what,
                            std::int64_t max_bytes);

// Empty when `path` is a folder that can be listed; else what is wrong, as a
// phrase completing "dataset folder X ...": "does not exist", "is a character
// device, not a folder", "cannot be read: Permission denied".
std::string FolderProblem(const std::string& path);

// What a file of `mode` (st_mode) is, with an article: "a FIFO", "a folder",
// "a character device", "a regular file"...
std::string FileKindName(unsigned mode);

// "512 bytes", "64 MiB": the largest binary unit that divides `bytes` exactly.
std::string ByteCountText(std::int64_t bytes);

}  // namespace carbonbench
