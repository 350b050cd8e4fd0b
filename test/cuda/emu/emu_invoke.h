// Calls a kernel with parameters laid out as cuLaunchKernel takes them (void* per parameter),
// and registers each kernel file's kernels by name for the emulator addon.
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>

typedef void (*gb_emu_fn)(void**);
struct gb_emu_entry {
  const char* name;
  gb_emu_fn fn;
};

template <typename Sig> struct gb_emu_invoker;
template <typename... A> struct gb_emu_invoker<void (*)(A...)> {
  template <void (*F)(A...), size_t... I>
  static void call(void** p, std::index_sequence<I...>) {
    F(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(p[I])...);
  }
  template <void (*F)(A...)>
  static void run(void** p) { call<F>(p, std::index_sequence_for<A...>{}); }
};

#define GB_EMU_ENTRY(name) gb_emu_entry{#name, &gb_emu_invoker<decltype(&name)>::template run<&name>}

// Defined in emu_addon.cc: records one kernel file's table at start-up.
int gb_emu_register(const char* file, const gb_emu_entry* entries, size_t count);
