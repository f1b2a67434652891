#pragma once
#include <string>

#include "common/result.h"

namespace vessel::machine {
// Whole-file read with a user-facing error message naming the file.
Result<std::string> read_file(const std::string& path);
}  // namespace vessel::machine
