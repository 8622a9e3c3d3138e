#include "carbonbench/file_trust.h"

#include <pwd.h>
#include <sys/stat.h>

#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace carbonbench {
namespace {

constexpr uid_t kRootUid = 0;

std::string UserName(uid_t uid) {
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[1024];
  if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    return fmt::format("uid {} ({})", uid, found->pw_name);
  }
  return fmt::format("uid {}", uid);
}

std::string Parent(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

// The problem with one path on the way to the plugin, or "".
std::string CheckOne(const std::string& path, const std::string& role,
                     const TrustSettings& settings) {
  const std::optional<PathOwnership> found = settings.ownership_of(path);
  if (!found) {
    return fmt::format("{} {} cannot be examined, so it cannot be trusted", role, path);
  }
  const unsigned mode = found->mode & 07777;
  if (found->owner_uid != kRootUid && found->owner_uid != settings.trusted_uid) {
    return fmt::format(
        "{} {} is owned by {} (mode {:o}), neither root nor {}, who runs this; fix with: chown "
        "{} '{}'",
        role, path, UserName(found->owner_uid), mode, UserName(settings.trusted_uid),
        settings.trusted_uid, path);
  }
  // A symlink's own mode means nothing; who may replace it is decided by
  // its folder, which is checked in turn.
  if (S_ISLNK(found->mode) || (found->mode & (S_IWGRP | S_IWOTH)) == 0) return {};
  if (S_ISDIR(found->mode) && (found->mode & S_ISVTX) != 0 && (found->mode & S_IWOTH) != 0) {
    return fmt::format(
        "{} {} is a shared folder anyone can create names in (mode {:o}, owned by "
        "{}); {}",
        role, path, mode, UserName(found->owner_uid), settings.safe_place);
  }
  return fmt::format(
      "{} {} is writable by group or others (mode {:o}, owned by {}); fix with: chmod go-w '{}'",
      role, path, mode, UserName(found->owner_uid), path);
}

// Every folder from `folder` up to /.
std::string CheckFoldersUp(std::string folder, const TrustSettings& settings) {
  while (true) {
    if (std::string problem = CheckOne(folder, "folder", settings); !problem.empty()) {
      return problem;
    }
    if (folder == "/") return {};
    folder = Parent(folder);
  }
}

}  // namespace

TrustSettings ProcessTrustSettings() {
  TrustSettings settings;
  settings.ownership_of = [](const std::string& path) -> std::optional<PathOwnership> {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) return std::nullopt;
    return PathOwnership{info.st_uid, info.st_mode};
  };
  return settings;
}

std::string UntrustedFileProblem(const std::string& real_path, const TrustSettings& settings) {
  const std::optional<PathOwnership> found = settings.ownership_of(real_path);
  if (found && !S_ISREG(found->mode)) {
    return fmt::format("{} is not a regular file", real_path);
  }
  if (std::string problem = CheckOne(real_path, settings.file_role, settings); !problem.empty()) {
    return problem;
  }
  return CheckFoldersUp(Parent(real_path), settings);
}

std::string UntrustedFolderProblem(const std::string& real_path, const TrustSettings& settings) {
  return CheckFoldersUp(real_path, settings);
}

std::string UntrustedCodeFileProblem(const std::string& path, const std::string& file_role) {
  std::error_code error;
  const std::filesystem::path real = std::filesystem::canonical(path, error);
  if (error) return fmt::format("{} cannot be resolved: {}", path, error.message());
  TrustSettings settings = ProcessTrustSettings();
  settings.file_role = file_role;
  settings.safe_place = "move the file to a folder only you or root can write";
  std::string problem = UntrustedFileProblem(real.string(), settings);
  if (!problem.empty()) return problem;
  return CheckFoldersUp(
      std::filesystem::absolute(path, error).lexically_normal().parent_path().string(), settings);
}

}  // namespace carbonbench
