#ifndef MIS_FUZZ_DRIVER_H
#define MIS_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, LLVM ≥ 11): parses libFuzzer's flags from argv and
/// runs `callback` on every input. SwiftPM gives executables a `main` of their own, so
/// the fuzz target calls the driver from its top-level code instead of using libFuzzer's main.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
