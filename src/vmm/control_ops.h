// Control-socket operations for snapshots, resource limits and metrics (see README.md,
// "Control socket"). The control server hands every request to handle_vmm_op first.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace vessel::vmm {

class VirtualMachine;

// The answer line for "snapshot", "limits" and "metrics"; nullopt for any other op.
std::optional<std::string> handle_vmm_op(VirtualMachine& vm, const nlohmann::json& request, const std::string& op);
// The answer line for "migrate" and "migrate-status" (migration_ops.cpp); nullopt otherwise.
std::optional<std::string> handle_migration_op(VirtualMachine& vm, const nlohmann::json& request, const std::string& op);
// The limits in force, as the "limits" op reports them.
nlohmann::json limits_json(VirtualMachine& vm);

}  // namespace vessel::vmm
