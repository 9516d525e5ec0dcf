// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop bio: block I/O requests with their latency, as biosnoop shows them. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/opts.h"
#include "bio.h"
#include "bio.skel.h"
#include "blkdev.h"

enum { OPT_DISK = SN_OPT_LONG, OPT_MIN_LATENCY };

static struct {
	bool queued;
	bool has_disk;
	struct bio_disk_filter disk;
	uint64_t min_lat_ns;
} env;

static const struct sn_opt opts[] = {
	{ "disk", OPT_DISK, "NAME",
	  "only this disk (sda, /dev/loop3, 8:0) or partition (sda1: its sectors)" },
	{ "min-latency", OPT_MIN_LATENCY, "MS",
	  "only requests that took at least MS milliseconds from issue (e.g. 0.5)" },
	{ "queued", 'Q', NULL, "add QUE(ms): the time from the request's start to its issue" },
	{},
};

enum {
	F_COMM, F_PID, F_TID, F_UID, F_DISK, F_MAJOR, F_MINOR, F_RWBS, F_SECTOR, F_BYTES,
	F_QUEUE, F_LAT,
};

/* Not const: without -Q the QUE(ms) column is left out of the header. */
static struct sn_field fields[] = {
	[F_COMM] = { "comm", "COMM", 16 },
	[F_PID] = { "pid", "PID", 7 },
	[F_TID] = { "tid", NULL },
	[F_UID] = { "uid", NULL },
	[F_DISK] = { "disk", "DISK", 8 },
	[F_MAJOR] = { "major", NULL },
	[F_MINOR] = { "minor", NULL },
	[F_RWBS] = { "rwbs", "T", 4 },
	[F_SECTOR] = { "sector", "SECTOR", 11 },
	[F_BYTES] = { "bytes", "BYTES", 7 },
	[F_QUEUE] = { "queue_ms", "QUE(ms)", 9 },
	[F_LAT] = { "lat_ms", "LAT(ms)", 0 },
	{},
};

/* Milliseconds, fractions allowed, 0 included; up to about 11 days. */
static int parse_ms(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v > 1e9)
		return -EINVAL;
	*ns = (uint64_t)(v * 1e6 + 0.5);
	return 0;
}

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case 'Q':
		env.queued = true;
		return 0;
	case OPT_DISK:
		env.has_disk = true;
		return blkdev_parse_filter(arg, &env.disk);
	case OPT_MIN_LATENCY:
		if (parse_ms(arg, &env.min_lat_ns)) {
			sn_err("invalid --min-latency '%s': expected milliseconds (e.g. 10 or 0.5)",
			       arg);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

SN_SKELETON_OPS(bio)

static int configure(struct sn_session *s)
{
	struct bio_bpf *skel = s->skel;
	int err;

	if (env.has_disk)
		skel->rodata->bio_disk = env.disk;
	skel->rodata->min_lat_ns = env.min_lat_ns;
	err = blkdev_size_maps(s);
	if (err) {
		sn_err("sizing the request maps: %s", strerror(-err));
		return err;
	}
	if (!env.queued)
		fields[F_QUEUE].title = NULL;
	s->fields = fields;
	return 0;
}

static int handle(struct sn_session *s, const void *data, size_t size)
{
	static const struct sn_field queue_unknown = { NULL, "QUE(ms)", 9 };
	const struct bio_event *e = data;
	struct sn_emit *out = &s->out;
	const char *disk;

	if (size < sizeof(*e) || e->hdr.type != BIO_REC_IO)
		return 1;
	disk = blkdev_name(e->dev);
	sn_emit_begin(out, "bio", e->hdr.ts_ns);
	sn_emit_str(out, &fields[F_COMM], e->hdr.comm, sizeof(e->hdr.comm));
	sn_emit_u64(out, &fields[F_PID], e->hdr.pid);
	sn_emit_u64(out, &fields[F_TID], e->hdr.tid);
	sn_emit_u64(out, &fields[F_UID], e->hdr.uid);
	sn_emit_str(out, &fields[F_DISK], disk, strlen(disk));
	sn_emit_u64(out, &fields[F_MAJOR], BIO_MAJOR(e->dev));
	sn_emit_u64(out, &fields[F_MINOR], BIO_MINOR(e->dev));
	sn_emit_str(out, &fields[F_RWBS], e->rwbs, sizeof(e->rwbs));
	sn_emit_u64(out, &fields[F_SECTOR], e->sector);
	sn_emit_u64(out, &fields[F_BYTES], e->bytes);
	if (env.queued) {
		/* Unknown for a request first seen at its issue: "-" in tables, no key in JSON. */
		if (e->flags & BIO_F_QUEUE_KNOWN)
			sn_emit_ms(out, &fields[F_QUEUE], e->queue_ns);
		else
			sn_emit_text(out, &queue_unknown, "-");
	}
	sn_emit_ms(out, &fields[F_LAT], e->lat_ns);
	sn_emit_end(out);
	return 0;
}

const struct sn_command sn_cmd_bio = {
	.name = "bio",
	.summary = "Trace block I/O requests with issuer, disk, operation, size and latency",
	.description =
		"One line per completed request. LAT is from issue to the driver until\n"
		"completion; -Q adds QUE, from the request's start (or insertion, before 6.5)\n"
		"to its issue.\n"
		"The issuer is the task that submitted the I/O where the kernel shows it\n"
		"(block_io_start, 6.5+), else the task that queued or issued the request, which\n"
		"may be a kworker. T is the kernel's rwbs: R read, W write, D discard, F flush\n"
		"(first) or FUA (after the operation), S sync, M metadata, A readahead.",
	.examples = "  sysnoop bio                        # every request on every disk\n"
		    "  sysnoop bio --disk nvme0n1 -Q      # one disk, with queued time\n"
		    "  sysnoop bio --min-latency 10       # requests slower than 10 ms\n"
		    "  sysnoop bio --comm postgres -j     # one program's I/O as JSON Lines\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.hooks = blkdev_hooks,
	.nr_hooks = BLKDEV_NR_HOOKS,
	.open = bio_open,
	.configure = configure,
	.handle = handle,
	.destroy = bio_destroy,
};
