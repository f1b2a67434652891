// `vessel-vmm`: the per-VM process vesseld starts, detached, with a control socket and a
// console socket (--control, --console-socket). It takes exactly the options of `vessel run`.
#include "commands.h"

int main(int argc, char** argv) { return vessel::cli::run_command(argc, argv); }
