// A request the server refuses: the HTTP status (4xx) and a sentence saying
// what is wrong and how to fix it, sent as {"error": {"status", "message"}}.
#pragma once

#include <stdexcept>
#include <string>

namespace carbonbench::serve {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace carbonbench::serve
