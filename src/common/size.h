// Parses human-written sizes: "512M", "4G", "64MiB", "1048576B". A bare number means MiB,
// as with QEMU's -m.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace vessel {

std::optional<uint64_t> parse_size(std::string_view text);

}  // namespace vessel
