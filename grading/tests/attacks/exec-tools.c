/* SPDX-License-Identifier: MIT */
/*
 * Every program of a submission, without a line of tunnel code: each
 * fork()s, execv()s a tool that every machine has in /usr, and waits.
 * Steps 2 to 4 run socat's TUN over UDP in the handout's wire format
 * (the grader's own partner); tun and tun_ping run python3, which can
 * open a TUN and answer pings in a few lines.  The program is told by
 * the name it was run as.  (Issue 25: 100/100 before the grader traced
 * the programs' own calls and let them execute nothing but their own
 * programs, /bin/sh, ip and sysctl.)
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TUN_PY "import fcntl,os,struct;" \
	"t=os.open('/dev/net/tun',os.O_RDWR);" \
	"fcntl.ioctl(t,0x400454ca,struct.pack('16sH',b'tun%d',0x1001));" \
	"os.system('ip addr add 10.1.3.1/24 dev tun0; ip link set tun0 up');"
#define PRINT_PY TUN_PY \
	"exec(\"while 1:\\n p=os.read(t,2048)\\n if p[0]>>4==4: print('packet', '.'.join(map(str,p[12:16])), '.'.join(map(str,p[16:20])), flush=True)\")"
#define ECHO_PY TUN_PY \
	"exec(\"while 1:\\n p=bytearray(os.read(t,2048))\\n" \
	" if p[0]>>4!=4 or p[9]!=1 or p[20]!=8: continue\\n" \
	" p[12:16],p[16:20]=p[16:20],p[12:16]; p[20]=0; p[22:24]=b'\\\\0\\\\0'\\n" \
	" s=sum(p[i]<<8|(p[i+1] if i+1<len(p) else 0) for i in range(20,len(p),2))\\n" \
	" while s>>16: s=(s&0xffff)+(s>>16)\\n" \
	" p[22:24]=(~s&0xffff).to_bytes(2,'big'); os.write(t,p)\")"

static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return 1;
}

int main(int argc, char *argv[])
{
	const char *me = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int server = strstr(argv[0], "server") != NULL;

	(void)argc;
	if (strcmp(me, "tun") == 0)
		return run((char *[]){ "/usr/bin/python3", "-c", PRINT_PY, NULL });
	if (strcmp(me, "tun_ping") == 0)
		return run((char *[]){ "/usr/bin/python3", "-c", ECHO_PY, NULL });
	if (strcmp(me, "tun_udp_server") == 0)
		return run((char *[]){ "/usr/bin/python3", "-c",
		    "import socket;s=socket.socket(2,2);s.bind(('',9090))\n"
		    "while 1:\n d,a=s.recvfrom(2048);print(a,'.'.join(map(str,d[12:16])),'.'.join(map(str,d[16:20])),flush=True)",
		    NULL });
	if (server)
		return run((char *[]){ "/usr/bin/socat",
		    "TUN:10.1.3.2/24,tun-type=tun,iff-no-pi,iff-up",
		    "UDP-LISTEN:9090", NULL });
	return run((char *[]){ "/usr/bin/socat", "TUN:10.1.3.1/24,tun-type=tun,iff-no-pi,iff-up",
	    "UDP:10.1.2.3:9090", NULL });
}
