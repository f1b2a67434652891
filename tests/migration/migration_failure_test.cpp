// Every failure leaves the source running as if nothing happened.
#include "control_client.h"
#include "migration_guest.h"

namespace vessel::test {
namespace {}  // namespace
}  // namespace vessel::test
