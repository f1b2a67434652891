// `vessel img create|info|convert|check`: disk image tools with qemu-img's syntax and exit
// statuses, for raw and qcow2 images (src/storage).
#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "storage/image_tools.h"
#include "storage/open_disk.h"
#include "storage/qcow2_check.h"
#include "storage/qcow2_image.h"

namespace vessel::cli {
namespace {

using storage::DiskFormat;

// qemu-img check's statuses: 2 corruption, 3 leaks only, 63 format without checks.
constexpr int kCheckCorrupt = 2;
constexpr int kCheckLeaks = 3;
constexpr int kCheckUnsupported = 63;

constexpr const char* kUsage =
    "usage: vessel img <command> [options]\n"
    "\n"
    "  create [-q] -f raw|qcow2 [-b BACKING [-F raw|qcow2]] [-o OPTIONS] FILE [SIZE]\n"
    "      OPTIONS: cluster_size=N, compat=0.10|1.1, refcount_bits=N (qcow2)\n"
    "      SIZE: bytes, or with a suffix k, M, G, T, P (powers of 1024); optional with -b\n"
    "  info [-f FMT] [--output=human|json] [--json] [--backing-chain] FILE\n"
    "  convert [-q] [-p] [-f FMT] -O raw|qcow2 [-o OPTIONS] SRC DST\n"
    "      copies SRC into a new sparse DST; -p shows progress (default when stderr is a terminal)\n"
    "  check [-q] [-f FMT] [-r leaks|all] [--output=human|json] FILE\n"
    "      exit status: 0 clean, 2 corruptions, 3 leaked clusters, 1 check failed\n"
    "      -r rewrites the refcounts from the L1/L2 tables (leaks only, or also too-low refcounts)\n";

int usage_error(const std::string& message) {
  fprintf(stderr, "vessel img: %s\n%s", message.c_str(), kUsage);
  return kExitUsage;
}

int fail(const std::string& message) {
  fprintf(stderr, "vessel img: %s\n", message.c_str());
  return kExitFailure;
}

// qemu-img sizes: a bare number is bytes; k/K, M, G, T, P, E multiply by powers of 1024; a
// fraction is allowed with a suffix ("1.5G").
std::optional<uint64_t> parse_img_size(std::string_view s) {
  if (s.empty() || !isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  uint64_t whole = 0;
  size_t i = 0;
  for (; i < s.size() && isdigit(static_cast<unsigned char>(s[i])); ++i) {
    if (whole > (UINT64_MAX - 9) / 10) return std::nullopt;
    whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  double frac = 0, scale = 0.1;
  bool has_frac = false;
  if (i < s.size() && s[i] == '.') {
    has_frac = true;
    for (++i; i < s.size() && isdigit(static_cast<unsigned char>(s[i])); ++i, scale /= 10) frac += (s[i] - '0') * scale;
  }
  unsigned shift = 0;
  if (i < s.size()) {
    switch (s[i]) {
      case 'b': case 'B': shift = 0; break;
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
      case 't': case 'T': shift = 40; break;
      case 'p': case 'P': shift = 50; break;
      case 'e': case 'E': shift = 60; break;
      default: return std::nullopt;
    }
    ++i;
    if (shift != 0 && i < s.size() && (s.substr(i) == "B" || s.substr(i) == "iB")) i = s.size();
  }
  if (i != s.size()) return std::nullopt;
  if (has_frac && shift == 0) return std::nullopt;  // "1.5" bytes makes no sense
  if (whole > (UINT64_MAX >> shift)) return std::nullopt;
  const uint64_t base = whole << shift;
  const uint64_t extra = static_cast<uint64_t>(std::llround(frac * static_cast<double>(1ull << shift)));
  if (extra > UINT64_MAX - base) return std::nullopt;
  return base + extra;
}

// "1 GiB", "196 KiB", "1.5 MiB": qemu-img's human-readable sizes.
std::string human_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  snprintf(buf, sizeof buf, "%0.3g %s", v, kUnits[u]);
  return buf;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// Options are taken in any order before, between and after positional arguments, like getopt.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // name (with dashes), value
};

// `with_value` lists options that take a value ("-f", "--output", ...).
std::optional<std::string> parse_args(int argc, char** argv, const std::vector<std::string>& with_value,
                                      const std::vector<std::string>& flags, Args& out) {
  auto takes_value = [&](const std::string& n) {
    for (const auto& w : with_value)
      if (w == n) return true;
    return false;
  };
  auto is_flag = [&](const std::string& n) {
    for (const auto& f : flags)
      if (f == n) return true;
    return false;
  };
  bool only_positional = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (only_positional || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    std::string value;
    bool has_value = false;
    if (a.rfind("--", 0) == 0) {
      const auto eq = a.find('=');
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_value = true;
      }
    } else if (a.size() > 2 && takes_value(a.substr(0, 2))) {  // -fqcow2
      value = a.substr(2);
      a = a.substr(0, 2);
      has_value = true;
    }
    if (takes_value(a)) {
      if (!has_value) {
        if (i + 1 >= argc) return "option " + a + " needs a value";
        value = argv[++i];
      }
      out.options.emplace_back(a, value);
    } else if (is_flag(a) && !has_value) {
      out.options.emplace_back(a, "");
    } else {
      return "unknown option " + a;
    }
  }
  return std::nullopt;
}

std::optional<std::string> last(const Args& a, std::string_view name) {
  std::optional<std::string> v;
  for (const auto& [n, val] : a.options)
    if (n == name) v = val;
  return v;
}

bool has(const Args& a, std::string_view name) { return last(a, name).has_value(); }

bool wants_help(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return true;
  return false;
}

// Parses "-f" style format names; nullopt value with error text on bad names.
std::optional<std::string> format_arg(const Args& a, std::string_view name, std::optional<DiskFormat>& out) {
  out.reset();
  if (auto v = last(a, name)) {
    out = storage::parse_format(*v);
    if (!out) return "unknown format '" + *v + "' (raw or qcow2)";
  }
  return std::nullopt;
}

// -o cluster_size=64k,compat=1.1,refcount_bits=16
std::optional<std::string> apply_create_options(const Args& a, storage::CreateRequest& r) {
  for (const auto& [name, value] : a.options) {
    if (name != "-o") continue;
    size_t start = 0;
    while (start <= value.size()) {
      const size_t comma = value.find(',', start);
      const std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? value.size() + 1 : comma + 1;
      if (item.empty()) continue;
      const auto eq = item.find('=');
      if (eq == std::string::npos) return "option '" + item + "' needs a value (name=value)";
      const std::string key = item.substr(0, eq), val = item.substr(eq + 1);
      if (key == "cluster_size") {
        auto n = parse_img_size(val);
        if (!n || *n > UINT32_MAX) return "invalid cluster_size '" + val + "'";
        r.cluster_size = static_cast<uint32_t>(*n);
      } else if (key == "compat") {
        if (val == "0.10" || val == "v2") r.qcow2_version = 2;
        else if (val == "1.1" || val == "v3") r.qcow2_version = 3;
        else return "invalid compat '" + val + "' (0.10 or 1.1)";
      } else if (key == "refcount_bits") {
        auto n = parse_img_size(val);
        if (!n || *n > 64) return "invalid refcount_bits '" + val + "'";
        r.refcount_bits = static_cast<uint32_t>(*n);
      } else if (key == "backing_file") {
        r.backing_file = val;
      } else if (key == "backing_fmt") {
        r.backing_format = storage::parse_format(val);
        if (!r.backing_format) return "unknown backing format '" + val + "'";
      } else if (key == "preallocation" || key == "lazy_refcounts") {
        if (val != "off") return "option " + key + "=" + val + " is not supported (only off)";
      } else {
        return "unknown option '" + key + "'";
      }
    }
  }
  return std::nullopt;
}

// ---- create ------------------------------------------------------------------------------

int img_create(int argc, char** argv) {
  Args a;
  if (auto e = parse_args(argc, argv, {"-f", "-b", "-F", "-o"}, {"-q", "-u"}, a)) return usage_error(*e);
  storage::CreateRequest r;
  std::optional<DiskFormat> fmt, backing_fmt;
  if (auto e = format_arg(a, "-f", fmt)) return usage_error(*e);
  if (auto e = format_arg(a, "-F", backing_fmt)) return usage_error(*e);
  r.format = fmt.value_or(DiskFormat::Raw);  // qemu-img's default
  if (auto b = last(a, "-b")) r.backing_file = *b;
  r.backing_format = backing_fmt;
  if (auto e = apply_create_options(a, r)) return usage_error(*e);
  if (a.positional.empty()) return usage_error("create: missing FILE");
  if (a.positional.size() > 2) return usage_error("create: too many arguments");
  r.path = a.positional[0];
  if (a.positional.size() == 2) {
    r.size = parse_img_size(a.positional[1]);
    if (!r.size) return usage_error("invalid size '" + a.positional[1] + "' (e.g. 10G, 512M, 1T)");
  } else if (r.backing_file.empty()) {
    return usage_error("create: SIZE is required without a backing file (-b)");
  }
  if (r.format == DiskFormat::Raw && !r.backing_file.empty())
    return usage_error("create: raw images cannot have a backing file (use -f qcow2)");
  if (r.format == DiskFormat::Raw && (r.qcow2_version != 3 || r.cluster_size != 65536))
    return usage_error("create: cluster_size and compat apply to qcow2 only");
  auto size = storage::create_disk(r);
  if (!size) return fail(size.error());
  if (!has(a, "-q")) {
    printf("Formatting '%s', fmt=%s", r.path.c_str(), storage::to_string(r.format));
    if (r.format == DiskFormat::Qcow2)
      printf(" cluster_size=%u compat=%s", r.cluster_size, r.qcow2_version == 2 ? "0.10" : "1.1");
    if (!r.backing_file.empty()) printf(" backing_file=%s", r.backing_file.c_str());
    printf(" size=%" PRIu64 "\n", size.value());
  }
  return kExitOk;
}

// ---- info --------------------------------------------------------------------------------

void print_human(const storage::ImageInfo& i, uint64_t disk_size, const std::string& shown_name) {
  printf("image: %s\n", shown_name.c_str());
  printf("file format: %s\n", storage::to_string(i.format));
  printf("virtual size: %s (%" PRIu64 " bytes)\n", human_size(i.virtual_size).c_str(), i.virtual_size);
  printf("disk size: %s\n", human_size(disk_size).c_str());
  if (i.format != DiskFormat::Qcow2) return;
  printf("cluster_size: %u\n", i.cluster_size);
  if (!i.backing_file.empty()) {
    if (i.backing_path != i.backing_file)
      printf("backing file: %s (actual path: %s)\n", i.backing_file.c_str(), i.backing_path.c_str());
    else
      printf("backing file: %s\n", i.backing_file.c_str());
    if (!i.backing_format.empty()) printf("backing file format: %s\n", i.backing_format.c_str());
  }
  if (i.snapshots) printf("internal snapshots: %u\n", i.snapshots);
  printf("Format specific information:\n");
  printf("    compat: %s\n", i.qcow2_version == 2 ? "0.10" : "1.1");
  printf("    compression type: zlib\n");
  if (i.qcow2_version >= 3) printf("    lazy refcounts: %s\n", i.lazy_refcounts ? "true" : "false");
  printf("    refcount bits: %u\n", i.refcount_bits);
  printf("    corrupt: %s\n", i.corrupt ? "true" : "false");
  if (i.dirty) printf("    dirty: true\n");
}

std::string info_json(const storage::ImageInfo& i, uint64_t disk_size, const std::string& shown_name) {
  std::string j = "{\n";
  j += "    \"virtual-size\": " + std::to_string(i.virtual_size) + ",\n";
  j += "    \"filename\": " + json_string(shown_name) + ",\n";
  if (i.format == DiskFormat::Qcow2) j += "    \"cluster-size\": " + std::to_string(i.cluster_size) + ",\n";
  j += "    \"format\": " + json_string(storage::to_string(i.format)) + ",\n";
  j += "    \"actual-size\": " + std::to_string(disk_size) + ",\n";
  if (!i.backing_file.empty()) {
    j += "    \"backing-filename\": " + json_string(i.backing_file) + ",\n";
    j += "    \"full-backing-filename\": " + json_string(i.backing_path) + ",\n";
    if (!i.backing_format.empty()) j += "    \"backing-filename-format\": " + json_string(i.backing_format) + ",\n";
  }
  if (i.format == DiskFormat::Qcow2) {
    j += "    \"format-specific\": {\n        \"type\": \"qcow2\",\n        \"data\": {\n";
    j += std::string("            \"compat\": \"") + (i.qcow2_version == 2 ? "0.10" : "1.1") + "\",\n";
    j += "            \"compression-type\": \"zlib\",\n";
    j += std::string("            \"lazy-refcounts\": ") + (i.lazy_refcounts ? "true" : "false") + ",\n";
    j += "            \"refcount-bits\": " + std::to_string(i.refcount_bits) + ",\n";
    j += std::string("            \"corrupt\": ") + (i.corrupt ? "true" : "false") + "\n";
    j += "        }\n    },\n";
  }
  j += std::string("    \"dirty-flag\": ") + (i.dirty ? "true" : "false") + "\n}";
  return j;
}

uint64_t disk_usage(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_blocks) * 512 : 0;
}

int img_info(int argc, char** argv) {
  Args a;
  if (auto e = parse_args(argc, argv, {"-f", "--output"}, {"--json", "--backing-chain", "-U", "--force-share"}, a))
    return usage_error(*e);
  std::optional<DiskFormat> fmt;
  if (auto e = format_arg(a, "-f", fmt)) return usage_error(*e);
  bool json = has(a, "--json");
  if (auto o = last(a, "--output")) {
    if (*o == "json") json = true;
    else if (*o != "human") return usage_error("--output must be human or json");
  }
  if (a.positional.size() != 1) return usage_error("info: expected one FILE");
  auto img = storage::open_disk(a.positional[0], fmt, true);
  if (!img) return fail(img.error());
  const bool chain = has(a, "--backing-chain");
  std::vector<std::string> blocks;
  std::string shown = a.positional[0];
  for (storage::DiskImage* d = img.value().get(); d; d = chain ? d->backing() : nullptr) {
    const storage::ImageInfo i = d->info();
    if (json) {
      blocks.push_back(info_json(i, disk_usage(i.path), shown));
    } else {
      if (!blocks.empty()) printf("\n");
      print_human(i, disk_usage(i.path), shown);
      blocks.emplace_back();
    }
    shown = i.backing_path;
  }
  if (json) {
    if (!chain) {
      printf("%s\n", blocks[0].c_str());
    } else {
      printf("[\n");
      for (size_t k = 0; k < blocks.size(); ++k) printf("%s%s\n", blocks[k].c_str(), k + 1 < blocks.size() ? "," : "");
      printf("]\n");
    }
  }
  return kExitOk;
}

// ---- convert -----------------------------------------------------------------------------

int img_convert(int argc, char** argv) {
  Args a;
  if (auto e = parse_args(argc, argv, {"-f", "-O", "-o"}, {"-p", "-q", "-c", "-U"}, a)) return usage_error(*e);
  std::optional<DiskFormat> src_fmt, dst_fmt;
  if (auto e = format_arg(a, "-f", src_fmt)) return usage_error(*e);
  if (auto e = format_arg(a, "-O", dst_fmt)) return usage_error(*e);
  if (has(a, "-c")) return usage_error("convert: writing compressed images (-c) is not supported");
  if (a.positional.size() != 2) return usage_error("convert: expected SRC and DST");
  storage::CreateRequest r;
  r.format = dst_fmt.value_or(DiskFormat::Raw);
  if (auto e = apply_create_options(a, r)) return usage_error(*e);
  if (!r.backing_file.empty()) return usage_error("convert: backing_file is not supported for the output");
  r.path = a.positional[1];
  if (a.positional[0] == r.path) return usage_error("convert: SRC and DST are the same file");

  auto src = storage::open_disk(a.positional[0], src_fmt, true);
  if (!src) return fail(src.error());
  r.size = src.value()->size();
  auto size = storage::create_disk(r);
  if (!size) return fail(size.error());
  auto dst = storage::open_disk(r.path, r.format, false);
  if (!dst) return fail(dst.error());

  const bool progress = !has(a, "-q") && (has(a, "-p") || isatty(STDERR_FILENO));
  int last_shown = -1;
  auto show = [&](uint64_t done, uint64_t total) {
    if (!progress) return;
    const int pct = total ? static_cast<int>(done * 10000 / total) : 10000;
    if (pct == last_shown) return;
    last_shown = pct;
    fprintf(stderr, "\r    (%d.%02d/100%%)", pct / 100, pct % 100);
    fflush(stderr);
  };
  show(0, src.value()->size());
  const uint64_t block = r.format == DiskFormat::Qcow2 ? r.cluster_size : 65536;
  auto copied = storage::copy_disk(*src.value(), *dst.value(), block, show);
  if (progress) fprintf(stderr, "\n");
  if (!copied) return fail("convert: " + copied.error());
  return kExitOk;
}

// ---- check -------------------------------------------------------------------------------

void print_check_report(const storage::qcow2::CheckReport& r, const std::string& path, bool json) {
  if (json) {
    printf("{\n    \"image-end-offset\": %" PRIu64 ",\n    \"total-clusters\": %" PRIu64
           ",\n    \"check-errors\": %" PRIu64 ",\n    \"leaks\": %" PRIu64 ",\n    \"corruptions\": %" PRIu64
           ",\n    \"allocated-clusters\": %" PRIu64 ",\n    \"filename\": %s,\n    \"format\": \"qcow2\",\n"
           "    \"fragmented-clusters\": %" PRIu64 ",\n    \"compressed-clusters\": %" PRIu64 "\n}\n",
           r.image_end_offset, r.total_clusters, r.check_errors, r.leaks, r.corruptions, r.allocated_clusters,
           json_string(path).c_str(), r.fragmented_clusters, r.compressed_clusters);
    return;
  }
  for (const auto& m : r.messages) fprintf(stderr, "%s\n", m.c_str());
  if (!r.messages.empty()) printf("\n");
  if (r.corruptions)
    printf("%" PRIu64 " errors were found on the image.\nData may be corrupted, or further writes to the image "
           "may corrupt it.\n", r.corruptions);
  if (r.leaks) {
    if (r.corruptions) printf("\n");
    printf("%" PRIu64 " leaked clusters were found on the image.\nThis means waste of disk space, but no harm to "
           "data.\n", r.leaks);
  }
  if (r.check_errors) printf("%" PRIu64 " internal errors have occurred during the check.\n", r.check_errors);
  if (!r.corruptions && !r.leaks && !r.check_errors) printf("No errors were found on the image.\n");
  const double total = r.total_clusters ? static_cast<double>(r.total_clusters) : 1.0;
  const double alloc = r.allocated_clusters ? static_cast<double>(r.allocated_clusters) : 1.0;
  printf("%" PRIu64 "/%" PRIu64 " = %0.2f%% allocated, %0.2f%% fragmented, %0.2f%% compressed clusters\n",
         r.allocated_clusters, r.total_clusters, 100.0 * static_cast<double>(r.allocated_clusters) / total,
         100.0 * static_cast<double>(r.fragmented_clusters) / alloc,
         100.0 * static_cast<double>(r.compressed_clusters) / alloc);
  printf("Image end offset: %" PRIu64 "\n", r.image_end_offset);
}

// Rewrites the refcounts from the metadata (-r leaks: only when there is nothing but leaks).
std::optional<std::string> repair(const std::string& path, const storage::qcow2::CheckReport& r, bool all) {
  if (!all && r.corruptions) return "corruptions were found; repairing them needs -r all";
  auto img = storage::Qcow2Image::open(path, false);
  if (!img) return img.error();
  auto fixed = img.value()->repair_refcounts();
  if (!fixed) return fixed.error();
  return std::nullopt;
}

int img_check(int argc, char** argv) {
  Args a;
  if (auto e = parse_args(argc, argv, {"-f", "--output", "-r"}, {"-q", "-U"}, a)) return usage_error(*e);
  std::optional<DiskFormat> fmt;
  if (auto e = format_arg(a, "-f", fmt)) return usage_error(*e);
  std::optional<bool> repair_all;
  if (auto r = last(a, "-r")) {
    if (*r == "all") repair_all = true;
    else if (*r == "leaks") repair_all = false;
    else return usage_error("check: -r takes leaks or all");
  }
  bool json = false;
  if (auto o = last(a, "--output")) {
    if (*o == "json") json = true;
    else if (*o != "human") return usage_error("--output must be human or json");
  }
  if (a.positional.size() != 1) return usage_error("check: expected one FILE");
  const std::string& path = a.positional[0];
  DiskFormat f;
  if (fmt) {
    f = *fmt;
  } else {
    auto probed = storage::probe_format(path);
    if (!probed) return fail(probed.error());
    f = probed.value();
  }
  if (f != DiskFormat::Qcow2) {
    fprintf(stderr, "vessel img: check: this image format (%s) does not support checks\n", storage::to_string(f));
    return kCheckUnsupported;
  }
  auto report = storage::qcow2::check_image(path);
  if (!report) return fail(report.error());
  const bool quiet = has(a, "-q");
  if (repair_all && (report->leaks || report->corruptions)) {
    if (!quiet && !json)
      for (const auto& m : report->messages) fprintf(stderr, "%s\n", m.c_str());
    if (auto e = repair(path, report.value(), *repair_all)) return fail("check: repair failed: " + *e);
    if (!quiet && !json)
      printf("The following inconsistencies were found and repaired:\n\n    %" PRIu64 " leaked clusters\n    %" PRIu64
             " corruptions\n\nDouble checking the fixed image now...\n", report->leaks, report->corruptions);
    report = storage::qcow2::check_image(path);
    if (!report) return fail(report.error());
  }
  const auto& r = report.value();
  if (!quiet || json) print_check_report(r, path, json);
  if (r.corruptions) return kCheckCorrupt;
  if (r.check_errors) return kExitFailure;
  if (r.leaks) return kCheckLeaks;
  return kExitOk;
}

}  // namespace

int img_command(int argc, char** argv) {
  if (argc < 2) return usage_error("missing command");
  const std::string_view sub = argv[1];
  if (sub == "-h" || sub == "--help" || sub == "help") {
    printf("%s", kUsage);
    return kExitOk;
  }
  if (wants_help(argc - 1, argv + 1)) {
    printf("%s", kUsage);
    return kExitOk;
  }
  if (sub == "create") return img_create(argc - 1, argv + 1);
  if (sub == "info") return img_info(argc - 1, argv + 1);
  if (sub == "convert") return img_convert(argc - 1, argv + 1);
  if (sub == "check") return img_check(argc - 1, argv + 1);
  return usage_error("unknown command '" + std::string(sub) + "'");
}

}  // namespace vessel::cli
