// Names that become part of a file name: suite names, report stems, store
// keys written under --reports-dir. One check serves every place a name comes
// from (a suite file, a store, a merged store), so none can reach outside the
// folder it is written to.
#pragma once

#include <cstddef>
#include <string>

namespace carbonbench {

// Longest accepted stem. Reports append suffixes such as ".leaderboard.csv"
// and ".plots/"; 100 characters keeps every derived name well under the
// 255-byte NAME_MAX of common filesystems.
inline constexpr std::size_t kMaxFileStemChars = 100;

// Empty when `name` is safe as one path component (letters, digits, '_' and
// '-', 1..kMaxFileStemChars characters); else what is wrong, as a phrase that
// completes "suite name 'x' ...", e.g. "is 300 characters long; at most 100
// are allowed".
std::string FileStemProblem(const std::string& name);
// The same check for a name with another use, given as `use` ("it names a
// file in the dataset's folder") in place of "it names the result files".
std::string FileStemProblem(const std::string& name, const std::string& use);

}  // namespace carbonbench
