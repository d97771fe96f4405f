/*
 * nimbus-init: PID 1 of every Nimbus instance.
 *
 *   nimbus-init [-u USER_DATA] [-s STATUS_FILE] -- [COMMAND ARGS...]
 *
 * Inside the instance it reaps every orphaned process (a PID namespace's init must, or zombies pile up), runs the
 * user data script (first boot only: the host passes -u then) next to the workload COMMAND, forwards signals to the
 * workload, and on SIGTERM ends every process of the instance (a VM's shutdown), waiting for them to exit. Without
 * COMMAND it idles like a VM's init, keeping what the user data started. When COMMAND ends, the others get SIGTERM
 * (SIGKILL 10 s later) and the init exits with COMMAND's status, which it also writes to STATUS_FILE so the host
 * can tell an exit code from a kill.
 *
 *   nimbus-init --spawn LOG -- PROGRAM ARGS...
 *
 * On the host: runs PROGRAM (runc) with stdin from /dev/null and stdout/stderr appended to LOG. `runc run --detach`
 * hands its own stdio to the container, so the instance's console output lands in LOG without any process of
 * Nimbus in the path, and keeps landing there while Nimbus restarts.
 *
 * Why C and not a busybox script or a .NET program: PID 1 must block and collect signals and reap with waitpid(-1)
 * for the whole life of the instance; a shell cannot do this reliably, and a .NET runtime per instance would cost
 * tens of MiB each. This file is compiled statically (gcc, libc6-dev) at build time and copied into each instance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHUTDOWN_GRACE_SECONDS 10

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

static int spawn(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        say("usage: nimbus-init --spawn LOG -- PROGRAM ARGS...");
        return 2;
    }
    int log = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log < 0 || null < 0) {
        say("cannot open %s: %s", argv[2], strerror(errno));
        return 2;
    }
    if (dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0) {
        return 2;
    }
    execvp(argv[4], &argv[4]);
    say("cannot run %s: %s", argv[4], strerror(errno));
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

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--spawn") == 0) {
        return spawn(argc, argv);
    }

    const char *user_data = NULL, *status_file = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-u") == 0 && i + 1 < argc) {
            user_data = argv[++i];
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            status_file = argv[++i];
        } else {
            say("usage: nimbus-init [-u USER_DATA] [-s STATUS_FILE] -- [COMMAND ARGS...]");
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
