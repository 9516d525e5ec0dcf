// tests/vm/smoke.c - stand-in test driver for the VM kernel matrix.
//
// It proves the VM plumbing (static binary runs as /init's child, tracefs and
// BTF are mounted/visible) and answers the question the matrix exists for:
// can this kernel attach BPF programs to kprobes and fentry? Each check
// prints "PASS name" / "FAIL name: reason", followed by "N passed, N failed",
// the same protocol as the real driver (sysnoop-e2e).
//
// Build: gcc -static -O2 -Wall -o build/vm/smoke tests/vm/smoke.c
// Needs no libbpf: BPF programs are hand-assembled and loaded with bpf(2).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static int passed, failed;

static void pass(const char *name) {
    printf("PASS %s\n", name);
    passed++;
}

static void fail(const char *name, const char *fmt, ...) {
    va_list ap;
    printf("FAIL %s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    failed++;
}

static long sys_bpf(int cmd, union bpf_attr *attr) {
    return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

// ------------------------------------------------------------------- BTF --
// Find the type id of a BTF_KIND_FUNC named `name` in /sys/kernel/btf/vmlinux.
// Returns the id (>0), or -errno / -ENOENT.
static int btf_find_func(const char *name) {
    FILE *f = fopen("/sys/kernel/btf/vmlinux", "rb");
    if (!f) return -errno;
    // sysfs reports size 0 for this file, so read it in chunks.
    size_t cap = 1 << 20, len = 0;
    unsigned char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) return -ENOMEM;

    int ret = -ENOENT;
    const struct btf_header *h = (const void *)buf;
    if (len < sizeof(*h) || h->magic != BTF_MAGIC) {
        ret = -EINVAL;
        goto out;
    }
    const unsigned char *types = buf + h->hdr_len + h->type_off;
    const unsigned char *end = types + h->type_len;
    const char *strs = (const char *)buf + h->hdr_len + h->str_off;
    int id = 1;  // type id 0 is "void"
    for (const unsigned char *p = types; p + sizeof(struct btf_type) <= end; id++) {
        const struct btf_type *t = (const void *)p;
        unsigned kind = BTF_INFO_KIND(t->info), vlen = BTF_INFO_VLEN(t->info);
        if (kind == BTF_KIND_FUNC && strcmp(strs + t->name_off, name) == 0) {
            ret = id;
            goto out;
        }
        p += sizeof(*t);
        switch (kind) {  // skip the kind-specific trailing data
        case BTF_KIND_INT: p += 4; break;
        case BTF_KIND_ARRAY: p += sizeof(struct btf_array); break;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION: p += vlen * sizeof(struct btf_member); break;
        case BTF_KIND_ENUM: p += vlen * sizeof(struct btf_enum); break;
        case BTF_KIND_FUNC_PROTO: p += vlen * sizeof(struct btf_param); break;
        case BTF_KIND_VAR: p += sizeof(struct btf_var); break;
        case BTF_KIND_DATASEC: p += vlen * sizeof(struct btf_var_secinfo); break;
        case BTF_KIND_DECL_TAG: p += sizeof(struct btf_decl_tag); break;
        case 19 /* BTF_KIND_ENUM64 */: p += vlen * 12; break;
        default: break;  // PTR, FWD, TYPEDEF, qualifiers, FUNC, FLOAT, TYPE_TAG
        }
    }
out:
    free(buf);
    return ret;
}

// ---------------------------------------------------------- BPF programs --
static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    struct bpf_insn i = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
    return i;
}

// A program that does `counter[0]++` in an array map and returns 0, so a
// successful attach can be shown to actually fire.
static int build_counter_prog(struct bpf_insn *p, int map_fd) {
    int n = 0;
    p[n++] = insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0);         // *(u32*)(fp-4) = 0
    p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0); // r2 = fp
    p[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4);        // r2 -= 4
    p[n++] = insn(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd);
    p[n++] = insn(0, 0, 0, 0, 0);                                           // (ld_imm64 hi)
    p[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
    p[n++] = insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 2, 0);           // if !r0 goto out
    p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1);         // r1 = 1
    p[n++] = insn(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD); // lock *r0 += r1
    p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);         // out: r0 = 0
    p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    return n;
}

static int create_counter_map(void) {
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 8;
    a.max_entries = 1;
    return sys_bpf(BPF_MAP_CREATE, &a);
}

static uint64_t read_counter(int map_fd) {
    uint32_t key = 0;
    uint64_t val = 0;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = map_fd;
    a.key = (uintptr_t)&key;
    a.value = (uintptr_t)&val;
    sys_bpf(BPF_MAP_LOOKUP_ELEM, &a);
    return val;
}

static char verifier_log[4096];

// Load the counter program; returns the fd or -errno (verifier log in
// verifier_log, first line only, for the FAIL message).
static int load_prog(int type, int attach_type, int btf_id, int map_fd) {
    struct bpf_insn prog[16];
    int n = build_counter_prog(prog, map_fd);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.expected_attach_type = attach_type;
    a.attach_btf_id = btf_id;
    a.insns = (uintptr_t)prog;
    a.insn_cnt = n;
    a.license = (uintptr_t)"GPL";
    a.log_buf = (uintptr_t)verifier_log;
    a.log_size = sizeof(verifier_log);
    a.log_level = 1;
    verifier_log[0] = 0;
    int fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd < 0) {
        int e = errno;
        char *nl = strchr(verifier_log, '\n');
        if (nl) *nl = 0;
        return -e;
    }
    return fd;
}

// Functions the hooks attach to, first usable wins: getppid()'s syscall entry,
// which we can trigger at will. __x64_sys_getppid is in kallsyms (kprobe uses
// it), but Debian 6.1/6.12 and the 6.18 host have only __do_sys_getppid in
// BTF, so that is where fentry attaches.
static const char *const targets[] = {"__x64_sys_getppid", "__do_sys_getppid"};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))
#define TRIGGERS 5

static void trigger(void) {
    for (int i = 0; i < TRIGGERS; i++) syscall(SYS_getppid);
}

static void check_fired(const char *name, const char *target, int map_fd) {
    trigger();
    uint64_t hits = read_counter(map_fd);
    if (hits >= TRIGGERS) {
        printf("# %s: attached to %s, counted %llu calls\n", name, target, (unsigned long long)hits);
        pass(name);
    } else {
        fail(name, "attached to %s but counted %llu of %d calls", target,
             (unsigned long long)hits, TRIGGERS);
    }
}

// kprobe via the perf "kprobe" PMU (what libbpf uses on modern kernels).
static void test_bpf_kprobe(void) {
    const char *name = "smoke/bpf-kprobe";
    char buf[32] = "";
    int fd = open("/sys/bus/event_source/devices/kprobe/type", O_RDONLY);
    if (fd < 0) return fail(name, "no kprobe PMU: %s", strerror(errno));
    ssize_t r = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (r <= 0) return fail(name, "cannot read kprobe PMU type");
    int pmu_type = atoi(buf);

    int map_fd = create_counter_map();
    if (map_fd < 0) return fail(name, "BPF_MAP_CREATE: %s", strerror(errno));
    int prog_fd = load_prog(BPF_PROG_TYPE_KPROBE, 0, 0, map_fd);
    if (prog_fd < 0) {
        fail(name, "BPF_PROG_LOAD: %s (%s)", strerror(-prog_fd), verifier_log);
        close(map_fd);
        return;
    }
    int pfd = -1;
    const char *target = NULL;
    for (size_t i = 0; i < NTARGETS && pfd < 0; i++) {
        struct perf_event_attr pa;
        memset(&pa, 0, sizeof(pa));
        pa.size = sizeof(pa);
        pa.type = pmu_type;
        target = targets[i];
        pa.kprobe_func = (uintptr_t)target;  // config1
        pa.probe_offset = 0;                 // config2
        pfd = syscall(__NR_perf_event_open, &pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    }
    if (pfd < 0) {
        fail(name, "perf_event_open(kprobe %s): %s", target, strerror(errno));
    } else if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog_fd) < 0) {
        fail(name, "PERF_EVENT_IOC_SET_BPF: %s", strerror(errno));
    } else if (ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
        fail(name, "PERF_EVENT_IOC_ENABLE: %s", strerror(errno));
    } else {
        check_fired(name, target, map_fd);
    }
    if (pfd >= 0) close(pfd);
    close(prog_fd);
    close(map_fd);
}

// fentry: BPF_PROG_TYPE_TRACING + BPF_TRACE_FENTRY, attached through
// BPF_RAW_TRACEPOINT_OPEN (works on every kernel with fentry, 5.5+).
static void test_bpf_fentry(void) {
    const char *name = "smoke/bpf-fentry";
    const char *target = NULL;
    int btf_id = -ENOENT;
    for (size_t i = 0; i < NTARGETS && btf_id < 0; i++) btf_id = btf_find_func(target = targets[i]);
    if (btf_id < 0) return fail(name, "no BTF FUNC %s or %s: %s", targets[0], targets[1], strerror(-btf_id));
    int map_fd = create_counter_map();
    if (map_fd < 0) return fail(name, "BPF_MAP_CREATE: %s", strerror(errno));
    int prog_fd = load_prog(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, btf_id, map_fd);
    if (prog_fd < 0) {
        fail(name, "BPF_PROG_LOAD: %s (%s)", strerror(-prog_fd), verifier_log);
        close(map_fd);
        return;
    }
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.raw_tracepoint.prog_fd = prog_fd;
    int link_fd = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
    if (link_fd < 0)
        fail(name, "attach (BPF_RAW_TRACEPOINT_OPEN): %s", strerror(errno));
    else
        check_fired(name, target, map_fd);
    if (link_fd >= 0) close(link_fd);
    close(prog_fd);
    close(map_fd);
}

static void test_path(const char *name, const char *path) {
    struct stat st;
    if (stat(path, &st) == 0)
        pass(name);
    else
        fail(name, "%s: %s", path, strerror(errno));
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct utsname u;
    if (uname(&u) == 0) {
        printf("# kernel %s %s\n", u.release, u.version);
        pass("smoke/uname");
    } else {
        fail("smoke/uname", "%s", strerror(errno));
    }
    test_path("smoke/btf-vmlinux", "/sys/kernel/btf/vmlinux");
    test_path("smoke/kprobe-events", "/sys/kernel/tracing/kprobe_events");
    test_bpf_kprobe();
    test_bpf_fentry();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
