// SPDX-License-Identifier: GPL-2.0
/*
 * The brake state file (sys/brake_state.c), which a restarted daemon reads before it writes any
 * memory.high: the input is the file. Whatever loads must save and load back to the same brakes
 * with no bad line (the writer's escaping and the parser agree); the input is also one line for
 * the line parser.
 */
#include "fuzz.h"
#include "brake_state.h"

static void same_brakes(const struct ow_brake_state *a, const struct ow_brake_state *b)
{
	const struct ow_brake *x, *y;
	unsigned int i;

	if (a->n != b->n)
		abort();
	for (i = 0; i < a->n; i++) {
		x = &a->v[i];
		y = ow_brake_find(b, x->path);
		if (!y || x->cg_id != y->cg_id || x->orig_high != y->orig_high ||
		    x->set_high != y->set_high || x->set_at != y->set_at)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ow_brake_state st, back;
	char file[128], path[PATH_MAX], *s;
	unsigned int bad;
	struct ow_brake b;
	int n;

	fuzz_put("run/brakes", data, size);
	snprintf(file, sizeof(file), "%s/run/brakes", fuzz_dir());
	if (ow_brake_state_init(&st, file) || ow_brake_state_init(&back, file))
		abort();
	n = ow_brake_state_load(&st, &bad);
	if (n >= 0) {
		if (ow_brake_state_save(&st) || ow_brake_state_load(&back, &bad) != n || bad)
			abort();
		same_brakes(&st, &back);
	}
	ow_brake_state_free(&st);
	ow_brake_state_free(&back);

	s = fuzz_str(data, size);
	ow_brake_parse_line(s, path, sizeof(path), &b);
	free(s);
	return 0;
}
