// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "syms.h"

/* How far a symbol without a size reaches when no symbol follows it. */
#define LAST_SYMBOL_REACH 4096
/* Sized symbols can nest (a local label inside a function): how many to look back. */
#define NESTED_LOOKBACK 4
#define PROC_BUCKETS 1024
#define IMAGE_BUCKETS 256
#define DEBUG_DIR "/usr/lib/debug/.build-id"

/* Strings that live as long as their table, allocated in large chunks. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

static char *chunk_strdup(struct chunk **head, const char *s)
{
	size_t len = strlen(s) + 1;
	struct chunk *c = *head;
	char *p;

	if (!c || c->cap - c->used < len) {
		size_t cap = len > 65536 ? len : 65536;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = *head;
		*head = c;
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	c->used += len;
	return p;
}

static void chunks_free(struct chunk *c)
{
	while (c) {
		struct chunk *next = c->next;

		free(c);
		c = next;
	}
}

struct sn_symtab {
	struct sn_sym *syms;
	size_t nr, cap;
	struct chunk *strings;
	const char *last_module; /* kallsyms lists a module's symbols together: one copy each */
};

struct sn_symtab *sn_symtab_new(void)
{
	return calloc(1, sizeof(struct sn_symtab));
}

void sn_symtab_free(struct sn_symtab *t)
{
	if (!t)
		return;
	free(t->syms);
	chunks_free(t->strings);
	free(t);
}

int sn_symtab_add(struct sn_symtab *t, uint64_t addr, uint64_t size, const char *name,
		  const char *module, int prio)
{
	struct sn_sym *s;

	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;

		s = realloc(t->syms, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		t->syms = s;
		t->cap = cap;
	}
	s = &t->syms[t->nr];
	s->addr = addr;
	s->size = size;
	s->prio = prio;
	s->module = NULL;
	s->name = chunk_strdup(&t->strings, name);
	if (!s->name)
		return -ENOMEM;
	if (module) {
		if (!t->last_module || strcmp(t->last_module, module))
			t->last_module = chunk_strdup(&t->strings, module);
		if (!t->last_module)
			return -ENOMEM;
		s->module = t->last_module;
	}
	t->nr++;
	return 0;
}

/* By address; among aliases, sized ones first, then by priority. */
static int sym_cmp(const void *a, const void *b)
{
	const struct sn_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (!x->size != !y->size)
		return x->size ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	return strcmp(x->name, y->name);
}

void sn_symtab_sort(struct sn_symtab *t)
{
	size_t out = 0;

	if (!t->nr)
		return;
	qsort(t->syms, t->nr, sizeof(*t->syms), sym_cmp);
	for (size_t i = 1; i < t->nr; i++)
		if (t->syms[i].addr != t->syms[out].addr)
			t->syms[++out] = t->syms[i];
	t->nr = out + 1;
}

size_t sn_symtab_count(const struct sn_symtab *t)
{
	return t ? t->nr : 0;
}

const struct sn_sym *sn_symtab_find(const struct sn_symtab *t, uint64_t addr)
{
	size_t lo = 0, hi, i;

	if (!t || !t->nr || addr < t->syms[0].addr)
		return NULL;
	/* The last symbol at or below @addr. */
	hi = t->nr;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	for (i = lo + 1; i-- > 0 && lo - i < NESTED_LOOKBACK;) {
		const struct sn_sym *s = &t->syms[i];
		uint64_t end;

		if (s->size)
			end = s->addr + s->size;
		else if (i + 1 < t->nr)
			end = t->syms[i + 1].addr;
		else
			end = s->addr + LAST_SYMBOL_REACH;
		if (addr < end)
			return s;
		if (!s->size)
			break; /* an unsized symbol bounds everything below it */
	}
	return NULL;
}

struct sn_symtab *sn_kallsyms_parse(FILE *f)
{
	struct sn_symtab *t = sn_symtab_new();
	char *line = NULL, *p, *end, *name, *mod;
	size_t cap = 0;
	uint64_t addr;
	ssize_t len;
	int err = 0;

	if (!t)
		return NULL;
	while (!err && (len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		addr = strtoull(line, &end, 16);
		if (end == line || *end != ' ')
			continue;
		p = end + 1;
		/* Text only; a zero address means kptr_restrict hides them all. */
		if ((*p != 't' && *p != 'T') || p[1] != ' ' || !addr)
			continue;
		name = p + 2;
		mod = NULL;
		p = name + strcspn(name, " \t");
		if (*p) {
			*p++ = '\0';
			p += strspn(p, " \t");
			if (*p == '[' && strchr(p, ']')) {
				mod = p;
				strchr(p, ']')[1] = '\0';
			}
		}
		if (*name)
			err = sn_symtab_add(t, addr, 0, name, mod ? mod : "[kernel]", 0);
	}
	free(line);
	if (err || ferror(f)) {
		sn_symtab_free(t);
		errno = err ? -err : EIO;
		return NULL;
	}
	sn_symtab_sort(t);
	return t;
}

struct sn_symtab *sn_kallsyms_load(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	struct sn_symtab *t;
	int err;

	if (!f)
		return NULL;
	t = sn_kallsyms_parse(f);
	err = errno;
	fclose(f);
	errno = err;
	return t;
}

int sn_maps_parse_line(char *line, struct sn_maps_entry *e)
{
	unsigned long long start, end, pgoff, ino;
	unsigned int major, minor;
	char perms[8];
	int n = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &pgoff, &major,
		   &minor, &ino, &n) != 7 ||
	    !n || strlen(perms) != 4 || start >= end)
		return -EINVAL;
	e->start = start;
	e->end = end;
	e->pgoff = pgoff;
	e->dev = makedev(major, minor);
	e->ino = ino;
	e->exec = perms[2] == 'x';
	e->path = line + n;
	return 0;
}

/* Where a part of a file is mapped in the ELF's own address space. */
struct segment {
	uint64_t offset, vaddr, filesz;
};

/* A mapped file and its symbols; kept for the whole run, shared by processes. */
struct image {
	struct image *next;
	uint64_t dev, ino;
	char *path;
	struct sn_symtab *syms; /* NULL: no symbols could be read */
	struct segment *segs;
	size_t nr_segs;
};

struct vma {
	uint64_t start, end, pgoff;
	struct image *img;
};

struct proc {
	struct proc *next;
	pid_t pid;
	uint64_t as_id;
	struct vma *vmas; /* executable mappings, by address */
	size_t nr_vmas;
};

struct sn_usyms {
	struct proc *procs[PROC_BUCKETS];
	struct image *images[IMAGE_BUCKETS];
	struct image *vdso;
};

struct sn_usyms *sn_usyms_new(void)
{
	elf_version(EV_CURRENT);
	return calloc(1, sizeof(struct sn_usyms));
}

static void image_free(struct image *img)
{
	if (!img)
		return;
	sn_symtab_free(img->syms);
	free(img->segs);
	free(img->path);
	free(img);
}

static void proc_free(struct proc *p)
{
	free(p->vmas);
	free(p);
}

void sn_usyms_free(struct sn_usyms *u)
{
	if (!u)
		return;
	for (int i = 0; i < PROC_BUCKETS; i++) {
		while (u->procs[i]) {
			struct proc *p = u->procs[i];

			u->procs[i] = p->next;
			proc_free(p);
		}
	}
	for (int i = 0; i < IMAGE_BUCKETS; i++) {
		while (u->images[i]) {
			struct image *img = u->images[i];

			u->images[i] = img->next;
			image_free(img);
		}
	}
	image_free(u->vdso);
	free(u);
}

/* Function symbols of section @scn; the strongest binding wins among aliases. */
static int read_symbols(Elf *elf, Elf_Scn *scn, struct sn_symtab *t)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	GElf_Shdr sh;
	GElf_Sym sym;
	int err;

	if (!data || !gelf_getshdr(scn, &sh) || !sh.sh_entsize)
		return -EINVAL;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		const char *name;
		int type, bind;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		bind = GELF_ST_BIND(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
		    !sym.st_value)
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		err = sn_symtab_add(t, sym.st_value, sym.st_size, name, NULL,
				    bind == STB_GLOBAL ? 2 : bind == STB_WEAK ? 1 : 0);
		if (err)
			return err;
	}
	return 0;
}

/* The first section of @type that has contents in this file. */
static Elf_Scn *find_section(Elf *elf, GElf_Word type)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type && sh.sh_size)
			return scn;
	return NULL;
}

/* The GNU build id as hex, to find separate debug symbols; false if there is none. */
static bool build_id(Elf *elf, char *hex, size_t len)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off, next;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		while (data && (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			const unsigned char *id = (const unsigned char *)data->d_buf + desc_off;

			off = next;
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)data->d_buf + name_off, "GNU", 4) || !nh.n_descsz ||
			    nh.n_descsz * 2 + 1 > len)
				continue;
			for (size_t i = 0; i < nh.n_descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", id[i]);
			return true;
		}
	}
	return false;
}

/* Full symbols from a Debian-style debug file (/usr/lib/debug/.build-id/ab/cdef.debug). */
static int read_debug_symbols(Elf *elf, struct sn_symtab *t)
{
	char id[128], path[sizeof(DEBUG_DIR) + 160];
	Elf_Scn *scn;
	Elf *dbg;
	int fd, err = -ENOENT;

	if (!build_id(elf, id, sizeof(id)) || strlen(id) < 3)
		return -ENOENT;
	snprintf(path, sizeof(path), DEBUG_DIR "/%.2s/%s.debug", id, id + 2);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dbg = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (dbg && (scn = find_section(dbg, SHT_SYMTAB)))
		err = read_symbols(dbg, scn, t);
	elf_end(dbg);
	close(fd);
	return err;
}

/* Loadable segments, then the fullest symbol table there is: .symtab, debug file, .dynsym. */
static void image_load_elf(struct image *img, Elf *elf)
{
	struct sn_symtab *t;
	Elf_Scn *scn;
	size_t phnum;
	GElf_Phdr ph;

	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &phnum))
		return;
	img->segs = calloc(phnum ? phnum : 1, sizeof(*img->segs));
	if (!img->segs)
		return;
	for (size_t i = 0; i < phnum; i++)
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			img->segs[img->nr_segs++] =
				(struct segment){ ph.p_offset, ph.p_vaddr, ph.p_filesz };
	t = sn_symtab_new();
	if (!t)
		return;
	/* A table that fails halfway keeps what it read: fewer names, never wrong ones. */
	if ((scn = find_section(elf, SHT_SYMTAB)))
		read_symbols(elf, scn, t);
	if (!sn_symtab_count(t))
		read_debug_symbols(elf, t);
	if (!sn_symtab_count(t) && (scn = find_section(elf, SHT_DYNSYM)))
		read_symbols(elf, scn, t);
	if (!sn_symtab_count(t)) {
		sn_symtab_free(t);
		return;
	}
	sn_symtab_sort(t);
	img->syms = t;
}

/* Opens what @pid maps at @e, even if deleted or in another mount namespace. */
static int open_mapped(pid_t pid, const struct sn_maps_entry *e)
{
	char path[PATH_MAX + 64];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
		 (unsigned long long)e->start, (unsigned long long)e->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "/proc/%d/root%s", pid, e->path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fd = open(e->path, O_RDONLY | O_CLOEXEC);
	/* By path, it may be another file by now: only the same inode will do. */
	if (fd >= 0 && (fstat(fd, &st) || st.st_ino != e->ino)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static struct image *image_get(struct sn_usyms *u, pid_t pid, const struct sn_maps_entry *e)
{
	unsigned int b = (unsigned int)((e->ino * 31 + e->dev) % IMAGE_BUCKETS);
	struct image *img;
	Elf *elf;
	int fd;

	for (img = u->images[b]; img; img = img->next)
		if (img->dev == e->dev && img->ino == e->ino)
			return img;
	img = calloc(1, sizeof(*img));
	if (!img)
		return NULL;
	img->path = strdup(e->path);
	if (!img->path) {
		free(img);
		return NULL;
	}
	img->dev = e->dev;
	img->ino = e->ino;
	fd = open_mapped(pid, e);
	if (fd >= 0) {
		elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		image_load_elf(img, elf);
		elf_end(elf);
		close(fd);
	}
	img->next = u->images[b];
	u->images[b] = img;
	return img;
}

/*
 * Every process of a machine maps the same vDSO: read ours, from a private copy, since
 * libelf may want to write to what it reads.
 */
static struct image *vdso_image(struct sn_usyms *u)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
	size_t size;
	char *copy;
	Elf *elf;

	if (u->vdso)
		return u->vdso;
	u->vdso = calloc(1, sizeof(*u->vdso));
	if (!u->vdso)
		return NULL;
	u->vdso->path = strdup("[vdso]");
	if (!u->vdso->path || !eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return u->vdso;
	size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	copy = malloc(size);
	if (!copy)
		return u->vdso;
	memcpy(copy, eh, size);
	elf = elf_memory(copy, size);
	image_load_elf(u->vdso, elf);
	elf_end(elf);
	free(copy);
	return u->vdso;
}

static unsigned int proc_bucket(pid_t pid, uint64_t as_id)
{
	return (unsigned int)(((uint64_t)pid * 2654435761u ^ as_id ^ (as_id >> 17)) % PROC_BUCKETS);
}

static struct proc *proc_find(struct sn_usyms *u, pid_t pid, uint64_t as_id)
{
	for (struct proc *p = u->procs[proc_bucket(pid, as_id)]; p; p = p->next)
		if (p->pid == pid && p->as_id == as_id)
			return p;
	return NULL;
}

static int read_maps(struct sn_usyms *u, struct proc *p)
{
	struct sn_maps_entry e;
	char path[64], *line = NULL;
	size_t cap = 0, vcap = 0;
	ssize_t len;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct image *img = NULL;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (sn_maps_parse_line(line, &e) || !e.exec)
			continue;
		if (e.path[0] == '/')
			img = image_get(u, p->pid, &e);
		else if (!strcmp(e.path, "[vdso]"))
			img = vdso_image(u);
		if (p->nr_vmas == vcap) {
			size_t ncap = vcap ? vcap * 2 : 32;
			struct vma *v = realloc(p->vmas, ncap * sizeof(*v));

			if (!v) {
				err = -ENOMEM;
				break;
			}
			p->vmas = v;
			vcap = ncap;
		}
		p->vmas[p->nr_vmas++] = (struct vma){ e.start, e.end, e.pgoff, img };
	}
	free(line);
	fclose(f);
	return err;
}

int sn_usyms_add_process(struct sn_usyms *u, pid_t pid, uint64_t as_id)
{
	unsigned int b = proc_bucket(pid, as_id);
	struct proc *p;

	if (proc_find(u, pid, as_id))
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->as_id = as_id;
	/* Kept even when the maps cannot be read, so a vanished process is asked about once. */
	p->next = u->procs[b];
	u->procs[b] = p;
	return read_maps(u, p);
}

/* Where file offset @off of @img lives in its ELF address space; false if not loaded. */
static bool image_vaddr(const struct image *img, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < img->nr_segs; i++) {
		const struct segment *s = &img->segs[i];

		if (off >= s->offset && off < s->offset + s->filesz) {
			*vaddr = off - s->offset + s->vaddr;
			return true;
		}
	}
	return false;
}

const char *sn_usyms_find(struct sn_usyms *u, pid_t pid, uint64_t as_id, uint64_t addr,
			  const char **module)
{
	struct proc *p = proc_find(u, pid, as_id);
	const struct sn_sym *sym;
	const struct vma *v = NULL;
	size_t lo = 0, hi;
	uint64_t vaddr;

	if (module)
		*module = NULL;
	if (!p) {
		sn_usyms_add_process(u, pid, as_id);
		p = proc_find(u, pid, as_id);
	}
	if (!p || !p->nr_vmas)
		return NULL;
	hi = p->nr_vmas;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < p->vmas[mid].start) {
			hi = mid;
		} else if (addr >= p->vmas[mid].end) {
			lo = mid + 1;
		} else {
			v = &p->vmas[mid];
			break;
		}
	}
	if (!v || !v->img)
		return NULL;
	if (module)
		*module = v->img->path;
	if (!v->img->syms || !image_vaddr(v->img, addr - v->start + v->pgoff, &vaddr))
		return NULL;
	sym = sn_symtab_find(v->img->syms, vaddr);
	return sym ? sym->name : NULL;
}

void sn_usyms_prune(struct sn_usyms *u)
{
	for (int i = 0; i < PROC_BUCKETS; i++) {
		struct proc **pp = &u->procs[i];

		while (*pp) {
			struct proc *p = *pp;

			if (kill(p->pid, 0) && errno == ESRCH) {
				*pp = p->next;
				proc_free(p);
			} else {
				pp = &p->next;
			}
		}
	}
}

int sn_stack_fold(struct sn_buf *b, const char *const *frames, size_t n, uint64_t count)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = frames[i];

		if (i && sn_buf_putc(b, ';'))
			return -ENOMEM;
		while (*s) {
			size_t len = strcspn(s, ";");

			if (sn_escape_text(b, s, len, false))
				return -ENOMEM;
			s += len;
			if (*s == ';') {
				if (sn_buf_puts(b, "\\x3b"))
					return -ENOMEM;
				s++;
			}
		}
	}
	return sn_buf_printf(b, " %llu\n", (unsigned long long)count);
}
