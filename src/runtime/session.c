// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The lifecycle every tracing command shares: parse options, check privileges, probe the
 * kernel, open the BPF object, configure filters, transport and hooks, load, attach, stream
 * records to the command until the end, report losses, detach and free.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "command.h"
#include "features.h"
#include "filter.h"
#include "log.h"
#include "opts.h"
#include "stream.h"

#define DEFAULT_BUFFER_SIZE (8ULL << 20)
/* The drain period: bounds how late a record on an idle system is shown. */
#define DRAIN_INTERVAL_MS 50
/* How often growing losses are reported while tracing. */
#define DROP_REPORT_NS 1000000000ULL

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal must interrupt the poll so we notice it at once. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	/* A reader that goes away (| head) shows up as EPIPE on write, handled as an end. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* The address of global @name in the object's .rodata, before load. */
static void *rodata_var(struct bpf_object *obj, const char *name, size_t size)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map;
	size_t map_size;
	char *data = NULL;
	int id;

	bpf_object__for_each_map(map, obj) {
		const char *mname = bpf_map__name(map);
		size_t len = strlen(mname);

		if (len >= 7 && !strcmp(mname + len - 7, ".rodata")) {
			data = (char *)bpf_map__initial_value(map, &map_size);
			break;
		}
	}
	id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
	if (!data || id <= 0)
		return NULL;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name) && vs->size == size &&
		    vs->offset + size <= map_size)
			return data + vs->offset;
	}
	return NULL;
}

/* Loads only the chosen variant's programs; those in no variant always load. */
static void select_programs(struct sn_session *s)
{
	const struct sn_command *cmd = s->cmd;
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->obj) {
		const char *name = bpf_program__name(prog);
		bool listed = false;

		for (size_t i = 0; i < cmd->nr_hooks; i++)
			listed |= sn_name_in_list(cmd->hooks[i].progs, name);
		if (listed)
			bpf_program__set_autoload(prog,
						  sn_name_in_list(cmd->hooks[s->hook_index].progs,
								  name));
	}
}

int sn_session_add_link(struct sn_session *s, struct bpf_link *link)
{
	struct bpf_link **links;

	if (s->nr_links == s->cap_links) {
		size_t cap = s->cap_links ? s->cap_links * 2 : 16;

		links = realloc(s->links, cap * sizeof(*links));
		if (!links) {
			bpf_link__destroy(link);
			return -ENOMEM;
		}
		s->links = links;
		s->cap_links = cap;
	}
	s->links[s->nr_links++] = link;
	return 0;
}

/* Attaches the loaded programs that can attach by section name; the command the rest. */
static int attach_programs(struct sn_session *s)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, s->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog) ||
		    bpf_program__type(prog) == BPF_PROG_TYPE_PERF_EVENT)
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			sn_err("attaching %s (%s): %s", bpf_program__name(prog),
			       bpf_program__section_name(prog), strerror(-err));
			return err;
		}
		err = sn_session_add_link(s, link);
		if (err)
			return err;
	}
	return s->cmd->attach ? s->cmd->attach(s) : 0;
}

void sn_session_count_event(struct sn_session *s)
{
	s->events++;
	if (s->opts.count && s->events >= s->opts.count)
		s->stop = true;
}

static int on_record(void *ctx, const void *data, size_t size)
{
	struct sn_session *s = ctx;
	int ret;

	if (s->stop)
		return -ECANCELED;
	ret = s->cmd->handle(s, data, size);
	if (ret < 0)
		return ret;
	if (ret == 0)
		sn_session_count_event(s);
	if (s->out.err)
		return s->out.err;
	return s->stop ? -ECANCELED : 0;
}

static bool choose_transport(struct sn_session *s)
{
	const char *why;
	bool have_ringbuf = sn_feature(SN_FEAT_RINGBUF, &why);

	if (s->opts.transport == SN_TRANSPORT_RINGBUF && !have_ringbuf) {
		sn_err("--transport=ringbuf: kernel lacks BPF ring buffers: %s", why);
		return false;
	}
	s->ringbuf = s->opts.transport == SN_TRANSPORT_RINGBUF ||
		     (s->opts.transport == SN_TRANSPORT_AUTO && have_ringbuf);
	return true;
}

static int choose_hook(struct sn_session *s)
{
	const struct sn_command *cmd = s->cmd;
	char why[1024], have[128] = "";
	size_t used = 0;
	int idx;

	idx = sn_hook_choose(cmd->hooks, cmd->nr_hooks, s->opts.hook, why, sizeof(why));
	if (idx >= 0) {
		s->hook_index = idx;
		return 0;
	}
	if (idx == -ENOENT) {
		for (size_t i = 0; i < cmd->nr_hooks && used < sizeof(have); i++)
			used += snprintf(have + used, sizeof(have) - used, "%s%s", i ? ", " : "",
					 sn_hook_name(cmd->hooks[i].hook));
		sn_err("--hook=%s: this command has no %s variant (it has: %s)",
		       sn_hook_name(s->opts.hook), sn_hook_name(s->opts.hook), have);
		return SN_EXIT_USAGE;
	}
	if (s->opts.hook != SN_HOOK_AUTO)
		sn_err("--hook=%s: %s", sn_hook_name(s->opts.hook), why);
	else
		sn_err("no usable hook on this kernel; tried: %s", why);
	return SN_EXIT_UNSUPPORTED;
}

/* Everything that decides whether to go on before any BPF object is opened. */
static int preflight(struct sn_session *s, struct sn_config *cfg, int *cgroup_fd)
{
	const char *missing, *why;
	int err;

	if ((missing = sn_caps_missing(sn_caps_effective()))) {
		sn_err("missing privileges: needs %s; run as root", missing);
		return SN_EXIT_PRIVILEGE;
	}
	if (!sn_feature(SN_FEAT_BTF, &why)) {
		sn_err("kernel lacks BTF, which CO-RE needs: %s", why);
		return SN_EXIT_UNSUPPORTED;
	}
	if (s->opts.pidns && !sn_feature(SN_FEAT_PIDNS, &why)) {
		sn_err("--pidns: kernel lacks %s", why);
		return SN_EXIT_UNSUPPORTED;
	}
	if (s->opts.cgroup && !sn_feature(SN_FEAT_CGROUP, &why)) {
		sn_err("--cgroup: kernel lacks %s", why);
		return SN_EXIT_UNSUPPORTED;
	}
	err = sn_filter_build(&s->opts, cfg, cgroup_fd);
	if (err)
		return SN_EXIT_USAGE;
	if (!choose_transport(s))
		return SN_EXIT_UNSUPPORTED;
	return choose_hook(s);
}

static void report_drops(struct sn_session *s, uint64_t dropped, bool final)
{
	if (!dropped && (final ? s->opts.quiet || s->opts.json : true))
		return;
	if (final)
		sn_err("%llu events, %llu dropped%s", (unsigned long long)s->events,
		       (unsigned long long)dropped,
		       dropped ? " (no room in the kernel buffer or a map; a larger --buffer-size "
				 "helps when the buffer was full)"
			       : "");
	else
		sn_warn("%llu events dropped so far (no room in the kernel buffer or a map)",
			(unsigned long long)dropped);
}

static void emit_summary(struct sn_session *s, const struct sn_stream *st, uint64_t dropped,
			 uint64_t elapsed_ns)
{
	static const struct sn_field f_cmd = { "command" }, f_events = { "events" },
				     f_dropped = { "dropped" }, f_lost = { "perf_lost" },
				     f_hook = { "hook" }, f_transport = { "transport" },
				     f_elapsed = { "elapsed_ms" };

	if (!s->opts.json)
		return;
	sn_emit_begin(&s->out, "summary", 0);
	sn_emit_text(&s->out, &f_cmd, s->cmd->name);
	sn_emit_u64(&s->out, &f_events, s->events);
	sn_emit_u64(&s->out, &f_dropped, dropped);
	sn_emit_u64(&s->out, &f_lost, st->perf_lost);
	sn_emit_text(&s->out, &f_hook, sn_hook_name(s->cmd->hooks[s->hook_index].hook));
	sn_emit_text(&s->out, &f_transport, s->ringbuf ? "ringbuf" : "perf");
	sn_emit_ms(&s->out, &f_elapsed, elapsed_ns);
	sn_emit_end(&s->out);
}

/* Streams until a signal, --duration, --count, a closed stdout or an error. */
static int stream_loop(struct sn_session *s, struct sn_stream *st)
{
	uint64_t start = now_ns(), deadline = 0, next_report = start + DROP_REPORT_NS;
	uint64_t reported = 0, dropped, interval = 0, next_interval = 0;
	int err = 0;

	if (s->opts.duration > 0)
		deadline = start + (uint64_t)(s->opts.duration * 1e9);
	if (s->opts.interval > 0) {
		interval = (uint64_t)(s->opts.interval * 1e9);
		next_interval = start + interval;
	}
	while (!exiting && !s->stop) {
		int timeout = DRAIN_INTERVAL_MS;
		uint64_t now = now_ns();

		if (interval && now >= next_interval) {
			/* A deadline that falls on the interval leaves the last report to the end. */
			if (!deadline || now + DRAIN_INTERVAL_MS * 1000000ULL < deadline) {
				err = s->cmd->report(s, false);
				if (err < 0 || sn_emit_flush(&s->out))
					break;
			}
			next_interval += interval;
		}
		if (deadline) {
			if (now >= deadline)
				break;
			if (deadline - now < (uint64_t)timeout * 1000000)
				timeout = (int)((deadline - now) / 1000000) + 1;
		}
		err = sn_stream_poll(st, timeout);
		if (err == -EINTR)
			err = 0;
		if (err < 0)
			break;
		if (sn_emit_flush(&s->out))
			break;
		if (now_ns() >= next_report) {
			dropped = sn_stream_dropped(st);
			if (dropped > reported)
				report_drops(s, dropped, false);
			reported = dropped;
			next_report = now_ns() + DROP_REPORT_NS;
		}
	}
	/* What is already in the buffer was traced: hand it over before leaving. */
	if (err >= 0 && !s->stop && !s->out.err)
		err = sn_stream_poll(st, 0);
	if (err == -ECANCELED || err == -EINTR || err > 0)
		err = 0;
	return err;
}

int sn_session_main(const struct sn_command *cmd, int argc, char **argv)
{
	struct sn_session s = { .cmd = cmd };
	struct sn_config cfg = {};
	struct sn_stream st = {};
	struct sn_config *rodata_cfg;
	uint64_t size, dropped, start;
	int cgroup_fd = -1, code, err;

	err = sn_opts_parse(cmd, argc, argv, &s.opts);
	if (err)
		return err > 0 ? SN_EXIT_OK : SN_EXIT_USAGE;
	sn_log_install_libbpf();
	code = preflight(&s, &cfg, &cgroup_fd);
	if (code)
		goto cleanup;
	code = SN_EXIT_ERROR;
	size = s.opts.buffer_size ?: cmd->default_buffer_size ?: DEFAULT_BUFFER_SIZE;

	err = cmd->open(&s);
	if (err) {
		sn_err("opening the BPF object: %s", strerror(-err));
		goto cleanup;
	}
	rodata_cfg = rodata_var(s.obj, "sn_cfg", sizeof(*rodata_cfg));
	if (!rodata_cfg) {
		sn_err("BPF object has no sn_cfg in .rodata (built without sn_common.bpf.h?)");
		goto cleanup;
	}
	if (s.ringbuf) {
		cfg.flags |= SN_CFG_RINGBUF;
		cfg.wakeup_bytes = sn_stream_ringbuf_size(size) / 4;
	}
	*rodata_cfg = cfg;
	err = sn_stream_prepare(s.obj, s.ringbuf, size);
	if (err) {
		sn_err("configuring the transport: %s", strerror(-err));
		goto cleanup;
	}
	select_programs(&s);
	err = cmd->configure ? cmd->configure(&s) : 0;
	if (err)
		goto cleanup;
	err = bpf_object__load(s.obj);
	if (err) {
		sn_err("loading BPF programs (%s hook): %s%s", sn_hook_name(cmd->hooks[s.hook_index].hook),
		       strerror(-err), sn_log_verbose() ? "" : " (run with -v for the verifier log)");
		goto cleanup;
	}
	if (cgroup_fd >= 0) {
		uint32_t zero = 0;
		struct bpf_map *map = bpf_object__find_map_by_name(s.obj, "sn_cgroup");

		if (!map || bpf_map__update_elem(map, &zero, sizeof(zero), &cgroup_fd,
						 sizeof(cgroup_fd), BPF_ANY)) {
			sn_err("--cgroup: filling the cgroup map: %s", strerror(errno));
			goto cleanup;
		}
	}
	sn_emit_init(&s.out, stdout, s.opts.json, s.opts.timestamp);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	/* The perf buffer's events must exist before a program can output to them. */
	err = sn_stream_open(&st, s.obj, s.ringbuf, size, on_record, &s);
	if (err) {
		sn_err("opening the %s: %s", s.ringbuf ? "ring buffer" : "perf buffer",
		       strerror(-err));
		goto cleanup;
	}
	err = attach_programs(&s);
	if (err)
		goto cleanup;
	err = install_signals();
	if (err)
		goto cleanup;
	if (s.fields)
		sn_emit_header(&s.out, s.fields);
	sn_emit_flush(&s.out);
	if (!s.opts.quiet)
		sn_err("tracing with %s hooks and the %s; Ctrl-C to end",
		       sn_hook_name(cmd->hooks[s.hook_index].hook),
		       s.ringbuf ? "ring buffer" : "perf buffer");

	start = now_ns();
	err = stream_loop(&s, &st);
	if (err < 0 && err != -EPIPE)
		sn_err("reading records: %s", strerror(-err));
	if (!s.out.err && cmd->report)
		cmd->report(&s, true);
	if (!s.out.err && cmd->finish)
		cmd->finish(&s);
	dropped = sn_stream_dropped(&st);
	emit_summary(&s, &st, dropped, now_ns() - start);
	sn_emit_flush(&s.out);
	report_drops(&s, dropped, true);
	code = (err < 0 && err != -EPIPE) ? SN_EXIT_ERROR : SN_EXIT_OK;

cleanup:
	sn_stream_close(&st);
	for (size_t i = 0; i < s.nr_links; i++)
		bpf_link__destroy(s.links[i]);
	free(s.links);
	if (s.skel)
		cmd->destroy(s.skel);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	sn_emit_free(&s.out);
	return code;
}
