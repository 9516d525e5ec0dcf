/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a command declares: its name and help, its own options, its hook variants, its
 * fields, and the few callbacks the shared session calls. Everything else (options common
 * to all commands, probing, loading, attaching, transport, output, teardown) is the
 * runtime's.
 */
#ifndef SN_COMMAND_H
#define SN_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "emit.h"
#include "hooks.h"

struct bpf_link;
struct bpf_object;
struct sn_session;

/* Which of the common filters a command can apply in the kernel. */
#define SN_FILTER_PID    (1u << 0)
#define SN_FILTER_TID    (1u << 1)
#define SN_FILTER_UID    (1u << 2)
#define SN_FILTER_COMM   (1u << 3)
#define SN_FILTER_CGROUP (1u << 4)
#define SN_FILTER_PIDNS  (1u << 5)
#define SN_FILTER_ALL    0x3fu

/* A command's own option. @key is the short letter, or SN_OPT_LONG + n if it has none. */
#define SN_OPT_LONG 0x200
struct sn_opt {
	const char *name;
	int key;
	const char *arg; /* the argument's name in the help; NULL if it takes none */
	const char *help;
};

/* The options every tracing command shares; see the README's table. */
struct sn_common {
	pid_t pid;
	pid_t tid;
	uid_t uid;
	bool has_uid;
	char comm[16];
	const char *cgroup;
	const char *pidns;
	bool json;
	bool timestamp;
	bool verbose;
	bool quiet;
	double duration;        /* seconds; 0: until interrupted */
	double interval;        /* seconds between reports; 0: one report at the end */
	uint64_t count;         /* events; 0: no limit */
	enum sn_hook hook;      /* SN_HOOK_AUTO unless forced */
	int transport;          /* SN_TRANSPORT_* */
	uint64_t buffer_size;   /* bytes; 0: the command's default */
};

#define SN_TRANSPORT_AUTO    0
#define SN_TRANSPORT_RINGBUF 1
#define SN_TRANSPORT_PERF    2

struct sn_command {
	const char *name;
	const char *summary; /* one line for `sysnoop --help` */
	const char *description; /* a paragraph for `sysnoop CMD --help`; may be NULL */
	const char *examples;
	const struct sn_opt *opts; /* ends with an all-zero entry; may be NULL */
	unsigned int filters;      /* SN_FILTER_* it supports */

	/* Commands without BPF (features) just run. */
	int (*main)(int argc, char **argv);

	/* Parses one of its own options; 0, or a negative errno after printing why. */
	int (*parse_opt)(int key, const char *arg);
	/* Checks its options together once all are parsed; may be NULL. */
	int (*check_opts)(const struct sn_common *common);

	const struct sn_hook_variant *hooks;
	size_t nr_hooks;
	uint64_t default_buffer_size;

	/* Opens the skeleton; sets session->skel and session->obj. */
	int (*open)(struct sn_session *s);
	/* Writes its .rodata, turns off optional programs; fields for the header. */
	int (*configure)(struct sn_session *s);
	/*
	 * Attaches what libbpf cannot attach from the section name alone (perf events),
	 * handing each link to sn_session_add_link(); may be NULL. Called after the programs
	 * that can attach by section name are attached.
	 */
	int (*attach)(struct sn_session *s);
	/* Prints one record from the kernel; a negative errno stops the session. */
	int (*handle)(struct sn_session *s, const void *data, size_t size);
	/*
	 * Aggregating commands: prints (and resets) what was gathered in the kernel, every
	 * -i/--interval seconds and once at the end. -i is refused by commands without it.
	 */
	int (*report)(struct sn_session *s, bool final);
	/* At the end, before the summary; may be NULL. */
	int (*finish)(struct sn_session *s);
	void (*destroy)(void *skel);
};

/* Generates the open and destroy callbacks for a bpftool skeleton named @name_bpf. */
#define SN_SKELETON_OPS(name)                                                                  \
	static int name##_open(struct sn_session *s)                                           \
	{                                                                                      \
		struct name##_bpf *skel = name##_bpf__open();                                  \
		if (!skel)                                                                     \
			return -errno;                                                         \
		s->skel = skel;                                                                \
		s->obj = skel->obj;                                                            \
		return 0;                                                                      \
	}                                                                                      \
	static void name##_destroy(void *skel)                                                 \
	{                                                                                      \
		name##_bpf__destroy(skel);                                                     \
	}

struct sn_session {
	const struct sn_command *cmd;
	struct sn_common opts;
	void *skel;
	struct bpf_object *obj;
	int hook_index;            /* the variant chosen */
	bool ringbuf;              /* the transport chosen */
	const struct sn_field *fields; /* set by configure, for the table header */
	struct sn_emit out;
	uint64_t events;           /* records handled */
	bool stop;                 /* a handler asks to end (e.g. --count reached) */
	struct bpf_link **links;   /* everything attached, destroyed at the end */
	size_t nr_links;
	size_t cap_links;
};

/* Keeps @link to be destroyed when the session ends; 0 or -ENOMEM (link destroyed). */
int sn_session_add_link(struct sn_session *s, struct bpf_link *link);

/* Counts a record as an event, and asks the session to stop once --count is reached. */
void sn_session_count_event(struct sn_session *s);

/* The whole lifecycle of a tracing command; returns the process exit code. */
int sn_session_main(const struct sn_command *cmd, int argc, char **argv);

/* The command table, defined in main.c. */
extern const struct sn_command *const sn_commands[];
extern const size_t sn_nr_commands;

#endif /* SN_COMMAND_H */
