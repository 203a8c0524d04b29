/*
 * confine: the lab's two seccomp filters.
 *
 *   confine setid COMMAND [ARG...]   run COMMAND with calls that change its
 *                                    user and groups succeeding, changing
 *                                    nothing (the lab's tcpdump)
 *   confine guest                    write the guest's filter, for bwrap's
 *                                    --seccomp, to standard output
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
 * operations pass by this filter), and every system call of another ABI
 * (32-bit or x32, where these numbers mean other calls).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JA, 3, 0, 0),
	LOAD(ARG0),	/* clone or unshare: a new network namespace? */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWNET, 0, 8),
	ERR(EPERM),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 6),
	LOAD(ARG0),	/* socket: a packet socket, new or old style? */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_PACKET, 3, 0),
	LOAD(ARG1),
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
	fprintf(stderr, "usage: confine setid command [arg...] | confine guest\n");
	return 2;
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
