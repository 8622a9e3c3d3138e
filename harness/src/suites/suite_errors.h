// Error collection shared by the suite reader, the matrix and the cell
// builder: every problem is gathered first so the user fixes them in one go.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/mark.h>

namespace carbonbench::detail {

// A place in the suite text, 0-based like yaml-cpp's Mark.
struct Loc {
  int line = 0;
  int column = 0;
};

// yaml-cpp gives a null mark (-1) for nodes it made up; those point at the
// start of the text so a message never carries a negative position.
Loc LocOf(const YAML::Mark& mark);

class ErrorList {
 public:
  // `with_positions` is false for text the user never saw (generated from a
  // command line): its lines and columns would point nowhere they can look.
  ErrorList(std::string source, bool with_positions)
      : source_(std::move(source)), with_positions_(with_positions) {}

  // Records "source:line:col: message" (1-based), or "source: message"
  // without positions. The same message at the same place is kept once:
  // many cells can trip over one bad line. Past kMaxMessages only a count is
  // kept, so a list of a thousand bad values does not print a thousand lines.
  void Add(Loc loc, const std::string& message);
  static constexpr std::size_t kMaxMessages = 50;
  bool empty() const { return messages_.empty(); }
  // Throws SuiteError with everything recorded so far, if anything.
  void ThrowIfAny() const;

 private:
  std::string source_;
  bool with_positions_;
  std::vector<std::string> messages_;
  std::set<std::string> seen_;
  std::size_t left_out_ = 0;
};

}  // namespace carbonbench::detail
