// Declarations only: LLVMFuzzerRunDriver is provided by -sanitize=fuzzer.
#include "fuzz_driver.h"
