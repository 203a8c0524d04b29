/* SPDX-License-Identifier: MIT */
/*
 * confine: the lab's two seccomp filters.
 *
 *   confine setid COMMAND [ARG...]   run COMMAND with calls that change its
 *                                    user and groups succeeding, changing
 *                                    nothing (the lab's tcpdump)
 *   confine guest                    write the guest's filter, for bwrap's
 *                                    --seccomp, to standard output
 *   confine exec-only DIR COMMAND [ARG...]
 *                                    run COMMAND where execve() succeeds
 *                                    only for files under DIR (the
 *                                    submission's programs), /bin/sh, ip
 *                                    and sysctl (the grader's guests)
 *
 * setid.  Inside the lab you are root of a user namespace that knows one
 * user only, root.  tcpdump drops its privileges after opening the
 * capture, to the user "tcpdump" that this namespace cannot know, fails,
 * and exits ("Couldn't change to 'tcpdump' uid=... Operation not
 * permitted").  Run through this it stays root of the lab, which is all it
 * is there, and captures as the handout shows.
 *
 * guest.  A program under test is root of its host's network, as the
 * handout needs, and that gives it more than the lab is about.  Its filter
 * refuses what no step asks for and what would let it cheat or cost the
 * machine beyond the test's limits: packet sockets (their rings are
 * memory no cgroup is charged for), new network namespaces (a veth whose
 * far end is a kernel of its own answers pings in place of the program),
 * keyrings (the session keyring is the grader's), io_uring (its
 * operations pass by this filter), a TUN's segmentation offloads and
 * socket filters (TUNSETOFFLOAD, TUNATTACHFILTER: no step needs them, and
 * they let a slot of a TUN's queue hold 64 KB), sockets of any family but the four
 * the lab uses (IPv4, IPv6, netlink for ip, Unix for the C library):
 * AF_VSOCK, for one, lives outside every network namespace, and every
 * system call of another ABI (32-bit or x32, where these numbers mean
 * other calls).
 *
 * exec-only.  A point means the student's program did the step's work.
 * socat and python3 move packets between a TUN and a socket in one line,
 * and sit in every machine's /usr: with this (Landlock, which any process
 * may apply to itself) a guest can run its own programs and the handout's
 * system("ip ...") and sysctl, and nothing else; a refused exec fails with
 * EACCES, which the grader's trace of the program shows.  A kernel
 * without Landlock runs COMMAND as it is, saying so: the trace still
 * credits only the submitted programs' own calls.
 */
#define _GNU_SOURCE	/* strchrnul, O_PATH */
#include <errno.h>
#include <linux/audit.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <linux/landlock.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define X32_BIT 0x40000000u
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#define X32_BIT 0
#else
#error "confine: add this architecture's AUDIT_ARCH_ value"
#endif

#define ARG0 offsetof(struct seccomp_data, args[0])
#define ARG1 offsetof(struct seccomp_data, args[1])
#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define ERR(e) RET(SECCOMP_RET_ERRNO | (e))

/* Syscall NR returns 0 without running; else on to the next line. */
#define FAKE(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), ERR(0)
/* Syscall NR fails with errno E. */
#define DENY(nr, e) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), ERR(e)

static struct sock_filter setid_code[] = {
	/* Another ABI (32-bit calls on a 64-bit kernel): as is. */
	LOAD(offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
	RET(SECCOMP_RET_ALLOW),
	LOAD(offsetof(struct seccomp_data, nr)),
	FAKE(__NR_setuid), FAKE(__NR_setgid), FAKE(__NR_setgroups),
	FAKE(__NR_setresuid), FAKE(__NR_setresgid),
	FAKE(__NR_setreuid), FAKE(__NR_setregid),
	FAKE(__NR_setfsuid), FAKE(__NR_setfsgid),
	RET(SECCOMP_RET_ALLOW),
};

static struct sock_filter guest_code[] = {
	LOAD(offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
	ERR(ENOSYS),
	LOAD(offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_BIT, 0, 1),
	ERR(ENOSYS),
	DENY(__NR_keyctl, EPERM), DENY(__NR_add_key, EPERM),
	DENY(__NR_request_key, EPERM),
	DENY(__NR_io_uring_setup, ENOSYS), DENY(__NR_io_uring_enter, ENOSYS),
	DENY(__NR_io_uring_register, ENOSYS),
	/* clone3's flags are in memory a filter cannot read: glibc falls
	 * back to clone, whose flags are an argument. */
	DENY(__NR_clone3, ENOSYS),
	/* TUNSETOFFLOAD: a TUN that takes segmentation offloads queues a
	 * packet of 64 KB in each slot of its queue, which fills at memory
	 * speed before the grader's memwatch can lower it.  TUNATTACHFILTER:
	 * a filter that keeps one segment of each 64 KB packet the kernel
	 * cuts up leaves each slot holding the whole packet's pages.  (The
	 * kernel reads an ioctl's number as 32 bits: so does this.) */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 5),
	LOAD(ARG1),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TUNSETOFFLOAD, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TUNATTACHFILTER, 0, 1),
	ERR(EPERM),
	RET(SECCOMP_RET_ALLOW),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JA, 3, 0, 0),
	LOAD(ARG0),	/* clone or unshare: a new network namespace? (No:
			 * on to the last line, allowed.) */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWNET, 0, 13),
	ERR(EPERM),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socketpair, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 10),
	LOAD(ARG0),	/* socket: of a family the lab uses? */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 4, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 3, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 6, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 5, 0),
	ERR(EAFNOSUPPORT),
	LOAD(ARG1),	/* IPv4 or IPv6: not an old-style packet socket */
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_PACKET, 0, 1),
	ERR(EPERM),
	RET(SECCOMP_RET_ALLOW),
};

static int apply(struct sock_filter *code, size_t len)
{
	struct sock_fprog prog = { .len = (unsigned short)len, .filter = code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static int usage(void)
{
	fprintf(stderr, "usage: confine setid command [arg...] | confine guest | "
	    "confine exec-only dir command [arg...]\n");
	return 2;
}

/* The tools a guest may run besides its own programs: what the handout's
 * programs run (system() runs /bin/sh, which runs ip or sysctl). */
static const char *const guest_tools[] = { "/bin/sh", "ip", "sysctl" };

/* Where PATH finds NAME (a name with a slash is itself), in BUF. */
static const char *find_tool(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH"), *end;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? name : NULL;
	for (; path && *path; path = *end ? end + 1 : end) {
		end = strchrnul(path, ':');
		if (snprintf(buf, size, "%.*s/%s", (int)(end - path), path, name) < (int)size &&
		    access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

/* The ELF interpreter (ld.so) PATH names, in BUF: the kernel opens it for
 * execution too, so it needs the same right as the program.  Empty for a
 * static program or a file that is not ELF. */
static const char *interpreter_of(const char *path, char *buf, size_t size)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return buf;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64) {
		for (i = 0; i < eh.e_phnum; i++) {
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * sizeof(ph))) !=
			    (ssize_t)sizeof(ph))
				break;
			if (ph.p_type == PT_INTERP && ph.p_filesz > 0 && ph.p_filesz < size &&
			    pread(fd, buf, ph.p_filesz, (off_t)ph.p_offset) == (ssize_t)ph.p_filesz) {
				buf[ph.p_filesz - 1] = '\0';
				break;
			}
			buf[0] = '\0';
		}
	}
	close(fd);
	return buf;
}

/* Let the ruleset execute PATH (a file, or everything under a folder). */
static int allow_exec(int ruleset, const char *path)
{
	struct landlock_path_beneath_attr rule = { .allowed_access = LANDLOCK_ACCESS_FS_EXECUTE };
	int rc;

	if ((rule.parent_fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		fprintf(stderr, "confine: %s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
	if (rc == -1)
		fprintf(stderr, "confine: landlock rule for %s: %s\n", path, strerror(errno));
	close(rule.parent_fd);
	return rc;
}

/* Allow PATH and its interpreter. */
static int allow_program(int ruleset, const char *path)
{
	char interp[4096];

	if (allow_exec(ruleset, path) == -1)
		return -1;
	if (*interpreter_of(path, interp, sizeof(interp)) && allow_exec(ruleset, interp) == -1)
		return -1;
	return 0;
}

/* Only DIR's files, COMMAND and the guest's tools may be executed, by
 * this process and everything it starts.  0, or -1 having said why;
 * a kernel without Landlock is said and let be (1). */
static int exec_only(const char *dir, const char *command)
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE };
	char buf[4096];
	const char *tool;
	size_t i;
	int ruleset;

	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset == -1 && (errno == ENOSYS || errno == EOPNOTSUPP)) {
		fprintf(stderr, "confine: this kernel has no Landlock: any program may be executed\n");
		return 1;
	}
	if (ruleset == -1) {
		fprintf(stderr, "confine: landlock: %s\n", strerror(errno));
		return -1;
	}
	if (allow_exec(ruleset, dir) == -1 || allow_program(ruleset, command) == -1)
		goto fail;
	for (i = 0; i < sizeof(guest_tools) / sizeof(guest_tools[0]); i++) {
		tool = find_tool(guest_tools[i], buf, sizeof(buf));
		if (tool && allow_program(ruleset, tool) == -1)
			goto fail;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0) == -1) {
		fprintf(stderr, "confine: landlock: %s\n", strerror(errno));
		goto fail;
	}
	close(ruleset);
	return 0;
fail:
	close(ruleset);
	return -1;
}

int main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "guest") == 0) {
		if (fwrite(guest_code, sizeof(guest_code), 1, stdout) != 1 ||
		    fflush(stdout) == EOF) {
			fprintf(stderr, "confine: writing the filter: %s\n", strerror(errno));
			return 1;
		}
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "exec-only") == 0) {
		if (exec_only(argv[2], argv[3]) == -1)
			return 1;
		execv(argv[3], argv + 3);
		fprintf(stderr, "confine: %s: %s\n", argv[3], strerror(errno));
		return 127;
	}
	if (argc < 3 || strcmp(argv[1], "setid") != 0)
		return usage();
	if (apply(setid_code, sizeof(setid_code) / sizeof(setid_code[0])) == -1) {
		fprintf(stderr, "confine: seccomp: %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "confine: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
