#include "jit/jit_engine.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <x86intrin.h>
#include <unistd.h>

#include "jit/host_fp_flags.h"

namespace vessel::jit {
namespace {

constexpr size_t kTrampolineBytes = 4096;

uint8_t context_of(const riscv::Hart& h) { return static_cast<uint8_t>(h.fetch_ctx | (h.data_ctx << 2)); }

}  // namespace

JitEngine::JitEngine(riscv::Hart& hart, size_t code_bytes)
    : hart_(hart), interpreter_(hart), buffer_(code_bytes), layout_(hart), state_(std::make_unique<JitState>()) {
  for (unsigned c = 0; c < riscv::kNumCtx; ++c) state_->fetch_tlb[c] = &hart.tlb[c].fetch.e[0];
  state_->engine = this;
  state_->revalidate = &JitEngine::still_valid;
  for (uint32_t m = 0; m < 64; ++m) state_->fflags_of_mxcsr[m] = fflags_of_mxcsr(m);
  if (!buffer_.ok()) return;
  trampoline_ = std::make_unique<Trampoline>(buffer_.base(), kTrampolineBytes);
  translator_ = std::make_unique<Translator>(buffer_.base() + kTrampolineBytes, buffer_.size() - kTrampolineBytes,
                                             layout_, *trampoline_, link_sites_,
                                             riscv::Decoder::for_cpu(hart.cpu));
  if (getenv("VESSEL_PERF_MAP")) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%d.map", static_cast<int>(getpid()));
    perf_map_ = fopen(path, "a");
  }
}

// VESSEL_JIT_STATS=1 prints what the JIT did for each hart when it ends (tuning aid).
JitEngine::~JitEngine() {
  if (perf_map_) fclose(perf_map_);
  if (!getenv("VESSEL_JIT_STATS")) return;
  const JitStats& s = stats_;
  fprintf(stderr,
          "jit: %lu blocks, %zu bytes code, %lu links, %lu revalidations, %lu invalidated, %lu flushes; "
          "%lu dispatches, %lu jump-cache hits, %lu lookups, %lu cold runs, %lu fetch-TLB misses; "
          "translation %lu Mcycles\n",
          s.blocks_translated, translator_ ? translator_->getSize() : 0, s.links, s.revalidations, s.invalidated,
          s.cache_flushes, s.dispatches, s.dispatch_jc_hits, s.lookups, s.cold_runs, s.tlb_misses, s.translate_cycles >> 20);
}

void JitEngine::flush_all() {
  translator_->clear();
  map_.clear();
  blocks_.clear();
  link_sites_.clear();
  state_->clear_jump_cache();
  ++stats_.cache_flushes;
}

const uint8_t* JitEngine::guest_code_at_pc() const {
  const riscv::Hart& h = hart_;
  const uint64_t vpn = h.pc >> riscv::kPageShift;
  const riscv::TlbEntry& e = h.tlb[h.fetch_ctx].fetch.slot(vpn);
  return e.vpn == vpn ? reinterpret_cast<const uint8_t*>(h.pc + e.addend) : nullptr;
}

bool JitEngine::jump_cache_hit(const JumpCacheEntry& slot) const {
  const riscv::Hart& h = hart_;
  if (slot.pc != h.pc || (slot.code & 15) != context_of(h)) return false;
  const uint8_t* guest = guest_code_at_pc();
  return guest && guest == slot.guest;
}

Block* JitEngine::find_block() {
  riscv::Hart& h = hart_;
  const uint64_t pc = h.pc;
  ++stats_.lookups;
  const uint8_t* guest = guest_code_at_pc();
  if (!guest) { ++stats_.tlb_misses; return nullptr; }  // the interpreter fills the TLB (or raises the fault)
  const uint8_t ctx = context_of(h);
  const BlockKey key{guest, pc, ctx};
  // Code that is not hot yet runs in the interpreter, which counts block runs and hands a
  // block over (hot_pc_) once it ran hot_threshold times: only such blocks are translated,
  // and the block table holds translations only.
  if (hot_threshold && pc != hot_pc_) {
    if (Block* known = map_.find(key)) return known;
    cold_ = true;
    return nullptr;
  }
  BlockMap::Entry& known = map_.find_or_insert(key);
  if (known.block) return known.block;

  if (!translator_->has_room()) flush_all();
  // Read the epoch before the guest bytes: a FENCE.I after the read moves it on.
  const auto epoch = static_cast<uint32_t>(state_->epoch->load(std::memory_order_acquire));
  Block& b = blocks_.emplace_back();
  const uint64_t t0 = __rdtsc();
  const bool translated = translator_->translate(b, pc, guest, ctx, h.data_ctx);
  stats_.translate_cycles += __rdtsc() - t0;
  if (!translated) {
    blocks_.pop_back();
    return nullptr;
  }
  b.set_epoch(epoch);
  ++stats_.blocks_translated;
  if (perf_map_)
    fprintf(perf_map_, "%lx %lx guest_%lx_%u\n", reinterpret_cast<uintptr_t>(b.entry),
            static_cast<unsigned long>(translator_->getCurr() - b.entry), static_cast<unsigned long>(pc), b.length);
  map_.find_or_insert(key).block = &b;
  interpreter_.note_translated(pc, guest);
  return &b;
}

void JitEngine::link(LinkSite& site) {
  Block* from = site.from;
  // No linking when the cache is about to be flushed: the site would not survive it.
  if (from->dead || !translator_->has_room()) return;
  Block* to = find_block();  // hart.pc is the site's target, in the source block's context
  if (!to || to->dead) return;
  patch_rel32(site.rel32, to->entry);
  to->incoming.push_back(&site);
  ++stats_.links;
}

bool JitEngine::still_valid(void* engine, Block* block) {
  auto& self = *static_cast<JitEngine*>(engine);
  Block& b = *block;
  const uint64_t epoch = self.state_->epoch->load(std::memory_order_acquire);
  if (b.dead || memcmp(b.copy_from, b.code_copy.data(), b.code_copy.size()) != 0) return false;
  ++self.stats_.revalidations;
  b.set_epoch(static_cast<uint32_t>(epoch));
  return true;
}

// The guest rewrote this block's code: unlink every jump into it and forget it. Its host
// code stays in the buffer (never entered again) until the next full flush.
void JitEngine::kill(Block& b) {
  b.dead = true;
  ++stats_.invalidated;
  map_.erase(BlockKey{b.guest, b.pc, b.ctx});
  for (LinkSite* site : b.incoming) patch_rel32(site->rel32, site->stub);
  b.incoming.clear();
  for (auto& entry : state_->jump_cache)
    if ((entry.code & ~uintptr_t{15}) == reinterpret_cast<uintptr_t>(b.entry)) entry = JumpCacheEntry{};
}

void JitEngine::release_memory() {
  interpreter_.release_memory();
  if (!ok() || blocks_.size() < 256) return;
  flush_all();
  buffer_.discard_from(kTrampolineBytes);
  blocks_ = {};
  link_sites_.clear();
  link_sites_.shrink_to_fit();
  map_.release();
}

void JitEngine::interpret_run() {
  riscv::Hart& h = hart_;
  interpreter_.hot_threshold = hot_threshold;
  interpreter_.exact_budget = exact_budget;
  interpreter_.run_batch(state_->instret_limit - h.instret);
  hot_pc_ = interpreter_.stopped_at_hot_block() ? h.pc : ~uint64_t{0};
}

uint64_t JitEngine::run_batch(uint64_t budget) {
  riscv::Hart& h = hart_;
  if (!ok()) return interpreter_.run_batch(budget);
  h.end_batch = false;
  state_->epoch = h.code_epoch;
  const uint64_t start = h.instret;
  state_->instret_limit = start + budget;
  uint64_t interpreted = 0;
  while (!h.end_batch && h.instret < state_->instret_limit) {
    ++stats_.dispatches;
    // The jump cache first (no hashing); the prologue checks budget and epoch.
    JumpCacheEntry& slot = state_->jump_cache[JitState::jump_slot(h.pc)];
    const uint8_t* entry = nullptr;
    if (jump_cache_hit(slot)) {
      entry = reinterpret_cast<const uint8_t*>(slot.code & ~uintptr_t{15});
      ++stats_.dispatch_jc_hits;
    } else {
      cold_ = false;
      Block* b = find_block();
      if (cold_) {
        ++stats_.cold_runs;
        interpret_run();
        continue;
      }
      // Budgets are exact: a block that does not fit runs its instructions one by one.
      if (!b || h.instret + b->length > state_->instret_limit) {
        if (b && !exact_budget) break;
        interpreter_.step();
        ++interpreted;
        continue;
      }
      // Later indirect jumps to this pc go straight to the block.
      slot.pc = h.pc;
      slot.code = reinterpret_cast<uintptr_t>(b->entry) | b->ctx;
      slot.guest = b->guest;
      entry = b->entry;
    }
    h.trapped = false;
    const uint64_t before = h.instret;
    prepare_host_fp(h);
    const uintptr_t tag = trampoline_->enter(h, *state_, entry);
    fold_host_fp_flags(h);
    if (tag == kExitPlain && h.instret == before && h.pc == slot.pc && !h.end_batch) {
      // The block would not fit in what is left of the batch: finish it interpreting.
      if (!exact_budget) break;
      interpreter_.step();
      ++interpreted;
      continue;
    }
    switch (tag & kExitTagMask) {
      case kExitLink: link(*reinterpret_cast<LinkSite*>(tag & ~uintptr_t{kExitTagMask})); break;
      case kExitStale: {  // the block found its guest bytes changed (still_valid)
        Block& stale = *reinterpret_cast<Block*>(tag & ~uintptr_t{kExitTagMask});
        if (!stale.dead) kill(stale);
        break;
      }
      default: break;
    }
  }
  return h.instret - start + interpreted;
}

}  // namespace vessel::jit
