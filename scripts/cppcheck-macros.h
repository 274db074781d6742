/* make analyze: the libbpf macros userspace/ uses, for cppcheck, which does not read system
 * headers (without them it stops at "unknown macro" and skips the rest of the file). */
#define LIBBPF_OPTS(TYPE, NAME, ...) struct TYPE NAME = {0}
#define bpf_object__for_each_program(pos, obj)                                                     \
	for ((pos) = bpf_object__next_program((obj), 0); (pos);                                    \
	     (pos) = bpf_object__next_program((obj), (pos)))
