// NoCloud seeds for cloud-init: an ISO9660 image labelled "cidata" holding user-data and
// meta-data (instance-id and local-hostname from the VM's name), made with Debian's genisoimage.
// cloud-init finds it on any attached disk by its label.
#pragma once
#include <string>

#include "common/result.h"

namespace vessel::manager {

// Writes `seed_path` from the user-data file; the instance id and hostname are `vm_name`.
Result<bool> make_cloud_init_seed(const std::string& user_data_path, const std::string& vm_name,
                                  const std::string& seed_path);

}  // namespace vessel::manager
