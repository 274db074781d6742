// SPDX-License-Identifier: GPL-2.0
/* ELF modules read once: see userspace/diagnose/symcache.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "symcache.h"

struct module_key {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime; /* a file rewritten in place keeps its inode */
};

struct module {
	struct module_key key;
	bool usable;
	struct ow_elf_symbols elf;
};

struct ow_symcache {
	struct module **mods;
	size_t n, cap;
};

struct ow_symcache *ow_symcache_new(void)
{
	return calloc(1, sizeof(struct ow_symcache));
}

void ow_symcache_free(struct ow_symcache *cache)
{
	size_t i;

	if (!cache)
		return;
	for (i = 0; i < cache->n; i++) {
		ow_elf_symbols_free(&cache->mods[i]->elf);
		free(cache->mods[i]);
	}
	free(cache->mods);
	free(cache);
}

size_t ow_symcache_count(const struct ow_symcache *cache)
{
	return cache->n;
}

static bool same_key(const struct module_key *a, const struct module_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* A process maps a few dozen files: a linear scan on first sight of each mapping is enough. */
static struct module *lookup(const struct ow_symcache *cache, const struct module_key *key)
{
	size_t i;

	for (i = 0; i < cache->n; i++) {
		if (same_key(&cache->mods[i]->key, key))
			return cache->mods[i];
	}
	return NULL;
}

static int insert(struct ow_symcache *cache, struct module *m)
{
	struct module **nm;

	if (cache->n == cache->cap) {
		nm = reallocarray(cache->mods, cache->cap ? cache->cap * 2 : 16, sizeof(*nm));
		if (!nm)
			return -ENOMEM;
		cache->mods = nm;
		cache->cap = cache->cap ? cache->cap * 2 : 16;
	}
	cache->mods[cache->n++] = m;
	return 0;
}

static int load(struct ow_symcache *cache, int fd, const struct module_key *key,
		struct module **out)
{
	struct module *m = calloc(1, sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	m->key = *key;
	err = ow_elf_symbols_load(fd, &m->elf);
	m->usable = !err;
	if (err == -ENOEXEC)
		err = 0;
	if (!err)
		err = insert(cache, m);
	if (err) {
		ow_elf_symbols_free(&m->elf);
		free(m);
		return err;
	}
	*out = m;
	return 0;
}

int ow_symcache_get(struct ow_symcache *cache, int fd, const struct ow_elf_symbols **out)
{
	struct module_key key;
	struct module *m;
	struct stat st;
	int err;

	*out = NULL;
	if (fstat(fd, &st))
		return -errno;
	memset(&key, 0, sizeof(key));
	key.dev = st.st_dev;
	key.ino = st.st_ino;
	key.size = st.st_size;
	key.mtime = st.st_mtim;
	m = lookup(cache, &key);
	if (!m) {
		err = load(cache, fd, &key, &m);
		if (err)
			return err;
	}
	*out = m->usable ? &m->elf : NULL;
	return 0;
}
