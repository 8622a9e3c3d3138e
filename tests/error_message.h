// An assertion on error messages, for tests of code whose errors must name
// the file, the line and what is wrong.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace carbonbench::test_support {

// Expects `call` to throw std::runtime_error whose message holds every piece.
template <typename Call>
void ExpectErrorContaining(Call call, const std::vector<std::string>& pieces) {
  try {
    call();
    ADD_FAILURE() << "expected std::runtime_error";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    for (const std::string& piece : pieces) {
      EXPECT_NE(message.find(piece), std::string::npos)
          << "message: " << message << "\nmissing: " << piece;
    }
  }
}

}  // namespace carbonbench::test_support
