// `vessel run`: boots a virtual machine.
//   --kernel: a Linux guest on the virt board (built-in SBI, or --bios firmware).
//   --elf:    a bare-metal program on one hart reporting through HTIF (RISC-V test suites).
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "commands.h"
#include "sandbox_options.h"
#include "common/size.h"
#include "machine/bare_metal.h"
#include "machine/standard_firmware.h"
#include "vmm/console.h"
#include "vmm/control_server.h"
#include "vmm/migration_target.h"
#include "vmm/signal_watch.h"
#include "vmm/virtual_machine.h"
#include "vmm/vm_debugger.h"

namespace vessel::cli {
namespace {

int run_elf(const machine::BareMetalOptions& bare) {
  const machine::BareMetalOutcome out = machine::run_bare_metal(bare);
  switch (out.exit) {
    case machine::BareMetalExit::Pass: return kExitOk;
    case machine::BareMetalExit::Fail:
      fprintf(stderr, "*** FAILED *** (tohost = %d): test %d failed\n", out.code, out.code);
      return kExitFailure;
    case machine::BareMetalExit::Timeout:
      fprintf(stderr, "vessel run: %s\n", out.message.c_str());
      return kExitTimeout;
    case machine::BareMetalExit::BadInput:
      fprintf(stderr, "vessel run: %s\n", out.message.c_str());
      return kExitUsage;
  }
  return kExitFailure;
}

// How to start, beside the machine's configuration.
struct StartOptions {
  bool mergeable = false;  // offer guest RAM to KSM
};

struct DebugOptions {
  std::string gdb;   // tcp:HOST:PORT or unix:PATH
  bool wait = false;  // park the harts until gdb continues them
};

int run_linux(const vmm::VmConfig& config, bool no_reboot, const std::string& control_path,
              const std::string& console_socket, const DebugOptions& debug, const StartOptions& start,
              vmm::IncomingOptions incoming) {
  vmm::VirtualMachine* current = nullptr;
  std::mutex current_mutex;
  auto stop_current = [&](vmm::VmExit why, int code) {
    std::lock_guard lock(current_mutex);
    if (current) current->stop(why, code);
  };
  int signal_received = 0;
  // Ends the wait for an incoming migration when a signal arrives.
  const int stop_waiting = eventfd(0, EFD_CLOEXEC);
  incoming.stop_fd = stop_waiting;
  vmm::SignalWatch signals([&](int signo) {
    signal_received = signo;
    const uint64_t one = 1;
    (void)!write(stop_waiting, &one, sizeof one);
    stop_current(vmm::VmExit::Signal, signo);
  });
  // After the signal watch: threads started before it would not block SIGTERM, and the
  // kernel could deliver it to one of them (the default action ends the process at once).
  std::unique_ptr<vmm::ControlServer> control;
  if (!control_path.empty()) {
    auto c = vmm::ControlServer::listen(control_path);
    if (!c) {
      fprintf(stderr, "vessel run: %s\n", c.error().c_str());
      return kExitUsage;
    }
    control = std::move(c.value());
  }
  // With a console socket (vessel-vmm under vesseld) the console is headless: no stdio.
  vmm::Console console(vmm::Console::Options{.use_stdio = console_socket.empty()});
  if (!console_socket.empty()) {
    if (auto ok = console.listen(console_socket); !ok) {
      fprintf(stderr, "vessel run: %s\n", ok.error().c_str());
      return kExitUsage;
    }
  }
  bool quit = false;
  console.start([&] {
    quit = true;
    stop_current(vmm::VmExit::Quit, 0);
  });

  vmm::VmConfig vm_config = config;  // a restored VM's own configuration replaces it (reboots use it)
  for (;;) {
    const bool restoring = !vm_config.restore_from.empty();
    const bool receiving = !incoming.from.empty();
    bool refused = false;
    auto vm = receiving   ? vmm::VirtualMachine::receive_migration(incoming, console, vm_config, refused)
              : restoring ? vmm::VirtualMachine::restore(vm_config.restore_from, console, vm_config)
                          : vmm::VirtualMachine::create(vm_config, console);
    if (vm && restoring && config.start_paused) vm.value()->start_paused();
    if (!vm && receiving) {
      // The source has not committed: it keeps running the VM.
      fprintf(stderr, "vessel run: incoming migration failed: %s\n", vm.error().c_str());
      return signal_received ? 128 + signal_received : refused ? kExitUsage : kExitFailure;
    }
    if (!vm) {
      fprintf(stderr, "vessel run: %s\n", vm.error().c_str());
      return kExitUsage;
    }
    if (receiving) {
      fprintf(stderr, "vessel run: incoming migration from %s complete; the VM runs here\n", incoming.from.c_str());
      incoming.from.clear();  // a reboot builds a fresh machine here
      vm_config.incoming = false;
    }
    {
      std::lock_guard lock(current_mutex);
      current = vm->get();
      if (control) control->attach(current);
      if (signal_received || quit) current->stop(quit ? vmm::VmExit::Quit : vmm::VmExit::Signal, signal_received);
    }
    if (start.mergeable && !vm.value()->board().as.ram().make_mergeable())
      fprintf(stderr, "vessel run: warning: --ksm: madvise(MADV_MERGEABLE) failed: %s\n", strerror(errno));
    std::unique_ptr<vmm::VmDebugger> debugger;
    if (!debug.gdb.empty()) {
      auto d = vmm::VmDebugger::listen(debug.gdb, debug.wait);
      if (!d) {
        fprintf(stderr, "vessel run: %s\n", d.error().c_str());
        return kExitUsage;
      }
      debugger = std::move(d.value());
      debugger->attach(*vm.value());
    }
    const vmm::VmResult r = vm.value()->run();
    if (debugger) debugger->detach();
    std::string migrated;
    if (r.exit == vmm::VmExit::Migrated) migrated = vm.value()->migration_status();
    {
      std::lock_guard lock(current_mutex);
      current = nullptr;
      if (control) control->attach(nullptr);
    }
    switch (r.exit) {
      case vmm::VmExit::Poweroff: return kExitOk;
      case vmm::VmExit::Quit: return kExitOk;
      case vmm::VmExit::Failure: return r.code ? r.code : kExitFailure;
      case vmm::VmExit::Signal: return 128 + r.code;
      case vmm::VmExit::Migrated: {
        // As QEMU's postmigrate: the VM runs elsewhere now. The final report (with the
        // downtime) stays readable on the control socket for a moment.
        const auto j = nlohmann::json::parse(migrated, nullptr, false);
        fprintf(stderr, "vessel run: the VM migrated to %s (downtime %.1f ms); exiting\n",
                j.is_object() ? j.value("to", "?").c_str() : "?",
                j.is_object() ? j.value("downtime_ms", 0.0) : 0.0);
        if (control) {
          control->set_epilogue(migrated);
          (void)control->wait_epilogue_read(std::chrono::seconds(2));
        }
        return kExitMigrated;
      }
      case vmm::VmExit::Reboot:
        if (no_reboot) return kExitReboot;
        continue;  // a fresh machine with the same configuration
    }
  }
}

}  // namespace

int run_command(int argc, char** argv) {
  CLI::App app{"Run a virtual machine", "vessel run"};
  machine::BareMetalOptions bare;
  vmm::VmConfig vm;
  std::string memory = "256M";
  bool no_reboot = false;
  app.add_option("--kernel", vm.kernel, "Linux kernel (Image or ELF) to boot in S-mode");
  app.add_option("--initrd", vm.initrd, "initial ramdisk");
  app.add_option("--append", vm.append, "kernel command line");
  app.add_option("--cpus", vm.cpus, "number of harts (1 to 32)");
  app.add_option("--bios", vm.bios, "firmware (e.g. OpenSBI fw_dynamic.bin) to run in M-mode at the DRAM base");
  std::string firmware;
  app.add_option("--firmware", firmware,
                 "boot from the disk through Debian's firmware: uboot = OpenSBI (--bios) + U-Boot's S-mode build "
                 "(--kernel), which reads extlinux.conf or EFI from the first disk");
  app.add_flag("--no-reboot", no_reboot, "exit with status 4 when the guest reboots instead of restarting it");
  app.add_option("--dump-dtb", vm.dump_dtb, "write the generated device tree blob to FILE");
  std::vector<std::string> drives;
  std::string control_path;
  app.add_option("--control", control_path, "serve the JSON control protocol on this Unix socket");
  app.add_option("--restore", vm.restore_from, "continue the VM saved in this snapshot file (its configuration too)");
  app.add_flag("--paused", vm.start_paused, "with --restore: start paused (resume over --control)");
  vmm::IncomingOptions incoming;
  app.add_option("--incoming", incoming.from,
                 "wait for a live migration on tcp:HOST:PORT or unix:PATH and run the VM it brings (machine "
                 "options given here must match the source's)");
  app.add_option("--migrate-disks-to", incoming.disks_dir,
                 "with --incoming: the source copies its disks (migrate_disks); create the new images in this "
                 "directory (deleted again if the migration fails)");
  app.add_option("--cpu-cap", vm.cpu_cap, "CPU cap: fraction of one host core for the whole VM (0.25); 0 = none")
      ->check(CLI::Range(0.0, 1024.0));
  std::string console_socket;
  app.add_option("--console-socket", console_socket,
                 "headless: no stdio; serve console attach (recent output, then live) on this Unix socket");
  app.add_option("--drive", drives, "virtio disk: file=PATH[,format=raw|qcow2][,readonly=on][,serial=ID][,bus=mmio|pci] (repeatable)");
  std::vector<std::string> nets;
  app.add_option("--net", nets,
                 "virtio NIC: user[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...[,mac=MAC] or "
                 "tap,ifname=NAME[,mac=MAC] or vde,sock=SWITCHDIR[,mac=MAC] (a port on a VDE switch; antispoof=on by "
                 "default: frames with another source MAC are dropped); each with [,bps=N][,pps=N][,bus=mmio|pci] "
                 "(repeatable)");
  std::string vsock;
  app.add_option("--vsock", vsock,
                 "virtio-vsock: cid=N[,uds=PATH][,bus=mmio|pci] (N >= 3); host clients connect to PATH and write \"CONNECT PORT\\n\", "
                 "guest connections to host port P reach the Unix socket PATH_P");
  app.add_option("--vsock-socket", vm.vsock_socket,
                 "with --restore or --incoming: serve the vsock host socket here instead of the saved path");
  std::vector<std::string> shares;
  app.add_option("--share", shares,
                 "share a host directory over virtio-9p: tag=NAME,path=DIR[,readonly=on][,bus=mmio|pci]; the guest "
                 "mounts it with mount -t 9p -o trans=virtio,version=9p2000.L NAME DIR (repeatable)");
  app.add_option("--elf", bare.elf_path, "bare-metal RISC-V ELF to run in M-mode (HTIF tohost/fromhost)");
  DebugOptions debug;
  app.add_option("--gdb", debug.gdb,
                 "serve gdb's remote protocol on tcp:HOST:PORT or unix:PATH (harts are threads; attaching stops the VM; "
                 "with --elf the program waits for gdb before its first instruction)");
  app.add_flag("--gdb-wait", debug.wait, "with --gdb: the harts wait for gdb before their first instruction");
  StartOptions start;
  app.add_flag("--ksm", start.mergeable,
               "offer guest RAM to the host's KSM (MADV_MERGEABLE), which shares identical pages between VMs");
  app.add_option("--memory,-m", memory, "guest RAM size (e.g. 256M, 2G; a bare number means MiB)");
  app.add_option("--max-instructions", bare.max_instructions, "--elf: stop with exit status 3 after N instructions");
  app.add_flag("--trace", bare.trace, "print every executed instruction to stderr (interpreter only, slow)");
  std::string engine = "jit";
  app.add_option("--engine", engine, "how guest code runs: jit (translated to x86-64, default) or interp")
      ->check(CLI::IsMember({"jit", "interp"}));
  std::string cpu = riscv::cpu_profile_name(riscv::kDefaultCpu);
  app.add_option("--cpu", cpu,
                 "the ISA the harts implement (misa, device tree; other instructions are illegal): rv64gc, rva22 "
                 "(RVA22S64: B, Zicbo*, Zfhmin, Svpbmt/Svinval/Svnapot; default) or rva23 (also Zicond, Zimop, "
                 "Zcmop, Zcb, Zfa, Zawrs; no V)")
      ->check(CLI::IsMember({"rv64gc", "rva22", "rva23"}));
  std::string huge_pages = "on";
  app.add_option("--hugepages", huge_pages,
                 "back guest RAM with transparent huge pages: on (default: faster boot) or off (memory held "
                 "in 4 KiB instead of 2 MiB units, for density)")
      ->check(CLI::IsMember({"on", "off"}));
  app.add_option("--signature", bare.signature_path,
                 "--elf: write memory between begin_signature and end_signature to FILE as hex words");
  app.add_option("--signature-granularity", bare.signature_granularity, "--elf: bytes per signature line (default 4)")
      ->check(CLI::IsMember({1u, 2u, 4u, 8u, 16u}));
  SandboxOptions sandbox;
  add_sandbox_options(app, sandbox);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "vessel run: %s\n", e.what());
    return kExitUsage;
  }

  const auto mem = parse_size(memory);
  if (!mem || *mem < (16ull << 20) || *mem > (1ull << 40) || (*mem & 0xfff)) {
    fprintf(stderr, "vessel run: invalid --memory '%s' (expected 16M to 1T, e.g. 256M or 2G)\n", memory.c_str());
    return kExitUsage;
  }
  if (!bare.elf_path.empty() && (!vm.kernel.empty() || !firmware.empty())) {
    fprintf(stderr, "vessel run: --elf excludes --kernel and --firmware\n");
    return kExitUsage;
  }
  if (sandbox.enabled && !bare.elf_path.empty()) {
    fprintf(stderr, "vessel run: --sandbox applies to Linux guests (--kernel, --restore, --incoming), not --elf\n");
    return kExitUsage;
  }
  // Enters the jail before the VMM starts a thread; the keeper process never returns.
  auto jail = [&](vmm::VmConfig& config) {
    if (!sandbox.enabled) return kExitOk;
    for (std::string* p : {&control_path, &console_socket})
      if (!p->empty() && (*p)[0] != '/') *p = std::filesystem::absolute(*p).lexically_normal().string();
    std::vector<std::string> sockets;
    for (const std::string& p : {control_path, console_socket})
      if (!p.empty()) sockets.push_back(p);
    for (std::string* address : {&debug.gdb, &incoming.from})
      if (address->rfind("unix:", 0) == 0) {
        std::string path = address->substr(5);
        if (!path.empty() && path[0] != '/') path = std::filesystem::absolute(path).lexically_normal().string();
        *address = "unix:" + path;
        sockets.push_back(path);
      }
    return enter_sandbox(sandbox, config, sockets);
  };
  bare.engine = engine == "interp" ? riscv::EngineKind::Interpreter : riscv::EngineKind::Jit;
  bare.cpu = *riscv::parse_cpu_profile(cpu);
  if (!bare.elf_path.empty()) {
    bare.memory_bytes = *mem;
    bare.gdb = debug.gdb;
    return run_elf(bare);
  }
  if (!firmware.empty()) {
    if (!vm.kernel.empty() || !vm.bios.empty()) {
      fprintf(stderr, "vessel run: --firmware picks --bios and --kernel itself; give one or the other\n");
      return kExitUsage;
    }
    auto files = machine::standard_firmware(firmware);
    if (!files) {
      fprintf(stderr, "vessel run: --firmware: %s\n", files.error().c_str());
      return kExitUsage;
    }
    vm.bios = files->bios;
    vm.kernel = files->kernel;
  }
  if (!incoming.disks_dir.empty() && incoming.from.empty()) {
    fprintf(stderr, "vessel run: --migrate-disks-to needs --incoming\n");
    return kExitUsage;
  }
  if (!incoming.from.empty()) {
    for (const char* o : {"--kernel", "--initrd", "--append", "--bios", "--firmware", "--cpu-cap", "--restore",
                          "--paused", "--elf", "--dump-dtb"})
      if (app.count(o)) {
        fprintf(stderr, "vessel run: %s cannot be used with --incoming (the source sends the configuration)\n", o);
        return kExitUsage;
      }
    if (app.count("--memory")) incoming.memory_bytes = *mem;
    if (app.count("--cpus")) incoming.cpus = vm.cpus;
    if (app.count("--cpu")) incoming.cpu = *riscv::parse_cpu_profile(cpu);
    if (app.count("--net")) incoming.nets = nets.size();
    if (app.count("--drive")) {
      std::vector<std::string> files;
      for (const std::string& text : drives) {
        auto d = vmm::parse_drive(text);
        if (!d) {
          fprintf(stderr, "vessel run: %s\n", d.error().c_str());
          return kExitUsage;
        }
        files.push_back(d->file);
      }
      incoming.drive_files = files;
    }
    vm.trace = bare.trace;
    vm.engine = bare.engine;
    vm.huge_pages = huge_pages == "on";
    if (!incoming.disks_dir.empty()) {
      // The VM's configuration names the copies by this path, also inside a jail (bound there).
      incoming.disks_dir = std::filesystem::absolute(incoming.disks_dir).lexically_normal().string();
      // (vesseld puts the copies beside the VM's sockets, whose directory is bound already.)
      bool bound = false;
      for (std::string socket : {control_path, console_socket, incoming.from.rfind("unix:", 0) == 0 ? incoming.from.substr(5) : ""})
        if (!socket.empty() &&
            std::filesystem::absolute(socket).lexically_normal().parent_path().string() == incoming.disks_dir)
          bound = true;
      if (sandbox.enabled && !bound) sandbox.binds.push_back(incoming.disks_dir + ":rw");
    }
    if (sandbox.enabled) {
      // The jail holds the disks the source names (given here as --drive).
      vmm::VmConfig expected = vm;
      for (const std::string& text : drives) expected.drives.push_back(vmm::parse_drive(text).value());
      // And the directories it shares (given here as --share): the stream names them by path.
      for (const std::string& text : shares) {
        auto sh = vmm::parse_share(text);
        if (!sh) {
          fprintf(stderr, "vessel run: %s\n", sh.error().c_str());
          return kExitUsage;
        }
        expected.shares.push_back(sh.value());
      }
      if (const int jailed = jail(expected); jailed != kExitOk) return jailed;
    }
    return run_linux(vm, no_reboot, control_path, console_socket, debug, start, incoming);
  }
  if (!vm.restore_from.empty()) {
    for (const char* o : {"--kernel", "--initrd", "--append", "--cpus", "--cpu", "--bios", "--firmware", "--drive",
                          "--net", "--vsock", "--share", "--memory", "--cpu-cap", "--dump-dtb", "--elf"})
      if (app.count(o)) {
        fprintf(stderr, "vessel run: %s cannot be used with --restore (the snapshot holds the configuration)\n", o);
        return kExitUsage;
      }
  } else if (vm.start_paused) {
    fprintf(stderr, "vessel run: --paused only applies to --restore\n");
    return kExitUsage;
  }
  if (!vm.vsock_socket.empty() && vm.restore_from.empty() && incoming.from.empty()) {
    fprintf(stderr, "vessel run: --vsock-socket only applies to --restore and --incoming (otherwise give --vsock uds=PATH)\n");
    return kExitUsage;
  }
  if (vm.kernel.empty() && vm.restore_from.empty()) {
    fprintf(stderr, "vessel run: nothing to run: give --kernel FILE (Linux), --firmware uboot (boot from the disk) "
                    "or --elf FILE (bare metal)\n");
    return kExitUsage;
  }
  if (vm.cpus < 1 || vm.cpus > machine::Board::kMaxHarts) {
    fprintf(stderr, "vessel run: --cpus must be between 1 and %u\n", machine::Board::kMaxHarts);
    return kExitUsage;
  }
  vm.memory_bytes = *mem;
  vm.trace = bare.trace;
  vm.engine = bare.engine;
  vm.cpu = bare.cpu;
  vm.huge_pages = huge_pages == "on";
  for (const std::string& text : drives) {
    auto d = vmm::parse_drive(text);
    if (!d) {
      fprintf(stderr, "vessel run: %s\n", d.error().c_str());
      return kExitUsage;
    }
    vm.drives.push_back(d.value());
  }
  for (const std::string& text : nets) {
    auto n = vmm::parse_net(text);
    if (!n) {
      fprintf(stderr, "vessel run: %s\n", n.error().c_str());
      return kExitUsage;
    }
    vm.nets.push_back(n.value());
  }
  if (app.count("--vsock")) {
    auto v = vmm::parse_vsock(vsock);
    if (!v) {
      fprintf(stderr, "vessel run: %s\n", v.error().c_str());
      return kExitUsage;
    }
    vm.vsock = v.value();
  }
  for (const std::string& text : shares) {
    auto sh = vmm::parse_share(text);
    if (!sh) {
      fprintf(stderr, "vessel run: %s\n", sh.error().c_str());
      return kExitUsage;
    }
    vm.shares.push_back(sh.value());
  }
  if (auto ok = vmm::check_shares(vm.shares); !ok) {
    fprintf(stderr, "vessel run: %s\n", ok.error().c_str());
    return kExitUsage;
  }
  if (const int jailed = jail(vm); jailed != kExitOk) return jailed;
  return run_linux(vm, no_reboot, control_path, console_socket, debug, start, vmm::IncomingOptions{});
}

}  // namespace vessel::cli
