// Signal names as `kill` accepts them: "9", "KILL", "SIGKILL" (any case).
#pragma once
#include <string>

namespace vessel::container {

// The signal number, or -1 when the text names no signal.
int parse_signal(const std::string& text);

}  // namespace vessel::container
