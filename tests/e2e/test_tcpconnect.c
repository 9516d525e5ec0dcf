// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop tcpconnect against real connections on the loopback: IPv4 and IPv6, refused and
 * unanswered connects, the port and family filters, --summary counts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define CLIENT_COMM "sn-client"

struct endpoint {
	int family;
	const char *addr; /* as sysnoop prints it */
	int port;
};

static socklen_t make_sockaddr(const struct endpoint *ep, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		inet_pton(AF_INET, ep->addr, &sin->sin_addr);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(ep->port);
	inet_pton(AF_INET6, ep->addr, &sin6->sin6_addr);
	return sizeof(*sin6);
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/*
 * A socket bound to @ep (port 0: a free one, then stored in @ep->port); listening if
 * @backlog >= 0.
 */
static int bound_socket(struct endpoint *ep, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = make_sockaddr(ep, &ss);
	int fd = socket(ep->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) ||
	    (backlog >= 0 && listen(fd, backlog))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ep->port = local_port(fd);
	return fd;
}

/* A port nothing listens on: connects to it are refused. */
static int closed_port(struct endpoint *ep)
{
	int fd = bound_socket(ep, -1);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Connects to @ep from a child named CLIENT_COMM: its pid; its exit code is connect's errno. */
static pid_t client(const struct endpoint *ep)
{
	struct sockaddr_storage ss;
	socklen_t len = make_sockaddr(ep, &ss);
	pid_t pid = fork();

	if (pid == 0) {
		int fd = socket(ep->family, SOCK_STREAM, 0);

		prctl(PR_SET_NAME, CLIENT_COMM);
		_exit(connect(fd, (struct sockaddr *)&ss, len) ? errno : 0);
	}
	return pid;
}

/* The client's source port, as the listener sees it. */
static int accepted_port(int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int port = -1;

	if (fd < 0)
		return -1;
	if (!getpeername(fd, (struct sockaddr *)&ss, &len))
		port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						     : ((struct sockaddr_in6 *)&ss)->sin6_port);
	close(fd);
	return port;
}

static bool connect_to(const char *line, void *ep_)
{
	const struct endpoint *ep = ep_;
	int64_t port;

	return json_str_eq(line, "type", "connect") && json_str_eq(line, "daddr", ep->addr) &&
	       json_get_i64(line, "dport", &port) && port == ep->port;
}

/* One connect to a listener on @ep: the record's fields, from a child. */
static int check_connect(struct sn_tctx *t, struct sn_run *r, struct endpoint *ep)
{
	const struct endpoint want = *ep;
	const char *line;
	int lfd, sport, status;
	int64_t v;
	pid_t child;

	lfd = bound_socket(ep, 16);
	CHECK(lfd >= 0, "listening on %s: %s", ep->addr, strerror(errno));
	child = client(ep);
	sport = accepted_port(lfd);
	status = sn_reap(child);
	close(lfd);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "connect to %s failed: %s",
	      want.addr, strerror(WEXITSTATUS(status)));
	line = sn_wait_line(r, connect_to, ep, 5000);
	CHECK(line, "no record for the connect to %s port %d; stderr: %s", want.addr, ep->port,
	      r->err);
	CHECK(json_get_i64(line, "pid", &v) && v == child, "pid %lld, want %d", (long long)v,
	      child);
	CHECK(json_get_i64(line, "tid", &v) && v == child, "tid: %s", line);
	CHECK(json_get_i64(line, "uid", &v) && v == (int64_t)getuid(), "uid: %s", line);
	CHECK(json_str_eq(line, "comm", CLIENT_COMM), "comm: %s", line);
	CHECK(json_get_i64(line, "ip", &v) && v == (ep->family == AF_INET ? 4 : 6), "ip: %s", line);
	CHECK(json_str_eq(line, "saddr", want.addr), "saddr: %s", line);
	CHECK(json_get_i64(line, "sport", &v) && v == sport, "sport %lld, want %d", (long long)v,
	      sport);
	CHECK(json_valid(line, strlen(line)), "invalid JSON: %s", line);
	return 0;
}

TEST_HOOKS(tcpconnect_ipv4_and_ipv6, "tcpconnect")
{
	const char *args[] = { "tcpconnect", "--json", NULL };
	struct endpoint v4 = { AF_INET, "127.0.0.1" }, v6 = { AF_INET6, "::1" };
	struct sn_run r;
	const char *line;
	int64_t v;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	if (check_connect(t, &r, &v4) || check_connect(t, &r, &v6))
		return -1;
	line = sn_find_record(&r, "connect", connect_to, &v4);
	CHECK(json_get(line, "lat_ms").type == JSON_NONE, "lat_ms without --latency: %s", line);
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(r.exit_code == 0, "exit code %d; stderr: %s", r.exit_code, r.err);
	line = sn_find_record(&r, "summary", NULL, NULL);
	CHECK(line && json_get_i64(line, "dropped", &v) && v == 0, "summary: %s", line);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

/* tcp_v6_connect runs tcp_v4_connect for a v4-mapped address: still one record, IPv6. */
TEST_HOOKS(tcpconnect_v4_mapped_once, "tcpconnect")
{
	const char *args[] = { "tcpconnect", "--json", NULL };
	struct endpoint mapped = { AF_INET6, "::ffff:127.0.0.1" };
	struct sn_run r;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	if (check_connect(t, &r, &mapped))
		return -1;
	usleep(200000);
	sn_stop(&r);
	CHECK(sn_count_records(&r, "connect", connect_to, &mapped) == 1,
	      "want one record for the v4-mapped connect: %s", r.out);
	sn_run_free(&r);
	return 0;
}

TEST_HOOKS(tcpconnect_latency_and_refused, "tcpconnect")
{
	const char *args[] = { "tcpconnect", "--json", "--latency", NULL };
	struct endpoint ok = { AF_INET, "127.0.0.1" }, refused = { AF_INET6, "::1" };
	struct sn_run r;
	const char *line;
	struct json_val lat;
	int64_t v;
	pid_t child;

	CHECK(!closed_port(&refused), "finding a closed port: %s", strerror(errno));
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	if (check_connect(t, &r, &ok))
		return -1;
	line = sn_find_record(&r, "connect", connect_to, &ok);
	CHECK(json_get_i64(line, "ret", &v) && v == 0, "ret of an established connect: %s", line);
	CHECK(json_get(line, "error").type == JSON_NONE, "error on success: %s", line);
	lat = json_get(line, "lat_ms");
	CHECK(lat.type == JSON_NUMBER && lat.start[0] != '-', "lat_ms: %s", line);

	child = client(&refused);
	CHECK(WEXITSTATUS(sn_reap(child)) == ECONNREFUSED, "the connect was not refused");
	line = sn_wait_line(&r, connect_to, &refused, 5000);
	CHECK(line, "no record for the refused connect; stderr: %s", r.err);
	CHECK(json_get_i64(line, "ret", &v) && v == -ECONNREFUSED, "ret: %s", line);
	CHECK(json_str_eq(line, "error", "ECONNREFUSED"), "error: %s", line);
	CHECK(json_get_i64(line, "pid", &v) && v == child, "pid: %s", line);
	CHECK(json_get(line, "lat_ms").type == JSON_NUMBER, "lat_ms: %s", line);
	CHECK(json_get_i64(line, "sport", &v) && v > 0, "sport: %s", line);
	sn_stop(&r);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

/*
 * A listener whose accept queue is full drops SYNs: the second connect stays unanswered.
 * Returns the listener; @queued and @waiting get the two clients' sockets.
 */
static int unanswered_connect(struct endpoint *ep, int *queued, int *waiting)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int lfd = bound_socket(ep, 0);

	if (lfd < 0)
		return -1;
	len = make_sockaddr(ep, &ss);
	*queued = socket(ep->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	*waiting = socket(ep->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (connect(*queued, (struct sockaddr *)&ss, len) ||
	    !connect(*waiting, (struct sockaddr *)&ss, len) || errno != EINPROGRESS) {
		close(lfd);
		return -1;
	}
	return lfd;
}

static bool connect_from_port(const char *line, void *port)
{
	int64_t v;

	return json_str_eq(line, "type", "connect") && json_get_i64(line, "sport", &v) &&
	       v == *(int *)port;
}

/* Tracepoint hooks report such a connect at its first SYN retransmission, the others at once. */
TEST_HOOKS(tcpconnect_unanswered_syn_reported, "tcpconnect")
{
	char port[16];
	const char *args[] = { "tcpconnect", "--json", "-P", port, NULL };
	struct endpoint ep = { AF_INET, "127.0.0.1" };
	int lfd, queued, waiting, sport;
	struct sn_run r;
	const char *line;
	int64_t v;

	lfd = bound_socket(&ep, 0);
	CHECK(lfd >= 0, "listen: %s", strerror(errno));
	close(lfd);
	snprintf(port, sizeof(port), "%d", ep.port);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	lfd = unanswered_connect(&ep, &queued, &waiting);
	CHECK(lfd >= 0, "setting up an unanswered connect: %s", strerror(errno));
	sport = local_port(waiting);
	line = sn_wait_line(&r, connect_from_port, &sport, 8000);
	close(waiting);
	close(queued);
	close(lfd);
	CHECK(line, "the unanswered connect from port %d was not reported: %s", sport, r.out);
	CHECK(json_get_i64(line, "pid", &v) && v == getpid(), "pid: %s", line);
	CHECK(json_get_i64(line, "dport", &v) && v == ep.port, "dport: %s", line);
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}

/* With --latency it never ends while tracing: it is reported as missed, not lost silently. */
TEST_HOOKS(tcpconnect_pending_reported_at_end, "tcpconnect")
{
	char port[16];
	const char *args[] = { "tcpconnect", "--json", "--latency", "-P", port, NULL };
	struct endpoint ep = { AF_INET6, "::1" };
	int lfd, queued, waiting;
	struct sn_run r;
	const char *line;
	int64_t v;

	lfd = bound_socket(&ep, 0);
	CHECK(lfd >= 0, "listen: %s", strerror(errno));
	close(lfd);
	snprintf(port, sizeof(port), "%d", ep.port);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	lfd = unanswered_connect(&ep, &queued, &waiting);
	CHECK(lfd >= 0, "setting up an unanswered connect: %s", strerror(errno));
	/* The queued connect is established: its record proves both were traced. */
	CHECK(sn_wait_line(&r, connect_to, &ep, 5000), "no record for the queued connect");
	sn_stop(&r);
	close(waiting);
	close(queued);
	close(lfd);
	line = sn_find_record(&r, "missed", NULL, NULL);
	CHECK(line && json_get_i64(line, "connects", &v) && v == 1, "missed: %s", r.out);
	CHECK(strstr(r.err, "1 connects not reported"), "stderr: %s", r.err);
	sn_run_free(&r);
	return 0;
}

/* Connects to @hidden, then to @shown; once @shown is seen, @hidden must be absent. */
static int filtered(struct sn_tctx *t, const char *const *args, struct endpoint *hidden,
		    struct endpoint *shown)
{
	struct sn_run r;
	int lfd;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	lfd = bound_socket(hidden, 16);
	CHECK(lfd >= 0, "listen: %s", strerror(errno));
	CHECK(WEXITSTATUS(sn_reap(client(hidden))) == 0, "connect to %s", hidden->addr);
	close(lfd);
	if (check_connect(t, &r, shown))
		return -1;
	sn_stop(&r);
	CHECK(!sn_find_record(&r, "connect", connect_to, hidden), "%s %s did not filter: %s",
	      args[2], args[3] ? args[3] : "", r.out);
	sn_run_free(&r);
	return 0;
}

TEST(tcpconnect_port_filter)
{
	struct endpoint hidden = { AF_INET, "127.0.0.1" }, shown = { AF_INET, "127.0.0.1" };
	char ports[32];
	const char *args[] = { "tcpconnect", "--json", "-P", ports, NULL };
	int lfd;

	/* Reserve the shown port first, so -P can name it (and one more) before the start. */
	lfd = bound_socket(&shown, 16);
	CHECK(lfd >= 0, "listen: %s", strerror(errno));
	close(lfd);
	snprintf(ports, sizeof(ports), "1,%d", shown.port);
	return filtered(t, args, &hidden, &shown);
}

TEST(tcpconnect_family_filter)
{
	struct endpoint hidden = { AF_INET, "127.0.0.1" }, shown = { AF_INET6, "::1" };
	const char *args[] = { "tcpconnect", "--json", "-6", NULL };

	return filtered(t, args, &hidden, &shown);
}

static bool summary_row(const char *line, void *ep_)
{
	const struct endpoint *ep = ep_;
	int64_t port;

	return json_str_eq(line, "type", "connect_summary") &&
	       json_str_eq(line, "daddr", ep->addr) && json_get_i64(line, "dport", &port) &&
	       port == ep->port;
}

TEST_HOOKS(tcpconnect_summary_counts, "tcpconnect")
{
	enum { N = 5 };
	const char *args[] = { "tcpconnect", "--json", "--summary", NULL };
	struct endpoint ep = { AF_INET, "127.0.0.1" }, refused = { AF_INET, "127.0.0.1" };
	struct sn_run r;
	const char *line;
	int64_t v;
	int lfd;

	CHECK(!closed_port(&refused), "finding a closed port");
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	lfd = bound_socket(&ep, N);
	CHECK(lfd >= 0, "listen: %s", strerror(errno));
	for (int i = 0; i < N; i++) {
		CHECK(WEXITSTATUS(sn_reap(client(&ep))) == 0, "connect %d", i);
		close(accept(lfd, NULL, NULL));
	}
	close(lfd);
	/* A refused attempt sent its SYN: it counts as well. */
	CHECK(WEXITSTATUS(sn_reap(client(&refused))) == ECONNREFUSED, "not refused");
	usleep(100000);
	CHECK(!sn_find_record(&r, "connect", NULL, NULL), "--summary streamed records: %s", r.out);
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
	line = sn_find_record(&r, "connect_summary", summary_row, &ep);
	CHECK(line, "no summary row for port %d: %s", ep.port, r.out);
	CHECK(json_get_i64(line, "connects", &v) && v == N, "connects %lld, want %d",
	      (long long)v, N);
	CHECK(json_str_eq(line, "saddr", "127.0.0.1") && json_get_i64(line, "ip", &v) && v == 4,
	      "row: %s", line);
	line = sn_find_record(&r, "connect_summary", summary_row, &refused);
	CHECK(line && json_get_i64(line, "connects", &v) && v == 1, "refused row: %s", r.out);
	line = sn_find_record(&r, "summary", NULL, NULL);
	CHECK(line && json_get_i64(line, "events", &v) && v >= N + 1, "summary: %s", line);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST(tcpconnect_table_output)
{
	const char *args[] = { "tcpconnect", "--latency", NULL };
	struct endpoint ep = { AF_INET, "127.0.0.1" };
	char head[256], row[256];
	struct sn_run r;
	pid_t child;
	int lfd, sport;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	lfd = bound_socket(&ep, 16);
	CHECK(lfd >= 0, "listen: %s", strerror(errno));
	child = client(&ep);
	sport = accepted_port(lfd);
	sn_reap(child);
	close(lfd);
	usleep(300000);
	sn_stop(&r);
	snprintf(head, sizeof(head), "%-7s %-6s %-16s %-2s %-15s %-5s %-15s %-5s %-10s %s\n", "PID",
		 "UID", "COMM", "IP", "SADDR", "SPORT", "DADDR", "DPORT", "LAT(ms)", "RESULT");
	CHECK(!strncmp(r.out, head, strlen(head)), "header: %.120s", r.out);
	snprintf(row, sizeof(row), "%-7d %-6d %-16s %-2s %-15s %-5d %-15s %-5d ", child, getuid(),
		 CLIENT_COMM, "4", ep.addr, sport, ep.addr, ep.port);
	const char *p = strstr(r.out, row);

	CHECK(p, "no row '%s' in: %s", row, r.out);
	p += strlen(row);
	CHECK(strstr(p, " established\n") && strchr(p, '\n') == strstr(p, " established\n") + 12,
	      "row does not end in 'established': %.80s", p);
	sn_run_free(&r);
	return 0;
}

TEST(tcpconnect_bad_input)
{
	const char *a1[] = { "tcpconnect", "-P", "0", NULL };
	const char *a2[] = { "tcpconnect", "-P", "80,70000", NULL };
	const char *a3[] = { "tcpconnect", "-4", "-6", NULL };
	const char *a4[] = { "tcpconnect", "--latency", "--summary", NULL };
	const char *a5[] = { "tcpconnect", "--summary", "--count", "3", NULL };
	const char *a6[] = { "tcpconnect", "-P", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
			     NULL };
	const char *const *runs[] = { a1, a2, a3, a4, a5, a6 };
	const char *needles[] = { "invalid --port '0'", "invalid --port", "-4 and -6",
				  "--latency and --summary", "--count", "invalid --port" };
	struct sn_run r;

	for (int i = 0; i < 6; i++) {
		CHECK(!sn_run_sync(&r, runs[i]), "%s", r.why);
		CHECK(r.exit_code == 2, "%s %s: exit %d, want 2: %s", runs[i][1], runs[i][2],
		      r.exit_code, r.err);
		CHECK(strstr(r.err, needles[i]) && strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
		      "want one line with '%s': %s", needles[i], r.err);
		sn_run_free(&r);
	}
	return 0;
}
