/* fuzz.h: one way to write a fuzz target for libFuzzer and for the replay. */
#ifndef RP_FUZZ_H
#define RP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * A target is written once:
 *
 *	RP_FUZZ_TARGET(parse)
 *	{
 *		... use data, size; abort() on a broken invariant ...
 *		return 0;
 *	}
 *
 * Built by `make fuzz` (clang, -DRP_LIBFUZZER) it is the binary's
 * LLVMFuzzerTestOneInput; built into tests/fuzz/replay (make check) it
 * registers itself under its name, and the replay runs every seed of
 * tests/fuzz/corpus/NAME/ through it.
 */
typedef int (*rp_fuzz_fn)(const uint8_t *data, size_t size);

void rp_fuzz_register(const char *name, rp_fuzz_fn fn);

#ifdef RP_LIBFUZZER
#define RP_FUZZ_ENTRY(name) \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) \
	{ \
		return rp_fuzz_##name(data, size); \
	}
#else
#define RP_FUZZ_ENTRY(name) \
	__attribute__((constructor)) static void rp_fuzz_reg_##name(void) \
	{ \
		rp_fuzz_register(#name, rp_fuzz_##name); \
	}
#endif

#define RP_FUZZ_TARGET(name) \
	static int rp_fuzz_##name(const uint8_t *data, size_t size); \
	RP_FUZZ_ENTRY(name) \
	static int rp_fuzz_##name(const uint8_t *data, size_t size)

#endif
