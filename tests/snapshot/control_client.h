// A client for the VMM control socket (one JSON request per line) for guest tests.
#pragma once
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace vessel::test {

// Sends one request and returns the parsed answer (a JSON null if the socket is not there).
nlohmann::json control(const std::string& socket, const nlohmann::json& request);
// Polls "status" until the VM answers ok, or the timeout passes.
bool wait_for_vm(const std::string& socket, std::chrono::milliseconds timeout);

}  // namespace vessel::test
