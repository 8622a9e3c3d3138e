// Whether a file of code (a plugin's shared object, a TorchScript module) may
// be loaded: loading runs its code with this process's rights, so whoever
// could replace the file, or rename any folder on the way to it, could run
// code as us. The rule is OpenSSH's StrictModes
// (safe_path() in its misc.c): the file and every folder up to / are owned
// by root or by this process's user, and none is writable by group or
// others. A sticky world-writable folder such as /tmp is refused as OpenSSH
// refuses it: anyone may create the names in it that are not yet taken.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <functional>
#include <optional>
#include <string>

namespace carbonbench {

// The two facts about a path the rule looks at, as lstat(2) gives them.
struct PathOwnership {
  uid_t owner_uid = 0;
  mode_t mode = 0;  // file type and permission bits
};

struct TrustSettings {
  uid_t trusted_uid = ::geteuid();  // besides root
  // The ownership of an absolute path without symlinks in it; nullopt when
  // it cannot be read. Tests pass a fake tree.
  std::function<std::optional<PathOwnership>(const std::string& path)> ownership_of;
  // How messages name the file, and where they suggest moving it when its
  // folder is shared.
  std::string file_role = "the plugin file";
  std::string safe_place =
      "move the plugin to a folder only you or root can write, such as "
      "~/.local/lib/carbonbench/plugins";
};

// Settings for this process and the real filesystem.
TrustSettings ProcessTrustSettings();

// "" when `real_path` (absolute, symlinks resolved) is a regular file that
// the rule trusts, else the problem: the offending path, its owner and mode,
// why it matters and the command that fixes it.
std::string UntrustedFileProblem(const std::string& real_path, const TrustSettings& settings);

// The same for a folder and every folder above it, for the folder a file
// was found in as written (absolute, lexically normal): a symlink on the
// way is judged by its owner and its folder, not by its mode.
std::string UntrustedFolderProblem(const std::string& real_path, const TrustSettings& settings);

// The rule for a file of code a user names rather than a plugin (a
// TorchScript module), for this process: `path` as given, resolved, with
// every folder above it, and the folders as written, so a symlinked folder
// is judged by who may replace the link. `file_role` names it in messages
// ("the TorchScript file"). "" when trusted.
std::string UntrustedCodeFileProblem(const std::string& path, const std::string& file_role);

}  // namespace carbonbench
