/*
 * NAME
 *	defuse-milter 8
 * SUMMARY
 *	the defuse daemon: options, configuration, process life
 * SYNOPSIS
 *	defuse-milter [-ft] [-c file] [-o key=value] [-p socket]
 *		[-u user] [-g group] [-P pidfile]
 * DESCRIPTION
 *	main() turns options and a configuration file into a snapshot
 *	(snap.c), opens the milter socket, becomes a daemon, drops its
 *	privileges and hands the socket to libmilter, whose threads run
 *	callbacks.c.  Everything that can be wrong at start (a bad key,
 *	a socket that cannot be opened, an unknown user) is a message on
 *	standard error and exit status 1; -t checks a configuration,
 *	prints the effective value of every key and exits.
 *
 *	Options set keys after the file: -o key=value any key, -p the
 *	socket, -u user, -g group, -P pidfile, -f foreground.  They are
 *	applied again on every reload, so they always win.
 *
 *	Threads and signals.  libmilter's smfi_main() runs in a thread of
 *	its own, with SIGHUP, SIGUSR1, SIGTERM and SIGINT blocked; the
 *	main thread keeps them unblocked with handlers that only write
 *	to a pipe, and waits on that pipe.  The kernel gives a signal for
 *	the process to a thread that does not block it, so the main
 *	thread gets them, and not libmilter's signal thread, which would
 *	stop the milter on SIGHUP.  SIGHUP (or SIGUSR1) reloads: the
 *	file is read into a fresh struct conf; if it is good it becomes
 *	the current snapshot (messages in flight keep theirs), if not the
 *	error is logged and the old one stays.  Keys that only take
 *	effect at start (socket, user, ...) are reported when they
 *	changed.  SIGTERM (or SIGINT) finishes cleanly: new connections
 *	get a temporary failure at connect, the open ones go on to their
 *	end (up to drain_timeout seconds), and only then smfi_stop() ends
 *	libmilter.  The order matters: Debian's libmilter serves sessions
 *	from a worker pool whose controller stops with smfi_stop(), so a
 *	message still in flight at smfi_stop() would hang until the MTA
 *	times out.  SIGUSR2 does nothing but interrupt a poll: the stop
 *	uses it to wake libmilter's listener (main_stop).
 *
 *	TCP_NODELAY.  libmilter sets no socket option on an inet
 *	connection, so each reply the milter writes right after another
 *	(a header change and then the end-of-message reply) waits for the
 *	MTA's delayed acknowledgement: about 40 ms on loopback on Linux.
 *	The daemon opens the socket itself with smfi_opensocket() and
 *	sets TCP_NODELAY on the listening socket, which accepted sockets
 *	inherit on Linux and the BSDs.
 * BUGS
 *	The socket, user, group, pid file and foreground keys take effect
 *	only at start.  The JSON log is reopened on every reload.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "callbacks.h"
#include "conf.h"
#include "logger.h"
#include "snap.h"

#define MAIN_MAX_OVERRIDES	64

static const char *main_conf_path;	/* -c, or NULL: built-in defaults */
static char *main_overrides[MAIN_MAX_OVERRIDES];
static int main_noverrides;
static int main_pipe[2] = {-1, -1};	/* signal handlers -> main thread */
static int main_milter_status;

/* main_usage - the synopsis, and exit */

static void main_usage(void)
{
	fprintf(stderr, "usage: defuse-milter [-ft] [-c file] [-o key=value] "
		"[-p socket] [-u user] [-g group] [-P pidfile]\n"
		"  -c file   configuration file (default: none, built-in defaults)\n"
		"  -o k=v    set a key (any number of times; wins over the file)\n"
		"  -p sock   socket: unix:/path, inet:port@host, inet6:port@host\n"
		"  -u user   run as user;  -g group   run as group\n"
		"  -P file   pid file;  -f   stay in the foreground\n"
		"  -t        check the configuration, print every key, exit\n");
	exit(1);
}

/* main_override - remember an option that sets a key */

static void main_override(const char *key, const char *value)
{
	char   *kv;

	if (main_noverrides >= MAIN_MAX_OVERRIDES) {
		fprintf(stderr, "defuse-milter: too many -o options\n");
		exit(1);
	}
	if ((kv = malloc(strlen(key) + strlen(value) + 2)) == 0) {
		fprintf(stderr, "defuse-milter: out of memory\n");
		exit(1);
	}
	sprintf(kv, "%s=%s", key, value);
	main_overrides[main_noverrides++] = kv;
}

/* main_options - the command line */

static int main_options(int argc, char **argv)
{
	int     c, test = 0;
	char   *eq;

	while ((c = getopt(argc, argv, "c:fg:o:p:P:tu:h")) != -1) {
		switch (c) {
		case 'c':
			main_conf_path = optarg;
			break;
		case 'f':
			main_override("foreground", "yes");
			break;
		case 'g':
			main_override("group", optarg);
			break;
		case 'o':
			if ((eq = strchr(optarg, '=')) == 0) {
				fprintf(stderr, "defuse-milter: -o %s: expected key=value\n", optarg);
				exit(1);
			}
			*eq = 0;
			main_override(optarg, eq + 1);
			break;
		case 'p':
			main_override("socket", optarg);
			break;
		case 'P':
			main_override("pidfile", optarg);
			break;
		case 't':
			test = 1;
			break;
		case 'u':
			main_override("user", optarg);
			break;
		default:
			main_usage();
		}
	}
	if (optind != argc)
		main_usage();
	return (test);
}

/* main_socket_path - the file of a unix socket, or NULL */

static const char *main_socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return (spec + 5);
	if (strncmp(spec, "local:", 6) == 0)
		return (spec + 6);
	return (*spec == '/' ? spec : NULL);
}

/* main_check - what the key table cannot check by itself */

static int main_check(const struct conf *c, char *err, size_t errlen)
{
	char   *end;
	long    mode = strtol(c->socket_mode, &end, 8);

	if (*c->socket_mode == 0 || *end != 0 || mode < 0 || mode > 0777) {
		snprintf(err, errlen, "socket_mode: \"%s\" is not an octal mode", c->socket_mode);
		return (-1);
	}
	if (main_socket_path(c->socket) == 0 && strncmp(c->socket, "inet:", 5) != 0
	    && strncmp(c->socket, "inet6:", 6) != 0) {
		snprintf(err, errlen, "socket: \"%s\": expected unix:/path, "
			 "inet:port@host or inet6:port@host", c->socket);
		return (-1);
	}
	if (*c->user && getpwnam(c->user) == 0) {
		snprintf(err, errlen, "user: no such user \"%s\"", c->user);
		return (-1);
	}
	if (*c->group && getgrnam(c->group) == 0) {
		snprintf(err, errlen, "group: no such group \"%s\"", c->group);
		return (-1);
	}
	if (*c->header_name == 0 || strpbrk(c->header_name, ": \t\r\n") != 0) {
		snprintf(err, errlen, "header_name: \"%s\" is not a header name", c->header_name);
		return (-1);
	}
	return (0);
}

/* main_load - defaults, then the file, then the options */

static int main_load(struct conf *c, char *err, size_t errlen)
{
	char    why[512];

	conf_defaults(c);
	if (main_conf_path && conf_load(c, main_conf_path, err, errlen) != 0)
		return (-1);
	for (int i = 0; i < main_noverrides; i++) {
		char   *kv = main_overrides[i], *eq = strchr(kv, '=');

		*eq = 0;
		if (conf_set(c, kv, eq + 1, why, sizeof(why)) != 0) {
			*eq = '=';
			snprintf(err, errlen, "command line: %s", why);
			return (-1);
		}
		*eq = '=';
	}
	return (main_check(c, err, errlen));
}

/* main_nodelay - TCP_NODELAY on the listening inet socket */

static void main_nodelay(void)
{
	int     on = 1, found = 0;

	for (int fd = 3; fd < 1024; fd++) {
		int     listening = 0, domain = 0;
		socklen_t len = sizeof(int);

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0
		    || !listening)
			continue;
		len = sizeof(int);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0
		    || (domain != AF_INET && domain != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0)
			logger_warning("TCP_NODELAY on socket %d: %s", fd, strerror(errno));
		else
			found++;
	}
	if (found == 0)
		logger_warning("no listening inet socket found for TCP_NODELAY");
}

/* main_socket_owner - mode and owner of a unix socket */

static int main_socket_owner(const struct conf *c, uid_t uid, gid_t gid)
{
	const char *path = main_socket_path(c->socket);

	if (path == 0)
		return (0);
	if (chmod(path, (mode_t) strtol(c->socket_mode, 0, 8)) != 0
	    || ((*c->user || *c->group) && chown(path, uid, gid) != 0)) {
		fprintf(stderr, "defuse-milter: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	return (0);
}

/* main_ids - the user and group to run as */

static void main_ids(const struct conf *c, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = *c->user ? getpwnam(c->user) : 0;
	struct group *gr = *c->group ? getgrnam(c->group) : 0;

	*uid = pw ? pw->pw_uid : getuid();
	*gid = gr ? gr->gr_gid : pw ? pw->pw_gid : getgid();
}

/* main_drop - become the configured user and group */

static int main_drop(const struct conf *c, uid_t uid, gid_t gid)
{
	if (*c->user == 0 && *c->group == 0)
		return (0);
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0
	    || (*c->user && setuid(uid) != 0)) {
		fprintf(stderr, "defuse-milter: cannot become %s:%s: %s\n",
			c->user, c->group, strerror(errno));
		return (-1);
	}
	return (0);
}

/* main_open - the socket, ready for libmilter */

static int main_open(const struct conf *c, uid_t uid, gid_t gid)
{
	if (smfi_register(callbacks_desc) != MI_SUCCESS
	    || smfi_setconn((char *) c->socket) != MI_SUCCESS
	    || smfi_settimeout((int) c->milter_timeout) != MI_SUCCESS
	    || smfi_setbacklog((int) c->milter_backlog) != MI_SUCCESS) {
		fprintf(stderr, "defuse-milter: libmilter refused the settings\n");
		return (-1);
	}
	if (smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "defuse-milter: cannot open socket %s\n", c->socket);
		return (-1);
	}
	if (main_socket_path(c->socket) == 0)
		main_nodelay();
	return (main_socket_owner(c, uid, gid));
}

/* main_daemon - leave the terminal */

static int main_daemon(void)
{
	pid_t   pid;
	int     fd;

	if ((pid = fork()) < 0) {
		fprintf(stderr, "defuse-milter: fork: %s\n", strerror(errno));
		return (-1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") != 0)
		return (-1);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return (0);
}

/* main_pidfile - write the pid file */

static int main_pidfile(const char *path)
{
	FILE   *fp;

	if (*path == 0)
		return (0);
	if ((fp = fopen(path, "w")) == 0 || fprintf(fp, "%ld\n", (long) getpid()) < 0
	    || fclose(fp) != 0) {
		fprintf(stderr, "defuse-milter: pid file %s: %s\n", path, strerror(errno));
		return (-1);
	}
	return (0);
}

/* main_signal - handler: tell the main thread */

static void main_signal(int sig)
{
	char    c = (char) sig;
	int     saved = errno;

	if (write(main_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a signal is already waiting */
	}
	errno = saved;
}

/* main_nudge - SIGUSR2 to libmilter's thread: only interrupts its poll */

static void main_nudge(int sig)
{
	(void) sig;
}

/* main_signals - handlers in the main thread; sets the mask to block */

static int main_signals(sigset_t *blocked)
{
	static const int sigs[] = {SIGHUP, SIGUSR1, SIGTERM, SIGINT};
	struct sigaction sa;

	if (pipe(main_pipe) != 0)
		return (-1);
	fcntl(main_pipe[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigemptyset(blocked);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaddset(blocked, sigs[i]);
		if (sigaction(sigs[i], &sa, 0) != 0)
			return (-1);
	}
	sa.sa_handler = main_nudge;
	sa.sa_flags = 0;
	if (sigaction(SIGUSR2, &sa, 0) != 0)
		return (-1);
	signal(SIGPIPE, SIG_IGN);
	return (0);
}

/* main_milter - the thread that runs libmilter */

static void *main_milter(void *arg)
{
	char    c = 0;

	(void) arg;
	main_milter_status = smfi_main();
	if (write(main_pipe[1], &c, 1) < 0) {
		/* the main thread will find out at its next signal */
	}
	return (NULL);
}

/* main_changed - a start-only key that a reload changed */

static void main_changed(const struct conf *old, const struct conf *new)
{
	const char *what = 0;

	if (strcmp(old->socket, new->socket) != 0)
		what = "socket";
	else if (strcmp(old->socket_mode, new->socket_mode) != 0)
		what = "socket_mode";
	else if (strcmp(old->user, new->user) != 0)
		what = "user";
	else if (strcmp(old->group, new->group) != 0)
		what = "group";
	else if (strcmp(old->pidfile, new->pidfile) != 0)
		what = "pidfile";
	else if (old->milter_backlog != new->milter_backlog
		 || old->milter_timeout != new->milter_timeout)
		what = "milter_backlog/milter_timeout";
	if (what)
		logger_warning("reload: %s changed; it takes effect at restart", what);
}

/* main_reload - SIGHUP: a new snapshot, or keep the old one */

static void main_reload(void)
{
	struct conf c;
	struct snap *old;
	char    err[1024];

	if (main_load(&c, err, sizeof(err)) != 0
	    || logger_open(&c, err, sizeof(err)) != 0) {
		logger_error("reload: %s; keeping the running configuration", err);
		conf_free(&c);
		return;
	}
	if ((old = snap_get()) != 0) {
		main_changed(&old->conf, &c);
		snap_put(old);
	}
	if (snap_install(&c) != 0) {
		logger_error("reload: out of memory; keeping the running configuration");
		conf_free(&c);
		return;
	}
	logger_info("reloaded configuration %s", main_conf_path ? main_conf_path
		    : "(built-in defaults)");
}

/* main_drain - SIGTERM: let open connections finish */

static void main_drain(void)
{
	struct snap *s = snap_get();
	time_t  until = time(0) + (s ? (time_t) s->conf.drain_timeout : 0);

	snap_put(s);
	callbacks_stop();
	logger_info("stopping: %u connection(s) open", callbacks_active());
	while (callbacks_active() > 0 && time(0) < until)
		poll(0, 0, 50);
	if (callbacks_active() > 0)
		logger_warning("drain_timeout: stopping with %u connection(s) open",
			       callbacks_active());
}

/* main_loop - wait for signals; 1 when libmilter returned by itself */

static int main_loop(void)
{
	char    c;

	for (;;) {
		ssize_t n = read(main_pipe[0], &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == 0)
			return (1);			/* smfi_main returned */
		if (c == SIGHUP || c == SIGUSR1) {
			main_reload();
		} else {
			logger_info("signal %d", c);
			main_drain();
			return (0);
		}
	}
}

/* main_stopper - smfi_stop(), which may wait for libmilter's listener */

static void *main_stopper(void *arg)
{
	(void) arg;
	smfi_stop();
	return (0);
}

/* main_stop - stop libmilter; 0 when its thread has returned */

static int main_stop(pthread_t tid)
{
	struct pollfd pfd = {.fd = main_pipe[0],.events = POLLIN};
	pthread_attr_t attr;
	pthread_t stopper;
	char    c;

	/* smfi_stop() sets the stop flag, then waits for the lock that the
	 * listener holds while it polls, 5 s at a time; the listener looks
	 * at the flag when a poll ends.  So smfi_stop() runs in a thread of
	 * its own, and SIGUSR2 interrupts the listener's poll every 100 ms
	 * (one may land just before it polls), for up to 10 s: a stop takes
	 * milliseconds, not 5 s. */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&stopper, &attr, main_stopper, 0) != 0)
		smfi_stop();
	pthread_attr_destroy(&attr);
	for (int i = 0; i < 100; i++) {
		pthread_kill(tid, SIGUSR2);
		if (poll(&pfd, 1, 100) > 0 && read(main_pipe[0], &c, 1) == 1 && c == 0)
			return (0);
	}
	return (-1);
}

/* main_run - from an open socket to exit */

static int main_run(struct conf *c)
{
	sigset_t blocked, old;
	pthread_t tid;
	int     rc;

	if (main_signals(&blocked) != 0 || snap_install(c) != 0) {
		fprintf(stderr, "defuse-milter: cannot set up: %s\n", strerror(errno));
		return (1);
	}
	pthread_sigmask(SIG_BLOCK, &blocked, &old);
	rc = pthread_create(&tid, 0, main_milter, 0);
	pthread_sigmask(SIG_SETMASK, &old, 0);
	if (rc != 0) {
		logger_error("cannot start libmilter: %s", strerror(rc));
		return (1);
	}
	logger_info("started, pid %ld", (long) getpid());
	if (main_loop() != 0 || main_stop(tid) == 0)
		pthread_join(tid, 0);
	else
		logger_warning("libmilter did not stop in time; exiting anyway");
	logger_info("stopped");
	return (main_milter_status == MI_SUCCESS ? 0 : 1);
}

/* main - defuse-milter */

int     main(int argc, char **argv)
{
	struct conf c;
	char    err[1024], pidfile[4096];
	uid_t   uid;
	gid_t   gid;
	int     test, rc;

	test = main_options(argc, argv);
	if (main_load(&c, err, sizeof(err)) != 0) {
		fprintf(stderr, "defuse-milter: %s\n", err);
		return (1);
	}
	if (test) {
		printf("# defuse-milter: %s: configuration OK\n",
		       main_conf_path ? main_conf_path : "(built-in defaults)");
		conf_print(&c, stdout);
		conf_free(&c);
		return (0);
	}
	if (logger_open(&c, err, sizeof(err)) != 0) {
		fprintf(stderr, "defuse-milter: %s\n", err);
		return (1);
	}
	main_ids(&c, &uid, &gid);
	if (main_open(&c, uid, gid) != 0
	    || (!c.foreground && main_daemon() != 0)
	    || main_pidfile(c.pidfile) != 0 || main_drop(&c, uid, gid) != 0)
		return (1);
	snprintf(pidfile, sizeof(pidfile), "%s", c.pidfile);
	rc = main_run(&c);
	if (*pidfile && unlink(pidfile) != 0 && errno != ENOENT)
		logger_warning("pid file %s: %s", pidfile, strerror(errno));
	snap_shutdown();
	logger_close();
	return (rc);
}
