#include "manager/image_store.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "manager/image_layers.h"
#include "manager/state_dir.h"

namespace vessel::manager {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

ManagerError bad_image(const std::string& message) { return invalid(message, "invalid_image"); }

std::optional<json> read_json_file(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return std::nullopt;
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::vector<std::string> strings_of(const json& obj, const char* key) {
  std::vector<std::string> out;
  if (obj.contains(key) && obj[key].is_array())
    for (const auto& v : obj[key])
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

ImageConfig config_from(const json& image_config) {
  ImageConfig c;
  const json& cfg = image_config.contains("config") && image_config["config"].is_object() ? image_config["config"] : json::object();
  c.entrypoint = strings_of(cfg, "Entrypoint");
  c.cmd = strings_of(cfg, "Cmd");
  c.env = strings_of(cfg, "Env");
  c.workdir = cfg.value("WorkingDir", "");
  c.user = cfg.value("User", "");
  return c;
}

// What an archive describes: its layers in order (files under `dir`), its config, its tag.
struct Layout {
  std::vector<fs::path> layers;
  json config;
  std::string tag;
};

// A path named inside the archive must stay inside it.
std::optional<fs::path> inside(const fs::path& dir, const std::string& rel) {
  const fs::path p = (dir / rel).lexically_normal();
  const std::string d = dir.lexically_normal().string();
  if (p.string().rfind(d, 0) != 0 || rel.find("..") != std::string::npos) return std::nullopt;
  return p;
}

std::optional<fs::path> blob(const fs::path& dir, const json& descriptor) {
  if (!descriptor.is_object() || !descriptor.contains("digest") || !descriptor["digest"].is_string()) return std::nullopt;
  const std::string digest = descriptor["digest"];
  const size_t colon = digest.find(':');
  if (colon == std::string::npos || digest.find('/') != std::string::npos) return std::nullopt;
  return inside(dir, "blobs/" + digest.substr(0, colon) + "/" + digest.substr(colon + 1));
}

Outcome<Layout> docker_layout(const fs::path& dir, const json& manifest) {
  if (!manifest.is_array() || manifest.empty() || !manifest[0].is_object())
    return bad_image("manifest.json of the docker archive lists no image");
  const json& m = manifest[0];
  Layout out;
  const auto config_path = inside(dir, m.value("Config", ""));
  auto config = config_path ? read_json_file(*config_path) : std::nullopt;
  if (!config) return bad_image("the docker archive's image config is missing or not JSON");
  out.config = *config;
  for (const auto& l : strings_of(m, "Layers")) {
    const auto p = inside(dir, l);
    if (!p) return bad_image("layer path outside the archive: " + l);
    out.layers.push_back(*p);
  }
  const auto tags = strings_of(m, "RepoTags");
  if (!tags.empty()) out.tag = tags[0];
  return out;
}

Outcome<Layout> oci_layout(const fs::path& dir, const json& index) {
  if (!index.contains("manifests") || !index["manifests"].is_array() || index["manifests"].empty())
    return bad_image("index.json of the OCI layout lists no manifest");
  json descriptor = index["manifests"][0];
  Layout out;
  if (descriptor.contains("annotations") && descriptor["annotations"].is_object())
    out.tag = descriptor["annotations"].value("org.opencontainers.image.ref.name", "");
  for (int depth = 0; depth < 4; ++depth) {  // an index may point at another index
    const auto path = blob(dir, descriptor);
    auto doc = path ? read_json_file(*path) : std::nullopt;
    if (!doc) return bad_image("a manifest named by the OCI layout is missing or not JSON");
    if (doc->contains("manifests")) {
      if (!(*doc)["manifests"].is_array() || (*doc)["manifests"].empty()) return bad_image("an OCI index lists no manifest");
      descriptor = (*doc)["manifests"][0];
      continue;
    }
    const auto config_path = doc->contains("config") ? blob(dir, (*doc)["config"]) : std::nullopt;
    auto config = config_path ? read_json_file(*config_path) : std::nullopt;
    if (!config) return bad_image("the OCI image config is missing or not JSON");
    out.config = *config;
    if (doc->contains("layers") && (*doc)["layers"].is_array())
      for (const auto& l : (*doc)["layers"]) {
        const auto p = blob(dir, l);
        if (!p) return bad_image("an OCI layer descriptor has no usable digest");
        out.layers.push_back(*p);
      }
    return out;
  }
  return bad_image("OCI indexes nested too deeply");
}

Outcome<Layout> read_layout(const fs::path& dir) {
  if (auto m = read_json_file(dir / "manifest.json")) return docker_layout(dir, *m);
  if (auto i = read_json_file(dir / "index.json")) return oci_layout(dir, *i);
  return bad_image("neither an OCI image layout (index.json) nor a docker save archive (manifest.json)");
}

bool valid_image_name(const std::string& name) {
  if (name.empty() || name.size() > 255 || name[0] == '.' || name[0] == '-') return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr("._-:/@", c)) return false;
  return name.find("..") == std::string::npos;
}

}  // namespace

json Image::to_json() const {
  return {{"name", name},
          {"rootfs", rootfs},
          {"config",
           {{"entrypoint", config.entrypoint}, {"cmd", config.cmd}, {"env", config.env}, {"workdir", config.workdir},
            {"user", config.user}}}};
}

std::string ImageStore::dir_of(const std::string& name) const {
  std::string key = name;
  for (char& c : key)
    if (c == '/' || c == ':' || c == '@') c = '_';
  return root_ + "/" + key;
}

Outcome<Image> ImageStore::import(const std::string& file, const std::string& wanted_name) {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  if (!fs::exists(file, ec)) return invalid("image file " + file + " does not exist", "file_not_found");
  static std::atomic<unsigned> counter{0};
  const fs::path work = root_ + "/.import-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  fs::remove_all(work, ec);
  fs::create_directories(work / "rootfs", ec);
  if (ec) return ManagerError{ErrorKind::VmmFailure, "import_failed", "cannot create " + work.string() + ": " + ec.message()};
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{work};

  fs::path source = file;
  if (!fs::is_directory(file, ec)) {
    source = work / "archive";
    fs::create_directories(source, ec);
    auto unpacked = extract_archive(file, source.string());
    if (!unpacked) return bad_image("cannot unpack " + file + ": " + unpacked.error());
  }
  auto layout = read_layout(source);
  if (!layout) return layout.error();
  const std::string name = !wanted_name.empty() ? wanted_name : layout->tag;
  if (name.empty()) return invalid("the archive names no image: give a name", "missing_field");
  if (!valid_image_name(name)) return invalid("invalid image name '" + name + "'", "invalid_name");
  if (fs::exists(dir_of(name), ec)) return conflict("an image named '" + name + "' already exists", "image_exists");
  for (const auto& layer : layout->layers) {
    auto applied = apply_layer(layer.string(), (work / "rootfs").string());
    if (!applied) return bad_image(applied.error());
  }
  fs::remove_all(work / "archive", ec);
  Image image{name, dir_of(name) + "/rootfs", config_from(layout->config)};
  auto saved = write_json_atomic((work / "image.json").string(), image.to_json());
  if (!saved) return ManagerError{ErrorKind::VmmFailure, "import_failed", saved.error()};
  fs::rename(work, dir_of(name), ec);
  if (ec) return ManagerError{ErrorKind::VmmFailure, "import_failed", "cannot store the image: " + ec.message()};
  cleanup.p.clear();
  return image;
}

std::optional<Image> ImageStore::find(const std::string& name) const {
  auto doc = read_json_file(dir_of(name) + "/image.json");
  if (!doc || doc->value("name", "") != name) return std::nullopt;
  Image image;
  image.name = name;
  image.rootfs = dir_of(name) + "/rootfs";
  const json& c = doc->value("config", json::object());
  image.config.entrypoint = strings_of(c, "entrypoint");
  image.config.cmd = strings_of(c, "cmd");
  image.config.env = strings_of(c, "env");
  image.config.workdir = c.value("workdir", "");
  image.config.user = c.value("user", "");
  return image;
}

std::vector<Image> ImageStore::list() const {
  std::vector<Image> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_, ec)) {
    if (!e.is_directory() || e.path().filename().string()[0] == '.') continue;
    auto doc = read_json_file(e.path() / "image.json");
    if (!doc) continue;
    if (auto image = find(doc->value("name", ""))) out.push_back(std::move(*image));
  }
  return out;
}

Outcome<bool> ImageStore::remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (!find(name)) return ManagerError{ErrorKind::NotFound, "image_not_found", "no image named '" + name + "'"};
  std::error_code ec;
  fs::remove_all(dir_of(name), ec);
  if (ec) return ManagerError{ErrorKind::VmmFailure, "remove_failed", ec.message()};
  return true;
}

}  // namespace vessel::manager
