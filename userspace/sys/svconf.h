/* SPDX-License-Identifier: GPL-2.0 */
/*
 * supervisord's own stop timeout for one of its processes: stopwaitsecs= of the program the
 * process belongs to (supervisord waits that long after its stop signal, then SIGKILLs; 10 s
 * when not set). Only a value the user set counts: "not set" is -1, as is anything that
 * cannot be known for sure.
 *
 * The parser (svconf.c, pure) is fed supervisord's configuration a file at a time in the order
 * supervisord reads it: the file it was started with, then each glob of that file's [include]
 * files=, a glob's matches sorted (only the first file's [include] counts). The syntax is
 * supervisor's, Python's configparser as supervisor sets it up: "key = value" or "key: value",
 * keys in any case, ";" and "#" comments (also after white space on a line), lines indented
 * deeper than their key continue its value, a later assignment overrides an earlier one, in
 * the same file or a later one. A line supervisord would refuse (no "=" or ":", an option
 * before any section) makes the whole configuration unknown: supervisord would not have
 * started, or reloaded, with it.
 *
 * Which program: SUPERVISOR_GROUP_NAME names the group (the program itself when the program is
 * in no [group:x]). A [group:NAME] lists its programs; else the group is the [program:NAME]
 * (or fcgi-program, eventlistener) of that name. Within a group the process name
 * (SUPERVISOR_PROCESS_NAME) picks the program whose process_name= (default "%(program_name)s";
 * %(process_num)02d and the like over numprocs_start.. numprocs) makes it. Where that cannot be
 * told (an expansion only supervisord knows: here, host_node_name, ENV_*), the programs that
 * could make it must agree on stopwaitsecs; so must several that do.
 *
 * The reader (svconf_read.c) takes supervisord's pid: the file it was started with is its
 * -c/--configuration, else the first supervisor's own search finds (etc/supervisord.conf and
 * supervisord.conf two levels above its script, supervisord.conf and etc/supervisord.conf in
 * its working directory, /etc/supervisord.conf, /etc/supervisor/supervisord.conf), a relative
 * path taken from its working directory. Files are read under a root directory ("" live, a
 * fixture tree in tests), never blocking and capped; for a supervisord that runs as a user,
 * only files that user may read. What it does not see: changes supervisord has not reread
 * (the files are read as they are now), globs in an include's directory part (unknown), and
 * an include that names a FIFO, a device or a file over the cap (unknown).
 */
#ifndef OW_SVCONF_H
#define OW_SVCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "managed.h"

struct ow_svconf;

/* A parser for the process `process` of group `group`, or NULL (out of memory). */
struct ow_svconf *ow_svconf_new(const char *group, const char *process);
void ow_svconf_free(struct ow_svconf *c);

/* One file's text; main_file for the file supervisord was started with. */
void ow_svconf_feed(struct ow_svconf *c, const char *text, bool main_file);

/* The main file's [include] files= (globs separated by white space), or NULL. */
const char *ow_svconf_includes(const struct ow_svconf *c);

/* What was fed cannot be known whole (a file that could not be read): stopwait says -1. */
void ow_svconf_set_unknown(struct ow_svconf *c);

/* stopwaitsecs= of the process's program, in seconds (a negative one is 0: supervisord kills
 * at once), or -1: not set, or not known for sure. */
double ow_svconf_stopwait(const struct ow_svconf *c);

/* enum ow_sv_restart (core/managed.h) of the process's program. */
int ow_svconf_autorestart(const struct ow_svconf *c);

/*
 * From supervisord's argv (NUL-separated, as in /proc/PID/cmdline; its script may follow an
 * interpreter): its -c/--configuration value into conf ("" when none), and the directory two
 * levels above its script, where supervisor's search starts ("here"), into here. Returns 0, or
 * -EINVAL: not supervisord, or options supervisord would refuse. Pure.
 */
int ow_svconf_argv(const char *argv, size_t len, char *conf, size_t conf_len, char *here,
		   size_t here_len);

/*
 * The reader: stopwaitsecs for the process `process` of group `group` under supervisord `sd`
 * (a pid under procroot), the files read under fs. as_uid: the user supervisord runs as when
 * not root (a file it may not read is as good as missing), 0 for root. Returns seconds or -1;
 * *autorestart (unless NULL): ow_svconf_autorestart, OW_SV_RESTART_UNKNOWN when unread.
 */
double ow_svconf_read(const char *fs, const char *procroot, pid_t sd, uid_t as_uid,
		      const char *group, const char *process, int *autorestart);

/*
 * supervisord's -c/--configuration (its argv, `len` bytes as in /proc/PID/cmdline, of pid `sd`
 * under procroot), absolute (a relative one from its working directory), for `supervisorctl -c`
 * to reach that supervisord's socket: hosting panels start supervisord on a file of their own,
 * and supervisorctl's own search finds Debian's, whose socket is another. procfs only, no file
 * is opened: supervisorctl reads it, as the user supervisord runs as. 0, -ENOENT when
 * supervisord was started without one (supervisorctl's search is then supervisord's), or
 * -EINVAL / -ENAMETOOLONG.
 */
int ow_svconf_conf_arg(const char *procroot, pid_t sd, const char *argv, size_t len, char *out,
		       size_t out_len);

#endif /* OW_SVCONF_H */
