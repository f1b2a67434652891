#include "manager/image_layers.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace vessel::manager {

namespace {

namespace fs = std::filesystem;

struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
using Reader = std::unique_ptr<archive, ReadFree>;
using Writer = std::unique_ptr<archive, WriteFree>;

Result<Reader> open_reader(const std::string& file) {
  Reader r(archive_read_new());
  archive_read_support_format_tar(r.get());
  archive_read_support_format_gnutar(r.get());
  archive_read_support_filter_all(r.get());
  if (archive_read_open_filename(r.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
    return Error{"cannot read " + file + ": " + archive_error_string(r.get())};
  return r;
}

// "./usr/bin/x" -> "usr/bin/x"; empty for the root itself; nullopt when it would leave it.
std::optional<std::string> clean_path(const char* raw) {
  if (!raw) return std::nullopt;
  const fs::path p = fs::path(raw).lexically_normal();
  std::string out;
  for (const auto& part : p) {
    const std::string s = part.string();
    if (s == "/" || s == "." || s.empty()) continue;
    if (s == "..") return std::nullopt;
    out += out.empty() ? s : "/" + s;
  }
  return out;
}

void remove_children(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_symlink(dir, ec) || !fs::is_directory(dir, ec)) return;
  for (const auto& e : fs::directory_iterator(dir, ec)) fs::remove_all(e.path(), ec);
}

// Pass one: the layer's whiteouts, applied to what the lower layers left.
Result<bool> apply_whiteouts(const std::string& layer_file, const fs::path& root) {
  auto r = open_reader(layer_file);
  if (!r) return Error{r.error()};
  archive_entry* entry = nullptr;
  int rc;
  while ((rc = archive_read_next_header(r->get(), &entry)) == ARCHIVE_OK) {
    const auto path = clean_path(archive_entry_pathname(entry));
    if (!path) return Error{"layer " + layer_file + ": entry outside the root: " + archive_entry_pathname(entry)};
    const fs::path rel(*path);
    const std::string name = rel.filename().string();
    if (name == ".wh..wh..opq") remove_children(root / rel.parent_path());
    else if (name.rfind(".wh.", 0) == 0) {
      std::error_code ec;
      fs::remove_all(root / rel.parent_path() / name.substr(4), ec);
    }
  }
  if (rc != ARCHIVE_EOF) return Error{"layer " + layer_file + ": " + archive_error_string(r->get())};
  return true;
}

Result<bool> extract(const std::string& file, const fs::path& root, bool skip_whiteouts) {
  auto r = open_reader(file);
  if (!r) return Error{r.error()};
  Writer w(archive_write_disk_new());
  archive_write_disk_set_options(w.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                              ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                              ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_UNLINK);
  archive_entry* entry = nullptr;
  int rc;
  while ((rc = archive_read_next_header(r->get(), &entry)) == ARCHIVE_OK) {
    const auto path = clean_path(archive_entry_pathname(entry));
    if (!path) return Error{file + ": entry outside the root: " + archive_entry_pathname(entry)};
    if (skip_whiteouts && fs::path(*path).filename().string().rfind(".wh.", 0) == 0) continue;
    archive_entry_set_pathname(entry, (root / *path).c_str());
    if (const char* link = archive_entry_hardlink(entry)) {
      const auto target = clean_path(link);
      if (!target) return Error{file + ": hard link outside the root: " + link};
      archive_entry_set_hardlink(entry, (root / *target).c_str());
    }
    if (archive_write_header(w.get(), entry) < ARCHIVE_WARN)
      return Error{file + ": " + *path + ": " + archive_error_string(w.get())};
    const void* buf = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int d;
    while ((d = archive_read_data_block(r->get(), &buf, &size, &offset)) == ARCHIVE_OK)
      if (archive_write_data_block(w.get(), buf, size, offset) < ARCHIVE_WARN)
        return Error{file + ": " + *path + ": " + archive_error_string(w.get())};
    if (d != ARCHIVE_EOF) return Error{file + ": " + archive_error_string(r->get())};
    if (archive_write_finish_entry(w.get()) < ARCHIVE_WARN) return Error{file + ": " + archive_error_string(w.get())};
  }
  if (rc != ARCHIVE_EOF) return Error{file + ": " + archive_error_string(r->get())};
  if (archive_write_close(w.get()) != ARCHIVE_OK) return Error{file + ": " + archive_error_string(w.get())};
  return true;
}

}  // namespace

// libarchive's symlink check walks the whole absolute path: give it one without symlinks.
Result<bool> apply_layer(const std::string& layer_file, const std::string& root) {
  std::error_code ec;
  const fs::path real = fs::canonical(root, ec);
  if (ec) return Error{"cannot resolve " + root + ": " + ec.message()};
  auto whiteouts = apply_whiteouts(layer_file, real);
  if (!whiteouts) return whiteouts;
  return extract(layer_file, real, /*skip_whiteouts=*/true);
}

Result<bool> extract_archive(const std::string& archive_file, const std::string& dir) {
  std::error_code ec;
  const fs::path real = fs::canonical(dir, ec);
  if (ec) return Error{"cannot resolve " + dir + ": " + ec.message()};
  return extract(archive_file, real, /*skip_whiteouts=*/false);
}

}  // namespace vessel::manager
