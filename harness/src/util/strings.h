// Small text helpers shared by error messages.
#pragma once

#include <string>
#include <vector>

namespace carbonbench {

std::size_t EditDistance(const std::string& a, const std::string& b);

// The closest candidate within a small edit distance, or "" if none is close.
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

std::string JoinStrings(const std::vector<std::string>& items, const std::string& separator);

// "a,b,,c" -> {"a", "b", "", "c"}.
std::vector<std::string> SplitString(const std::string& text, char separator);

// Without leading and trailing ASCII whitespace.
std::string Trim(const std::string& text);

}  // namespace carbonbench
