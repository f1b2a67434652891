#include "manager/cloud_init_seed.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "manager/tool_process.h"

namespace vessel::manager {
namespace {

namespace fs = std::filesystem;

Result<bool> write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Error{"cannot write " + path.string()};
  return true;
}

}  // namespace

Result<bool> make_cloud_init_seed(const std::string& user_data_path, const std::string& vm_name,
                                  const std::string& seed_path) {
  std::ifstream in(user_data_path, std::ios::binary);
  if (!in) return Error{"cannot read cloud-init user-data " + user_data_path};
  std::stringstream user_data;
  user_data << in.rdbuf();
  // cloud-init ignores user-data it cannot classify: say so now rather than boot a guest that
  // silently skips it.
  const std::string text = user_data.str();
  if (text.rfind("#cloud-config", 0) != 0 && text.rfind("#!", 0) != 0 && text.rfind("#include", 0) != 0)
    return Error{"cloud-init user-data " + user_data_path +
                 " must start with #cloud-config, #! (a script) or #include"};

  const fs::path staging = fs::path(seed_path).parent_path() / ".cidata";
  std::error_code ec;
  fs::remove_all(staging, ec);
  if (!fs::create_directories(staging, ec)) return Error{"cannot create " + staging.string() + ": " + ec.message()};
  auto cleanup = [&] { fs::remove_all(staging, ec); };
  if (auto ok = write_file(staging / "user-data", text); !ok) return cleanup(), ok;
  if (auto ok = write_file(staging / "meta-data", "instance-id: " + vm_name + "\nlocal-hostname: " + vm_name + "\n"); !ok)
    return cleanup(), ok;

  auto run = run_tool("/usr/bin/genisoimage",
                      {"-quiet", "-output", seed_path, "-volid", "cidata", "-joliet", "-rock",
                       (staging / "user-data").string(), (staging / "meta-data").string()},
                      std::chrono::seconds(30));
  cleanup();
  if (!run) return Error{"cannot run genisoimage (apt install genisoimage): " + run.error()};
  if (run->status != 0) return Error{"genisoimage failed making the cloud-init seed: " + run->err};
  return true;
}

}  // namespace vessel::manager
