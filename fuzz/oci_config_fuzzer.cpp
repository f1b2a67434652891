// The OCI runtime's config.json parser: any document is either a Spec or a BadInput error
// (container::Error); any other exception escaping would end the runtime with a crash.
// Input: the text of config.json.
#include <nlohmann/json.hpp>

#include "container/error.h"
#include "container/oci_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel::container;
  const auto document = nlohmann::json::parse(data, data + size, nullptr, false);
  if (document.is_discarded()) return 0;
  try {
    const Spec spec = parse_spec(document, "/nonexistent-bundle");
    (void)spec;
  } catch (const Error&) {
  }
  try {
    if (document.is_object() && document.contains("process")) (void)parse_process(document["process"]);
  } catch (const Error&) {
  }
  return 0;
}
