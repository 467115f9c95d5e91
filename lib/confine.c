/* confine.c: see confine.h.
 *
 * The kernel interfaces are spelled out here rather than taken from
 * <linux/seccomp.h>, <linux/filter.h> and <linux/landlock.h>: the static
 * musl build sees no kernel headers.  The values are the kernel's ABI and
 * cannot change.
 *
 * The seccomp filter is a balanced tree of comparisons over the sorted
 * allow-list rather than one comparison after another: at attach time the
 * kernel runs the filter once per system call number to find the calls it
 * can allow without running it again, and a tree keeps that walk, and so
 * the cost of starting a confined process, short. */
#include "confine.h"

#include "die.h"
#include "exitcode.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* --- seccomp ------------------------------------------------------ */

struct bpf_insn {              /* struct sock_filter */
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
struct bpf_prog {              /* struct sock_fprog */
	unsigned short len;
	struct bpf_insn *insns;
};

#define BPF_LD_W_ABS 0x20
#define BPF_JEQ_K 0x15
#define BPF_JGE_K 0x35
#define BPF_JSET_K 0x45
#define BPF_AND_K 0x54
#define BPF_RET_K 0x06

#define SECCOMP_MODE_FILTER_ 2
#define RET_ALLOW 0x7fff0000u
#define RET_TRAP 0x00030000u
#define RET_KILL_PROCESS 0x80000000u
#define RET_ERRNO 0x00050000u

/* struct seccomp_data: nr, arch, instruction pointer, six arguments;
 * the low half of an argument comes first on these little-endian ABIs. */
#define DATA_NR 0
#define DATA_ARCH 4
#define DATA_ARG(i) (16 + 8 * (i))

#if defined(__x86_64__)
#define AUDIT_ARCH_ 0xc000003eu
#elif defined(__aarch64__)
#define AUDIT_ARCH_ 0xc00000b7u
#else
#error "confine.c knows the seccomp ABI of x86_64 and aarch64 only"
#endif

#define FILTER_MAX 256

/* Calls every room needs: its descriptors, memory, signals to itself,
 * time, and the end.  -1 ends each list. */
static const int base_calls[] = {
	SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_close,
	SYS_lseek, SYS_fcntl, SYS_fstat, SYS_newfstatat, SYS_ppoll,
	SYS_sendto, SYS_recvfrom, SYS_brk, SYS_munmap, SYS_mremap, SYS_madvise,
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_getpid,
	SYS_gettid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid,
	SYS_getresuid, SYS_getresgid, SYS_clock_gettime, SYS_clock_nanosleep,
	SYS_nanosleep, SYS_gettimeofday, SYS_restart_syscall, SYS_futex,
	SYS_getrandom, SYS_sched_yield, SYS_exit, SYS_exit_group,
#ifdef SYS_poll
	SYS_poll,
#endif
#ifdef SYS_time
	SYS_time,
#endif
	-1
};

/* Opening files: Landlock decides which. */
static const int open_calls[] = {
	SYS_openat,
#ifdef SYS_open
	SYS_open,
#endif
#ifdef SYS_stat
	SYS_stat, SYS_lstat,
#endif
	SYS_statx, -1
};

/* The mbox worker: the write-back's new file (its descriptor comes from
 * the spool helper), the index cache, waiting for pop3d, and a thread
 * that indexes half a large mailbox (glibc's threads register with
 * set_robust_list and rseq). */
static const int mbox_calls[] = {
	SYS_fsync, SYS_fdatasync, SYS_fallocate, SYS_copy_file_range,
	SYS_sendfile, SYS_ftruncate, SYS_sendmsg, SYS_recvmsg, SYS_flock,
	SYS_unlinkat, SYS_renameat, SYS_renameat2, SYS_wait4, SYS_sync_file_range,
	SYS_set_robust_list, SYS_rseq,
#ifdef SYS_unlink
	SYS_unlink, SYS_rename,
#endif
	-1
};

/* The Maildir worker: new/ to cur/, the deletions, the size cache. */
static const int maildir_calls[] = {
	SYS_getdents64, SYS_fsync, SYS_fdatasync, SYS_ftruncate, SYS_unlinkat,
	SYS_renameat, SYS_renameat2, SYS_linkat, SYS_wait4, SYS_fstatfs,
#ifdef SYS_unlink
	SYS_unlink, SYS_rename, SYS_link,
#endif
	-1
};

/* pop3tls: the client's end of file handed on to the chain. */
static const int tls_calls[] = { SYS_shutdown, -1 };

#if defined(__SANITIZE_ADDRESS__)
/* Test builds only: LeakSanitizer stops the process with a traced
 * thread to scan it at exit, reading /proc/self (see landlock_dir). */
static const int sanitizer_calls[] = {
	SYS_clone, SYS_ptrace, SYS_prctl, SYS_wait4, SYS_getdents64, SYS_getppid,
	SYS_readlinkat, SYS_sigaltstack, SYS_sched_getaffinity, SYS_prlimit64,
	SYS_openat, SYS_mprotect, SYS_mmap,
#ifdef SYS_open
	SYS_open, SYS_readlink, SYS_getdents,
#endif
	-1
};
#endif

/* Where a jump still to be aimed goes: the shared end of the filter. */
enum target { NEXT, TO_ALLOW, TO_TRAP };

struct filter {
	struct bpf_insn insn[FILTER_MAX];
	size_t len;
	struct {
		size_t at;
		enum target jt, jf;
	} jump[FILTER_MAX];
	size_t n_jumps;
};

/* One call of the allow-list and how its verdict is reached. */
enum verdict {
	NONE,         /* no rule: the slot is empty */
	ALLOW,        /* always */
	ALLOW_IF_EQ,  /* when argument ARG equals K, else trap */
	ALLOW_IF_NOT, /* when argument ARG has none of the bits of K, else trap */
	ALLOW_IF_SET, /* when argument ARG has every bit of K, else fail EPERM */
	REFUSE,       /* fail with errno K */
};
struct rule {
	int nr;
	enum verdict verdict;
	uint8_t arg;
	uint32_t k;
};

static void emit(struct filter *f, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	if (f->len == FILTER_MAX)
		die(EXIT_TEMP, "seccomp filter too long");
	f->insn[f->len++] = (struct bpf_insn){ code, jt, jf, k };
}

/* A conditional jump whose branches go to the shared end (or on). */
static void emit_to(struct filter *f, uint16_t code, uint32_t k, enum target jt, enum target jf)
{
	f->jump[f->n_jumps].at = f->len;
	f->jump[f->n_jumps].jt = jt;
	f->jump[f->n_jumps++].jf = jf;
	emit(f, code, k, 0, 0);
}

static uint8_t offset(size_t n)
{
	if (n > 255)
		die(EXIT_TEMP, "seccomp filter jump too long");
	return (uint8_t)n;
}

/* The verdict of a rule other than ALLOW, once the call is known to be
 * its own.  Allow and trap are the end's, shared by every rule, so each
 * verdict is two instructions: fewer for the kernel to run once per call
 * number when the filter is attached. */
static size_t verdict_len(const struct rule *r)
{
	return r->verdict == REFUSE ? 1 : r->verdict == ALLOW_IF_SET ? 4 : 2;
}

static void emit_verdict(struct filter *f, const struct rule *r)
{
	if (r->verdict == REFUSE) {
		emit(f, BPF_RET_K, RET_ERRNO | r->k, 0, 0);
		return;
	}
	emit(f, BPF_LD_W_ABS, DATA_ARG(r->arg), 0, 0);
	if (r->verdict == ALLOW_IF_SET) {
		emit(f, BPF_AND_K, r->k, 0, 0);
		emit_to(f, BPF_JEQ_K, r->k, TO_ALLOW, NEXT);
		emit(f, BPF_RET_K, RET_ERRNO | EPERM, 0, 0);
	} else if (r->verdict == ALLOW_IF_EQ) {
		emit_to(f, BPF_JEQ_K, r->k, TO_ALLOW, TO_TRAP);
	} else {
		emit_to(f, BPF_JSET_K, r->k, TO_TRAP, TO_ALLOW);
	}
}

/* A leaf: each call compared in turn.  A plain one jumps to the allow
 * at the end of the filter, one with its own verdict falls into it; the
 * last one's other branch goes to the trap at the end. */
static void emit_leaf(struct filter *f, const struct rule *r, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		enum target miss = i + 1 == hi ? TO_TRAP : NEXT;
		if (r[i].verdict == ALLOW) {
			emit_to(f, BPF_JEQ_K, (uint32_t)r[i].nr, TO_ALLOW, miss);
			continue;
		}
		size_t at = f->len;
		emit_to(f, BPF_JEQ_K, (uint32_t)r[i].nr, NEXT, miss);
		if (miss == NEXT)
			f->insn[at].jf = offset(verdict_len(&r[i]));
		emit_verdict(f, &r[i]);
	}
}

/* The rules R[LO..HI), sorted by number, as a tree: above four, one
 * comparison sends the walk to the upper or the lower half.  A number
 * no rule names, x32's among them, ends in the trap. */
static void emit_tree(struct filter *f, const struct rule *r, size_t lo, size_t hi)
{
	if (hi - lo <= 4) {
		emit_leaf(f, r, lo, hi);
		return;
	}
	size_t mid = lo + (hi - lo) / 2;
	size_t at = f->len;
	emit(f, BPF_JGE_K, (uint32_t)r[mid].nr, 0, 0);
	emit_tree(f, r, lo, mid);
	f->insn[at].jt = offset(f->len - at - 1);
	emit_tree(f, r, mid, hi);
}

/* The end every verdict jumps to: trap, then allow. */
static void emit_end(struct filter *f)
{
	size_t trap = f->len;
	emit(f, BPF_RET_K, RET_TRAP, 0, 0);
	size_t allow = f->len;
	emit(f, BPF_RET_K, RET_ALLOW, 0, 0);
	for (size_t i = 0; i < f->n_jumps; i++) {
		size_t at = f->jump[i].at;
		struct bpf_insn *in = &f->insn[at];
		if (f->jump[i].jt != NEXT)
			in->jt = offset((f->jump[i].jt == TO_ALLOW ? allow : trap) - at - 1);
		if (f->jump[i].jf != NEXT)
			in->jf = offset((f->jump[i].jf == TO_ALLOW ? allow : trap) - at - 1);
	}
}

/* The rules by call number: a slot per number keeps them sorted and
 * one a number without sorting.  For one number the plainest verdict
 * wins (the lowest), as a room that allows a call outright means it. */
#define SLOTS 512
struct rules {
	struct rule slot[SLOTS];
	struct rule r[128];
	size_t n;
};

static void add_rule(struct rules *rs, int nr, enum verdict v, uint8_t arg, uint32_t k)
{
	if (nr < 0 || nr >= SLOTS)
		die(EXIT_TEMP, "system call %d beyond the allow-list's table", nr);
	struct rule *s = &rs->slot[nr];
	if (s->verdict == NONE || v < s->verdict)
		*s = (struct rule){ nr, v, arg, k };
}

static void add_calls(struct rules *rs, const int *list)
{
	for (; *list >= 0; list++)
		add_rule(rs, *list, ALLOW, 0, 0);
}

/* Calls whose verdict depends on an argument, or that are refused. */
static void add_checked_calls(struct rules *rs)
{
	uint32_t self = (uint32_t)getpid();
	/* abort() and raise() signal the process itself, by pid or tid
	 * (the same here: one thread); nothing else may be signalled. */
	add_rule(rs, SYS_kill, ALLOW_IF_EQ, 0, self);
	add_rule(rs, SYS_tkill, ALLOW_IF_EQ, 0, self);
	add_rule(rs, SYS_tgkill, ALLOW_IF_EQ, 0, self);
	/* stdio asks whether a descriptor is a terminal; no other ioctl */
	add_rule(rs, SYS_ioctl, ALLOW_IF_EQ, 1, TIOCGWINSZ);
	/* limits of the process itself only */
	add_rule(rs, SYS_prlimit64, ALLOW_IF_EQ, 0, 0);
	/* memory, but never executable memory */
	add_rule(rs, SYS_mmap, ALLOW_IF_NOT, 2, PROT_EXEC);
	add_rule(rs, SYS_mprotect, ALLOW_IF_NOT, 2, PROT_EXEC);
	/* A new process is refused rather than trapped: libc forks with
	 * every signal blocked, and a trap then kills without a word.
	 * clone3's flags are behind a pointer, out of a filter's reach: it
	 * is "not implemented", so that a C library falls back to clone. */
	add_rule(rs, SYS_clone, REFUSE, 0, EPERM);
	add_rule(rs, SYS_clone3, REFUSE, 0, ENOSYS);
#ifdef SYS_fork
	add_rule(rs, SYS_fork, REFUSE, 0, EPERM);
	add_rule(rs, SYS_vfork, REFUSE, 0, EPERM);
#endif
}

static void room_rules(enum confine_room room, struct rules *rs)
{
	memset(rs->slot, 0, sizeof rs->slot);
	add_calls(rs, base_calls);
	if (room != CONFINE_DIALOGUE && room != CONFINE_TLS)
		add_calls(rs, open_calls);
	if (room == CONFINE_TLS)
		add_calls(rs, tls_calls);
	if (room == CONFINE_MBOX_WORKER) {
		add_calls(rs, mbox_calls);
		/* A thread (mboxsplit/halves.c), never a process. */
		add_rule(rs, SYS_clone, ALLOW_IF_SET, 0, CLONE_THREAD);
	}
	if (room == CONFINE_MAILDIR_WORKER)
		add_calls(rs, maildir_calls);
#if defined(__SANITIZE_ADDRESS__)
	add_calls(rs, sanitizer_calls);
#endif
	add_checked_calls(rs);
	rs->n = 0;
	for (int nr = 0; nr < SLOTS; nr++) {
		if (rs->slot[nr].verdict == NONE)
			continue;
		if (rs->n == sizeof rs->r / sizeof rs->r[0])
			die(EXIT_TEMP, "seccomp allow-list too long");
		rs->r[rs->n++] = rs->slot[nr];
	}
}

static void build_filter(struct filter *f, enum confine_room room)
{
	static struct rules rs;
	room_rules(room, &rs);
	f->len = 0;
	f->n_jumps = 0;
	emit(f, BPF_LD_W_ABS, DATA_ARCH, 0, 0);
	emit(f, BPF_JEQ_K, AUDIT_ARCH_, 1, 0);
	emit(f, BPF_RET_K, RET_KILL_PROCESS, 0, 0);
	emit(f, BPF_LD_W_ABS, DATA_NR, 0, 0);
	emit_tree(f, rs.r, 0, rs.n);
	emit_end(f);
}

/* Async-signal-safe: the number by hand, the line by one write. */
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	char line[160], num[12];
	int nr = si->si_syscall, k = 0;
	unsigned u = nr < 0 ? 0 : (unsigned)nr;
	do
		num[k++] = (char)('0' + u % 10);
	while ((u /= 10) != 0 && k < (int)sizeof num);
	size_t n = 0, plen = strlen(progname);
	static const char a[] = ": fatal: system call ", b[] = " is not allowed (seccomp)\n";
	if (plen > 64)
		plen = 64;
	memcpy(line + n, progname, plen), n += plen;
	memcpy(line + n, a, sizeof a - 1), n += sizeof a - 1;
	while (k > 0)
		line[n++] = num[--k];
	memcpy(line + n, b, sizeof b - 1), n += sizeof b - 1;
	log_write(line, n);
	_exit(EXIT_TEMP);
}

static void install_seccomp(enum confine_room room)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigset_t sys;
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	if (sigaction(SIGSYS, &sa, NULL) < 0 || sigprocmask(SIG_UNBLOCK, &sys, NULL) < 0)
		die_sys(EXIT_TEMP, "cannot catch SIGSYS");
	static struct filter f;
	build_filter(&f, room);
	struct bpf_prog prog = { (unsigned short)f.len, f.insn };
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER_, &prog, 0, 0) < 0)
		die_sys(EXIT_TEMP, "cannot install the seccomp filter");
}

/* --- Landlock ----------------------------------------------------- */

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;   /* ABI 4 */
	uint64_t scoped;               /* ABI 6 */
};
struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define LL_CREATE_RULESET_VERSION 1u
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_WRITE_FILE (1u << 1)
#define LL_FS_READ_FILE (1u << 2)
#define LL_FS_READ_DIR (1u << 3)
#define LL_FS_REMOVE_FILE (1u << 5)
#define LL_FS_MAKE_REG (1u << 8)
#define LL_FS_REFER (1u << 13)        /* ABI 2 */
#define LL_FS_TRUNCATE (1u << 14)     /* ABI 3 */
#define LL_NET_ALL 3u                 /* bind and connect TCP, ABI 4 */
#define LL_SCOPE_ALL 3u               /* abstract sockets, signals, ABI 6 */

/* Every file system right the kernel of ABI knows: all are handled, so
 * all are refused except what a rule gives back. */
static uint64_t fs_rights(int abi)
{
	if (abi >= 5)
		return (1u << 16) - 1;
	if (abi >= 3)
		return (1u << 15) - 1;
	if (abi == 2)
		return (1u << 14) - 1;
	return (1u << 13) - 1;
}

static uint64_t room_rights(enum confine_room room)
{
	switch (room) {
	case CONFINE_POP3D:
		return LL_FS_READ_FILE;
	case CONFINE_MBOX_WORKER:
		return LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_MAKE_REG |
		       LL_FS_REMOVE_FILE | LL_FS_TRUNCATE;
	case CONFINE_MAILDIR_WORKER:
		return LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_WRITE_FILE |
		       LL_FS_MAKE_REG | LL_FS_REMOVE_FILE | LL_FS_REFER | LL_FS_TRUNCATE;
	default:
		return 0;
	}
}

/* Gives RIGHTS under DIR back to the ruleset; a directory that cannot be
 * opened gets nothing, so what needed it fails and says so. */
static void landlock_dir(int ruleset, const char *dir, uint64_t rights)
{
	struct ll_path_beneath rule = { rights, -1 };
	rule.parent_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rule.parent_fd < 0)
		return;
	if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0) < 0)
		die_sys(EXIT_TEMP, "cannot add a Landlock rule for %s", dir);
	close(rule.parent_fd);
}

static void install_landlock(enum confine_room room, const char *dir)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	if (abi < 0) {
		logline("confine landlock=unavailable error=\"%s\"", strerror(errno));
		return;
	}
	uint64_t rights = room_rights(room) & fs_rights((int)abi);
	/* Before ABI 2 a Landlock domain refuses every rename between
	 * directories, which a Maildir's new/ to cur/ needs. */
	if ((room_rights(room) & LL_FS_REFER) && abi < 2) {
		logline("confine landlock=abi%ld-too-old room=maildir", abi);
		return;
	}
	struct ll_ruleset_attr attr = { fs_rights((int)abi), 0, 0 };
	if (abi >= 4)
		attr.handled_access_net = LL_NET_ALL;
	if (abi >= 6)
		attr.scoped = LL_SCOPE_ALL;
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (ruleset < 0)
		die_sys(EXIT_TEMP, "cannot create a Landlock ruleset");
	if (dir && rights)
		landlock_dir(ruleset, dir, rights);
#if defined(__SANITIZE_ADDRESS__)
	landlock_dir(ruleset, "/proc", LL_FS_READ_FILE | LL_FS_READ_DIR);
#endif
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		die_sys(EXIT_TEMP, "cannot enter the Landlock domain");
	close(ruleset);
}

void confine(enum confine_room room, const char *dir)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_sys(EXIT_TEMP, "cannot set no_new_privs");
	install_landlock(room, dir);
	install_seccomp(room);
}
