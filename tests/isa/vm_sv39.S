/* Sv39 virtual memory: every page-fault kind (invalid PTE, W without R, non-leaf at the
   last level, read-only, U page from S without/with SUM, S page from U, U code from S,
   execute-only with/without MXR, no-X fetch, misaligned superpages, non-canonical VA),
   stval = faulting VA, hardware A/D updates, superpages, SFENCE.VMA, satp mode switching
   and unsupported modes, MPRV, page faults delegated to S. See include/vm_common.h. */
#define VM_LEVELS 3
#include "vm_common.h"
