// VmConfig as JSON: the configuration section of a snapshot (and a form a manager can store).
#pragma once
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "vmm/virtual_machine.h"

namespace vessel::vmm {

nlohmann::json config_to_json(const VmConfig& config);
// Checks every field (types, ranges, known options); errors name the field.
Result<VmConfig> config_from_json(const nlohmann::json& j);

}  // namespace vessel::vmm
