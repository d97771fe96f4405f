/*
 * nimbus-init: PID 1 of every Nimbus instance.
 *
 *   nimbus-init [-u USER_DATA] [-s STATUS_FILE] [-n DEVICE] -- [COMMAND ARGS...]
 *
 * Inside the instance it reaps every orphaned process (a PID namespace's init must, or zombies pile up), runs the
 * user data script (first boot only: the host passes -u then) next to the workload COMMAND, forwards signals to the
 * workload, and on SIGTERM ends every process of the instance (a VM's shutdown), waiting for them to exit. Without
 * COMMAND it idles like a VM's init, keeping what the user data started. When COMMAND ends, the others get SIGTERM
 * (SIGKILL 10 s later) and the init exits with COMMAND's status, which it also writes to STATUS_FILE so the host
 * can tell an exit code from a kill. With -n, the user data and COMMAND start once DEVICE has a carrier (the host
 * puts the other end of its veth on the bridge only after the instance's firewall rules are in place, while the
 * container starts), or after NETWORK_WAIT_SECONDS without one (said on the console); a SIGTERM, SIGINT or SIGPWR
 * during that wait ends the init at once with nothing started.
 *
 *   nimbus-init --spawn LOG MAX_BYTES -- PROGRAM ARGS...
 *
 * On the host: runs PROGRAM (runc) with stdin from /dev/null and stdout/stderr into a pipe read by a small logger
 * process that appends to LOG. `runc run --detach` hands its own stdio to the container, so the instance's console
 * output lands in LOG without any process of Nimbus in the path, and keeps landing there while Nimbus restarts. The
 * logger caps LOG: when it reaches MAX_BYTES (0: no cap) it becomes LOG.1 (the one previous file kept) and a new LOG
 * starts. LOG.state says where LOG starts in the whole output ("GENERATION OFFSET"; the generation is odd while a
 * rotation is under way), so a reader can give stable offsets across rotations. The logger ends when the last
 * process of the instance closes the pipe.
 *
 *   nimbus-init --exec STATUS_FILE -- COMMAND ARGS...
 *
 * Inside a running instance, for `runc exec`: runs COMMAND in the caller's session (it keeps the terminal of an
 * interactive exec), waits for it, writes how it ended to STATUS_FILE ("-": none) and exits with its code (128 +
 * signal when killed). SIGHUP and SIGTERM are passed on to COMMAND; terminal signals (SIGINT, ...) reach COMMAND
 * from the terminal itself. A detached `runc exec --tty` hands the process to the instance's init, which reaps it
 * without telling anyone: the status file is how the host learns the exit code.
 *
 * Why C and not a busybox script or a .NET program: PID 1 must block and collect signals and reap with waitpid(-1)
 * for the whole life of the instance; a shell cannot do this reliably, and a .NET runtime per instance would cost
 * tens of MiB each. This file is compiled statically (gcc, libc6-dev) at build time and copied into each instance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHUTDOWN_GRACE_SECONDS 10
#define NETWORK_WAIT_SECONDS 60

static void say(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("nimbus-init: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    fflush(stderr);
    va_end(args);
}

static int write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

/* LOG.state: "GENERATION OFFSET\n", replaced atomically (written beside, renamed over). */
static void write_state(const char *log, unsigned long long generation, unsigned long long offset)
{
    char path[4096], temporary[4096], text[64];
    snprintf(path, sizeof path, "%s.state", log);
    snprintf(temporary, sizeof temporary, "%s.state.tmp", log);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return;
    }
    int length = snprintf(text, sizeof text, "%llu %llu\n", generation, offset);
    if (write_all(fd, text, (size_t)length) == 0 && close(fd) == 0) {
        rename(temporary, path);
    } else {
        unlink(temporary);
    }
}

static void read_state(const char *log, unsigned long long *generation, unsigned long long *offset)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.state", log);
    *generation = 0;
    *offset = 0;
    FILE *file = fopen(path, "re");
    if (file != NULL) {
        if (fscanf(file, "%llu %llu", generation, offset) != 2) {
            *generation = 0;
            *offset = 0;
        }
        fclose(file);
    }
    *generation += *generation % 2; /* a rotation cut short by a crash: its renames are done or not, the offset is the old one */
}

/* The console logger: copies the pipe to LOG, rotating at MAX_BYTES. Runs until every writer has gone. */
static int console_logger(int in, const char *log, unsigned long long max)
{
    unsigned long long generation, offset;
    read_state(log, &generation, &offset);
    int out = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (out < 0) {
        return 1;
    }
    struct stat st;
    unsigned long long size = fstat(out, &st) == 0 ? (unsigned long long)st.st_size : 0;
    char previous[4096];
    snprintf(previous, sizeof previous, "%s.1", log);
    static char buffer[16384];
    for (;;) {
        ssize_t n = read(in, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        char *data = buffer;
        while (n > 0) {
            if (max > 0 && size >= max) {
                write_state(log, ++generation, offset); /* odd: rotating */
                close(out);
                rename(log, previous);
                out = open(log, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                offset += size;
                size = 0;
                write_state(log, ++generation, offset);
                if (out < 0) {
                    return 1;
                }
            }
            size_t room = max > 0 ? (size_t)(max - size) : (size_t)n;
            size_t chunk = (size_t)n < room ? (size_t)n : room;
            if (write_all(out, data, chunk) < 0) {
                return 1;
            }
            size += chunk;
            data += chunk;
            n -= (ssize_t)chunk;
        }
    }
    return 0;
}

static int spawn(int argc, char **argv)
{
    if (argc < 6 || strcmp(argv[4], "--") != 0) {
        say("usage: nimbus-init --spawn LOG MAX_BYTES -- PROGRAM ARGS...");
        return 2;
    }
    const char *log = argv[2];
    unsigned long long max = strtoull(argv[3], NULL, 10);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int pipe_fds[2];
    if (null < 0 || pipe2(pipe_fds, O_CLOEXEC) < 0) {
        say("cannot set up the console of %s: %s", log, strerror(errno));
        return 2;
    }
    pid_t logger = fork();
    if (logger < 0) {
        say("fork: %s", strerror(errno));
        return 2;
    }
    if (logger == 0) {
        /* Its own session: a signal to the caller's process group (Ctrl-C on `nimbus up`) must not cut the console. */
        setsid();
        close(pipe_fds[1]);
        if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) {
            _exit(2);
        }
        _exit(console_logger(pipe_fds[0], log, max));
    }
    close(pipe_fds[0]);
    if (dup2(null, 0) < 0 || dup2(pipe_fds[1], 1) < 0 || dup2(pipe_fds[1], 2) < 0) {
        return 2;
    }
    execvp(argv[5], &argv[5]);
    say("cannot run %s: %s", argv[5], strerror(errno));
    return 127;
}

static pid_t start(char *const argv[], const sigset_t *original)
{
    pid_t pid = fork();
    if (pid < 0) {
        say("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, original, NULL);
        setsid();
        /* The host starts the init nearly immune to the OOM killer; what it runs must not be. */
        int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (adj >= 0) {
            if (write(adj, "0", 1) < 0) {
                /* Best effort: the workload then shares the init's protection. */
            }
            close(adj);
        }
        execvp(argv[0], argv);
        say("cannot run %s: %s", argv[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    return pid;
}

/* Every process of the instance; outside a PID namespace only the process groups we started (never kill(-1)). */
static void signal_all(int pid1, const pid_t groups[2], int sig)
{
    if (pid1) {
        kill(-1, sig);
        return;
    }
    for (int g = 0; g < 2; g++) {
        if (groups[g] > 0) {
            kill(-groups[g], sig);
        }
    }
}

static int is_script(const char *path)
{
    char head[2] = {0, 0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    ssize_t n = read(fd, head, 2);
    close(fd);
    return n == 2 && head[0] == '#' && head[1] == '!';
}

static void write_status(const char *path, int status, int have)
{
    if (path == NULL) {
        return;
    }
    FILE *file = fopen(path, "we");
    if (file == NULL) {
        return;
    }
    if (!have) {
        fputs("exit 0\n", file);
    } else if (WIFSIGNALED(status)) {
        fprintf(file, "signal %d\n", WTERMSIG(status));
    } else {
        fprintf(file, "exit %d\n", WEXITSTATUS(status));
    }
    fclose(file);
}

static int run_exec(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        say("usage: nimbus-init --exec STATUS_FILE -- COMMAND ARGS...");
        return 2;
    }
    const char *status_file = strcmp(argv[2], "-") == 0 ? NULL : argv[2];
    sigset_t all, original;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &original);
    pid_t child = fork();
    if (child < 0) {
        say("fork: %s", strerror(errno));
        return 126;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &original, NULL);
        int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (adj >= 0) {
            if (write(adj, "0", 1) < 0) {
                /* Best effort, as for the workload. */
            }
            close(adj);
        }
        execvp(argv[4], &argv[4]);
        fprintf(stderr, "%s: %s\n", argv[4], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&all, &info);
        if (sig == SIGCHLD) {
            int status;
            pid_t pid;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                if (pid == child) {
                    write_status(status_file, status, 1);
                    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
                }
            }
        } else if (sig == SIGHUP || sig == SIGTERM || sig == SIGKILL) {
            kill(child, sig);
        }
    }
}

static int has_carrier(int fd, const char *device)
{
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, device, IFNAMSIZ - 1);
    return ioctl(fd, SIOCGIFFLAGS, &request) == 0 && (request.ifr_flags & IFF_RUNNING) != 0;
}

/* True when a shutdown signal (blocked, so pending) arrived: the wait ends and nothing is started. */
static int shutdown_pending(void)
{
    sigset_t pending;
    return sigpending(&pending) == 0
        && (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGPWR) == 1);
}

/* Waits until DEVICE has a carrier: woken by the kernel's link notifications (no polling), checked with SIOCGIFFLAGS.
 * Returns 0 when the wait ended (carrier, or the cap), -1 when a shutdown signal came first (checked at least every
 * 100 ms, so a stop during the wait is not held until the cap). */
static int wait_for_carrier(const char *device)
{
    int stopped = 0;
    int flags = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (flags < 0) {
        return 0;
    }
    int links = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    struct sockaddr_nl address = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
    if (links >= 0 && bind(links, (struct sockaddr *)&address, sizeof address) != 0) {
        close(links);
        links = -1;
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (!has_carrier(flags, device)) {
        if (shutdown_pending()) {
            stopped = -1;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        long waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (waited >= NETWORK_WAIT_SECONDS * 1000L) {
            say("%s has no carrier after %d s; starting without it", device, NETWORK_WAIT_SECONDS);
            break;
        }
        if (links >= 0) {
            struct pollfd ready = {.fd = links, .events = POLLIN};
            long left = NETWORK_WAIT_SECONDS * 1000L - waited;
            if (poll(&ready, 1, left > 100 ? 100 : (int)left) > 0) {
                static char drained[8192];
                while (recv(links, drained, sizeof drained, MSG_DONTWAIT) > 0) {
                }
            }
        } else {
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
        }
    }
    if (links >= 0) {
        close(links);
    }
    close(flags);
    return stopped;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--spawn") == 0) {
        return spawn(argc, argv);
    }
    if (argc > 1 && strcmp(argv[1], "--exec") == 0) {
        return run_exec(argc, argv);
    }

    const char *user_data = NULL, *status_file = NULL, *device = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-u") == 0 && i + 1 < argc) {
            user_data = argv[++i];
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            status_file = argv[++i];
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            device = argv[++i];
        } else {
            say("usage: nimbus-init [-u USER_DATA] [-s STATUS_FILE] [-n DEVICE] -- [COMMAND ARGS...]");
            return 2;
        }
    }
    char **command = i < argc ? &argv[i] : NULL;

    /* Outside a PID namespace (tests on the host) orphans must still come to us, and -1 must not mean "everyone". */
    int pid1 = getpid() == 1;
    if (!pid1) {
        prctl(PR_SET_CHILD_SUBREAPER, 1);
    }

    sigset_t all, original;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &original);

    if (device != NULL && wait_for_carrier(device) != 0) {
        say("stopped while waiting for %s; nothing was started", device);
        return 0;
    }

    pid_t user_data_pid = -1, main_pid = -1, groups[2] = {0, 0};
    if (user_data != NULL && access(user_data, R_OK) == 0) {
        char *script[] = {(char *)user_data, NULL};
        char *shell[] = {"/bin/sh", (char *)user_data, NULL};
        say("running user data");
        user_data_pid = start(is_script(user_data) ? script : shell, &original);
        groups[0] = user_data_pid;
    }
    if (command != NULL) {
        main_pid = start(command, &original);
        if (main_pid < 0) {
            return 1;
        }
        groups[1] = main_pid;
    }

    int shutting_down = 0, main_status = 0, have_main_status = 0;
    time_t deadline = 0;
    for (;;) {
        siginfo_t info;
        int sig;
        if (shutting_down) {
            struct timespec wait = {1, 0};
            sig = sigtimedwait(&all, &info, &wait);
            if (sig < 0 && time(NULL) >= deadline) {
                say("processes still running %d s after SIGTERM: sending SIGKILL", SHUTDOWN_GRACE_SECONDS);
                signal_all(pid1, groups, SIGKILL);
                deadline = time(NULL) + 3600;
            }
        } else {
            sig = sigwaitinfo(&all, &info);
        }
        if (sig < 0) {
            sig = SIGCHLD; /* timed out or interrupted: look for exits anyway */
        }

        if (sig == SIGCHLD) {
            for (;;) {
                int status;
                pid_t pid = waitpid(-1, &status, WNOHANG);
                if (pid <= 0) {
                    if (pid < 0 && errno == ECHILD && shutting_down) {
                        write_status(status_file, main_status, have_main_status);
                        if (!have_main_status) {
                            return 0;
                        }
                        return WIFSIGNALED(main_status) ? 128 + WTERMSIG(main_status) : WEXITSTATUS(main_status);
                    }
                    break;
                }
                if (pid == user_data_pid) {
                    if (WIFSIGNALED(status)) {
                        say("user data killed by signal %d", WTERMSIG(status));
                    } else {
                        say("user data exited with code %d", WEXITSTATUS(status));
                    }
                    user_data_pid = -1;
                }
                if (pid == main_pid) {
                    main_pid = -1;
                    main_status = status;
                    have_main_status = 1;
                    if (!shutting_down) {
                        say("workload ended; stopping the instance");
                        shutting_down = 1;
                        deadline = time(NULL) + SHUTDOWN_GRACE_SECONDS;
                        signal_all(pid1, groups, SIGTERM);
                    }
                }
            }
        } else if (sig == SIGTERM || sig == SIGINT || sig == SIGPWR) {
            if (!shutting_down) {
                say("shutting down (signal %d)", sig);
                shutting_down = 1;
                deadline = time(NULL) + SHUTDOWN_GRACE_SECONDS;
            }
            signal_all(pid1, groups, sig);
            /* Nothing left to wait for: end now rather than at the next SIGCHLD. */
            siginfo_t any;
            if (waitid(P_ALL, 0, &any, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD) {
                write_status(status_file, main_status, have_main_status);
                return 0;
            }
        } else if (main_pid > 0) {
            kill(-main_pid, sig);
        }
    }
}
