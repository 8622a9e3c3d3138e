#include "suites/yaml_limits.h"

#include <string>

namespace carbonbench::detail {
namespace {

class ShapeWalk {
 public:
  explicit ShapeWalk(ErrorList& errors) : errors_(errors) {}

  // Depth-first; stops at the first limit crossed, so an alias cycle or a
  // bomb costs at most kMaxYamlNodes visits.
  bool Visit(const YAML::Node& node, int depth) {
    if (++nodes_ > kMaxYamlNodes) {
      errors_.Add(LocOf(node.Mark()),
                  "the suite holds more than " + std::to_string(kMaxYamlNodes) +
                      " YAML values (counting each alias as a copy of what it names); a "
                      "suite needs far fewer: look for an alias that repeats a large list");
      return false;
    }
    if (!node.IsMap() && !node.IsSequence()) return true;
    if (depth >= kMaxYamlDepth) {
      errors_.Add(LocOf(node.Mark()), "the YAML here is nested more than " +
                                          std::to_string(kMaxYamlDepth) +
                                          " levels deep (a suite needs a few; an alias that "
                                          "contains itself also does this)");
      return false;
    }
    for (const auto& item : node) {
      if (node.IsMap()) {
        if (!Visit(item.first, depth + 1) || !Visit(item.second, depth + 1)) return false;
      } else if (!Visit(item, depth + 1)) {
        return false;
      }
    }
    return true;
  }

 private:
  ErrorList& errors_;
  std::size_t nodes_ = 0;
};

}  // namespace

bool CheckYamlShape(const YAML::Node& root, ErrorList& errors) {
  return ShapeWalk(errors).Visit(root, 0);
}

}  // namespace carbonbench::detail
