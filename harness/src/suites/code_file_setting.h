// A setting that names a file of code (ParamPath::kCodeFile, such as a
// TorchScript module): resolved and checked while the suite is read, so a
// missing or untrusted file is refused at its line before any cell runs.
#pragma once

#include <string>

namespace carbonbench::detail {

// `given` made absolute against `relative_to` (the suite file's folder;
// empty: the folder carbonbench runs in) and lexically normal, in
// *resolved. Returns "" when that is a regular file that passes the plugin
// loader's ownership rule (carbonbench/file_trust.h), else what is wrong,
// naming `key` and how to fix it.
std::string ResolveCodeFile(const std::string& key, const std::string& given,
                            const std::string& relative_to, std::string* resolved);

// FNV-1a 64 of the file's bytes as 16 hex digits, read in blocks; "" when
// it cannot be read (the suite reader has said why). Part of a cell's
// identity, so the same path holding another module is another cell.
std::string CodeFileDigest(const std::string& path);

}  // namespace carbonbench::detail
