/*
 * The wrapper table: commands that run another command given in their
 * arguments. Each entry lists the wrapper's options, so unwrap.c can tell
 * where the inner command starts. An option missing from an entry makes the
 * wrapper opaque (the request asks), so a list that is too short fails
 * closed; a list that wrongly says an option takes no value would not.
 *
 * Option letters and names follow GNU coreutils 9, util-linux 2.39, sudo
 * 1.9, OpenBSD doas, GNU findutils 4.9 and GNU parallel.
 */
#include <stdint.h>
#include <string.h>

#include "eval/unwrap_internal.h"

/*
 * valgrind 3.22 options: each takes `--name=value`, and some boolean ones
 * also stand alone. --db-command and tool options not listed stay opaque.
 */
#define VALGRIND_OPTIONS                                                                      \
    "tool leak-check show-leak-kinds track-origins log-file log-fd xml xml-file error-exitcode " \
    "suppressions gen-suppressions num-callers trace-children child-silent-after-fork "        \
    "show-reachable undef-value-errors errors-for-leak-kinds leak-resolution main-stacksize "  \
    "max-stackframe smc-check read-var-info read-inline-info keep-debuginfo time-stamp "       \
    "fair-sched track-fds demangle massif-out-file callgrind-out-file cachegrind-out-file "    \
    "verbose quiet"

/* Resources of util-linux prlimit: `--nofile` prints the limit, `--nofile=N` sets it. */
#define PRLIMIT_RESOURCES                                                                     \
    "as core cpu data fsize locks memlock msgqueue nice nofile nproc rss rtprio rttime "       \
    "sigpending stack"

/*
 * Entries shared by a GNU tool and its Homebrew name with a `g` prefix
 * (gtimeout, genv), which macOS users install next to the BSD tools.
 */
#define CHROOT_ENTRY                                                                          \
    .kind = AG_WRAPPER_PLAIN, .long_values = "groups userspec", .long_flags = "skip-chdir",   \
    .long_no_command = "help version", .operands = 1,                                         \
    .features = AG_WRAPPER_DEFAULT_SHELL | AG_WRAPPER_NEW_ROOT | AG_WRAPPER_LONG_PREFIXES

#define ENV_ENTRY                                                                             \
    .kind = AG_WRAPPER_ENV, .short_values = "uCSa", .short_flags = "i0v",                     \
    .long_values = "unset chdir split-string argv0 block-signal default-signal ignore-signal", \
    .long_flags = "ignore-environment null debug list-signal-handling block-signal "          \
                  "default-signal ignore-signal",                                             \
    .long_no_command = "help version",                                                        \
    .features = AG_WRAPPER_ASSIGNMENTS | AG_WRAPPER_DASH_OPTION | AG_WRAPPER_LONG_PREFIXES,   \
    .moves_short = "C", .moves_long = "chdir"

#define NICE_ENTRY                                                                            \
    .kind = AG_WRAPPER_PLAIN, .short_values = "n", .long_values = "adjustment",               \
    .long_no_command = "help version",                                                        \
    .features = AG_WRAPPER_NUMERIC_OPTION | AG_WRAPPER_LONG_PREFIXES

#define NPM_EXPLORE_ENTRY                                                                     \
    .kind = AG_WRAPPER_PLAIN, .operands = 1,                                                  \
    .features = AG_WRAPPER_JOINED_SCRIPT | AG_WRAPPER_NEW_ROOT | AG_WRAPPER_DEFAULT_SHELL       \
                | AG_WRAPPER_OPTIONS_ANYWHERE

#define NOHUP_ENTRY                                                                           \
    .kind = AG_WRAPPER_PLAIN, .long_no_command = "help version",                              \
    .features = AG_WRAPPER_LONG_PREFIXES

#define STDBUF_ENTRY                                                                          \
    .kind = AG_WRAPPER_PLAIN, .short_values = "ioe", .long_values = "input output error",     \
    .long_no_command = "help version", .features = AG_WRAPPER_LONG_PREFIXES

/* GNU time 1.9. */
#define TIME_ENTRY                                                                            \
    .kind = AG_WRAPPER_PLAIN, .short_values = "fo", .short_flags = "pavq",                    \
    .short_no_command = "V", .long_values = "format output",                                  \
    .long_flags = "append verbose portability quiet", .long_no_command = "help version"

#define TIMEOUT_ENTRY                                                                         \
    .kind = AG_WRAPPER_PLAIN, .short_values = "sk", .short_flags = "fpv",                     \
    .long_values = "signal kill-after", .long_flags = "foreground preserve-status verbose",    \
    .long_no_command = "help version", .operands = 1,                                         \
    .features = AG_WRAPPER_NUMERIC_OPERANDS | AG_WRAPPER_LONG_PREFIXES                        \
                | AG_WRAPPER_INFINITE_DURATION

#define XARGS_ENTRY                                                                           \
    .kind = AG_WRAPPER_XARGS, .short_values = "IaLndPsE", .short_optional = "ile",            \
    .short_flags = "0rtpxo",                                                                  \
    .long_values = "arg-file delimiter max-args max-procs max-chars process-slot-var "        \
                   "eof replace max-lines",                                                   \
    .long_flags = "null no-run-if-empty verbose interactive exit open-tty show-limits "       \
                  "eof replace max-lines",                                                    \
    .long_no_command = "help version"

/* mise exec (also `mise x`) [TOOL@VERSION...] -- COMMAND, or -c CODE. -C DIR runs it in DIR. */
#define MISE_EXEC_ENTRY                                                                       \
    .kind = AG_WRAPPER_PLAIN, .short_values = "jCc", .long_values = "jobs cd command",        \
    .long_flags = "raw", .features = AG_WRAPPER_AFTER_DOUBLE_DASH, .moves_short = "C",        \
    .moves_long = "cd", .scripts_short = "c", .scripts_long = "command"

/*
 * nix 2.18 develop and shell: [INSTALLABLE...] [options] -c COMMAND ARGS.
 * --arg, --argstr, --override-input and --redirect take two values and
 * are left out. Without -c an interactive shell runs.
 */
#define NIX_SHELL_ENTRY                                                                       \
    .kind = AG_WRAPPER_PLAIN, .short_values = "ku", .short_flags = "iLv",                     \
    .long_values = "keep unset phase profile file expr",                                      \
    .long_flags = "impure ignore-environment print-build-logs verbose offline refresh "       \
                  "no-write-lock-file accept-flake-config build check configure install "     \
                  "unpack",                                                                   \
    .features = AG_WRAPPER_AFTER_DOUBLE_DASH | AG_WRAPPER_DEFAULT_SHELL,                      \
    .command_options = "-c --command"

/*
 * docker exec and podman exec CONTAINER COMMAND run COMMAND in the
 * container. Its paths name the container's files, and are checked as the
 * host's, as the remote command of ssh is. --env-file and unlisted options
 * make them opaque.
 */
#define CONTAINER_EXEC_ENTRY                                                                  \
    .kind = AG_WRAPPER_PLAIN, .short_values = "euw", .short_flags = "itd",                    \
    .long_values = "env user workdir detach-keys",                                            \
    .long_flags = "interactive tty detach privileged", .operands = 1

/* Boolean options of docker run, which pflag also reads as `--rm=false`. */
#define CONTAINER_RUN_BOOLEANS                                                                \
    "detach init interactive tty privileged publish-all quiet read-only rm sig-proxy "        \
    "no-healthcheck oom-kill-disable disable-content-trust"

/*
 * docker run (docker 27) and podman and nerdctl run: [options] IMAGE
 * [COMMAND [ARG...]]. The command runs in a new container, and its paths
 * are checked as the host's, as for docker exec. The host paths bound
 * with -v and --mount count as read and linked (docs/effects.md).
 * --entrypoint PROGRAM makes PROGRAM the command name. --health-cmd is run
 * by a shell in the container. --env-file, podman's --rootfs and other
 * options not listed make it opaque. `create` takes the same words, and
 * `start` runs the command later.
 */
#define CONTAINER_RUN_ENTRY                                                                   \
    .kind = AG_WRAPPER_PLAIN, .short_values = "acehlmpuvw", .short_flags = "dtiPq",           \
    .long_values = "add-host annotation attach blkio-weight blkio-weight-device cap-add "     \
                   "cap-drop cgroup-parent cgroupns cidfile cpu-period cpu-quota "             \
                   "cpu-rt-period cpu-rt-runtime cpu-shares cpus cpuset-cpus cpuset-mems "     \
                   "detach-keys device device-cgroup-rule device-read-bps device-read-iops "   \
                   "device-write-bps device-write-iops dns dns-option dns-search domainname "  \
                   "entrypoint env expose gpus group-add health-cmd health-interval "          \
                   "health-retries health-start-interval health-start-period health-timeout "  \
                   "hostname ip ip6 ipc isolation label label-file link link-local-ip "        \
                   "log-driver log-opt mac-address memory memory-reservation memory-swap "    \
                   "memory-swappiness mount name network net network-alias oom-score-adj "    \
                   "pid pids-limit platform publish pull restart runtime security-opt "       \
                   "shm-size stop-signal stop-timeout storage-opt sysctl tmpfs ulimit user "  \
                   "userns uts volume volume-driver volumes-from workdir "                    \
                   CONTAINER_RUN_BOOLEANS,                                                    \
    .long_flags = CONTAINER_RUN_BOOLEANS, .long_no_command = "help", .operands = 1,           \
    .scripts_long = "health-cmd", .entrypoint_long = "entrypoint"

/* lxc exec and incus exec; see their entries. */
#define INSTANCE_EXEC_ENTRY                                                                   \
    .kind = AG_WRAPPER_PLAIN, .short_flags = "tT",                                            \
    .long_values = "cwd env user group mode project",                                         \
    .long_flags = "force-interactive force-noninteractive", .operands = 1,                    \
    .features = AG_WRAPPER_OPTIONS_ANYWHERE

/*
 * pnpm dlx and pnpm exec, also under pnpm 11's short name pn. -c
 * (--shell-mode) runs the words with a shell and is left out of both.
 */
#define PNPM_DLX_ENTRY .kind = AG_WRAPPER_PLAIN, .long_values = "package"

#define PNPM_EXEC_ENTRY                                                                       \
    .kind = AG_WRAPPER_PLAIN, .short_flags = "r", .long_values = "resume-from",               \
    .long_flags = "recursive parallel no-reporter-hide-prefix report-summary"

/*
 * Sorted by name in strcmp() order, because ag_wrapper_find() searches it by
 * halves. A test checks the order with ag_sorted_is_strict().
 *
 * The shells of kind AG_WRAPPER_SHELL read sh syntax. Those of kind
 * AG_WRAPPER_FOREIGN_SHELL read another language, so their code is never
 * parsed. coproc, trap, source, `.` and alias are Bash builtins that run or
 * prepare code.
 */
static const ag_wrapper wrappers[] = {
    /* A reserved word as a command name: see the entry of do. */
    {.name = "!", .kind = AG_WRAPPER_PLAIN},
    {.name = ".", .kind = AG_WRAPPER_SOURCE},
    {.name = "alias", .kind = AG_WRAPPER_ALIAS},
    /*
     * Runners of a project's tools and environments. The runner's own words
     * pick an environment; the rest is the command, checked like sudo's.
     * TODO(wrappers): a runner loads variables (a virtualenv's PATH, a
     * .env file) that can change which program the command name finds.
     */
    {.name = "asdf exec", .kind = AG_WRAPPER_PLAIN},
    {.name = "ash", .kind = AG_WRAPPER_SHELL},
    /*
     * Commands that run another command later or elsewhere, from words or
     * a string this table does not parse. at and batch read commands from
     * stdin or a file, dbus-launch and perf (stat, record, trace) run their
     * operands, and screen and tmux run a command or shell string in a new
     * session. They are opaque, so an allow rule for them allows nothing
     * that they run.
     */
    {.name = "at", .kind = AG_WRAPPER_FOREIGN_SHELL},
    /* aws-vault 7: `aws-vault exec PROFILE [options] -- COMMAND`. */
    {.name = "aws-vault exec", .kind = AG_WRAPPER_PLAIN,
     .short_values = "dt", .short_flags = "ns",
     .long_values = "duration region mfa-token prompt",
     .long_flags = "no-session json server ec2-server ecs-server lazy stdout",
     .features = AG_WRAPPER_AFTER_DOUBLE_DASH},
    {.name = "bash", .kind = AG_WRAPPER_SHELL},
    {.name = "batch", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "builtin", .kind = AG_WRAPPER_PLAIN},
    /* Bun 1.2 runs `bun exec SCRIPT` with Bun Shell, which reads sh syntax. */
    {.name = "bun exec", .kind = AG_WRAPPER_PLAIN, .features = AG_WRAPPER_JOINED_SCRIPT},
    {.name = "bun x", .kind = AG_WRAPPER_PLAIN, .long_flags = "bun"},
    {.name = "bundle exec", .kind = AG_WRAPPER_PLAIN,
     .long_values = "gemfile", .long_flags = "keep-file-descriptors"},
    {.name = "bunx", .kind = AG_WRAPPER_PLAIN, .long_flags = "bun"},
    /* BusyBox 1.36: `busybox APPLET ARGS` runs the applet, so the applet is the command. */
    {.name = "busybox", .kind = AG_WRAPPER_PLAIN,
     .long_no_command = "help list list-full list-path install"},
    /*
     * bubblewrap 0.9: bwrap [OPTIONS] [--] COMMAND. Its binds build a new
     * root, so the command's paths may name any host file: bwrap is opaque,
     * and its command is still checked. bwrap reads no attached values and no
     * prefixes. --args FD (options read from a descriptor), --overlay (three
     * values) and options not listed make it opaque.
     */
    {.name = "bwrap", .kind = AG_WRAPPER_PLAIN,
     .long_values = "chdir unsetenv tmpfs proc dev dir remount-ro uid gid hostname lock-file "
                    "sync-fd info-fd json-status-fd block-fd userns-block-fd userns userns2 "
                    "pidns seccomp add-seccomp-fd exec-label file-label cap-add cap-drop "
                    "perms size argv0 tmp-overlay ro-overlay overlay-src mqueue",
     .long_flags = "unshare-all share-net unshare-user unshare-user-try unshare-ipc "
                   "unshare-pid unshare-net unshare-uts unshare-cgroup unshare-cgroup-try "
                   "clearenv new-session die-with-parent as-pid-1 disable-userns "
                   "assert-userns-disabled level-prefix",
     .long_no_command = "help version",
     .long_pairs = "bind bind-try dev-bind dev-bind-try ro-bind ro-bind-try symlink setenv "
                   "file bind-data ro-bind-data chmod",
     .features = AG_WRAPPER_NEW_ROOT},
    /* macOS caffeinate [-dimsu] [-t SECONDS] [-w PID] [COMMAND]. */
    {.name = "caffeinate", .kind = AG_WRAPPER_PLAIN, .short_values = "tw", .short_flags = "dimsu"},
    {.name = "catchsegv", .kind = AG_WRAPPER_PLAIN},
    /*
     * libcgroup 3 src/tools/cgexec.c: getopt_long "+g:sh", where -s is
     * --sticky: cgexec [-g CONTROLLERS:PATH]... [-s] COMMAND.
     */
    {.name = "cgexec", .kind = AG_WRAPPER_PLAIN,
     .short_values = "g", .short_flags = "s", .short_no_command = "h", .long_flags = "sticky",
     .long_no_command = "help"},
    /*
     * chokidar-cli 3: chokidar PATTERN... -c COMMAND runs COMMAND with a shell
     * on each change. Its options may stand anywhere, so every word is read.
     */
    {.name = "chokidar", .kind = AG_WRAPPER_CODE_OPTIONS, .scripts_short = "c",
     .scripts_long = "command"},
    /* runit chpst: -e DIR sets variables from files, so it is left out. */
    {.name = "chpst", .kind = AG_WRAPPER_PLAIN,
     .short_values = "uUb/CnlLmdopfcrt", .short_flags = "P012v"},
    /* moreutils: chronic [-ev] COMMAND and ifne [-n] COMMAND. */
    {.name = "chronic", .kind = AG_WRAPPER_PLAIN, .short_flags = "ev"},
    {.name = "chroot", CHROOT_ENTRY},
    {.name = "chrt", .kind = AG_WRAPPER_PLAIN,
     .short_values = "TPD", .short_flags = "bdfiorRav", .short_no_command = "pmhV",
     .long_values = "sched-runtime sched-period sched-deadline",
     .long_flags = "batch deadline fifo idle other rr reset-on-fork all-tasks verbose",
     .long_no_command = "pid max help version",
     .operands = 1, .features = AG_WRAPPER_NUMERIC_OPERANDS},
    {.name = "command", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "p", .short_no_command = "vV"},
    /*
     * conda run -p PREFIX puts PREFIX/bin first on PATH. The effects table's
     * conda entry counts a write into the environment before the run as code
     * written and run (env/bin/python before `conda run -p ./env python`).
     */
    {.name = "conda run", .kind = AG_WRAPPER_PLAIN,
     .short_values = "np", .short_flags = "v",
     .long_values = "name prefix cwd",
     .long_flags = "live-stream no-capture-output debug-wrapper-scripts dev",
     .moves_long = "cwd"},
    {.name = "coproc", .kind = AG_WRAPPER_COPROC},
    /*
     * Runners whose option syntax this table does not list with certainty
     * (cpulimit, daemonize, distrobox-enter, flatpak-spawn, lxc-attach,
     * mpirun, runcon, sem, srun): always opaque, so an allow rule for them
     * allows nothing that they run.
     */
    {.name = "cpulimit", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "csh", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "daemonize", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "dash", .kind = AG_WRAPPER_SHELL},
    {.name = "dbus-launch", .kind = AG_WRAPPER_FOREIGN_SHELL},
    /* --dbus-daemon=BINARY runs another program, so it is left out. */
    {.name = "dbus-run-session", .kind = AG_WRAPPER_PLAIN,
     .long_values = "config-file", .long_no_command = "help version"},
    /*
     * devbox 0.13: devbox run [flags] NAME ARGS runs a devbox.json script, or
     * the joined words with its shell. cobra reads flags among the words too.
     * -c/--config, -e/--env and --env-file are left out.
     */
    {.name = "devbox run", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "q", .long_flags = "pure quiet",
     .features = AG_WRAPPER_JOINED_SCRIPT | AG_WRAPPER_OPTIONS_ANYWHERE},
    /* direnv exec DIR COMMAND: the command gets the variables of DIR's .envrc. */
    {.name = "direnv exec", .kind = AG_WRAPPER_PLAIN, .operands = 1},
    {.name = "distrobox-enter", .kind = AG_WRAPPER_FOREIGN_SHELL},
    /*
     * Reserved words reach the check as command names only when
     * tree-sitter-bash misreads a compound command (`coproc if true; then
     * rm -rf ~; fi` gives a command `then rm -rf ~`), so the command after
     * them is checked as well. After `time` or `!` it misreads compound
     * commands, so `if`, `while` and `until` are here too: `time until rm x;
     * do break; done` gives a command `until rm x`, and Bash runs `rm x`.
     * `!` and `{` follow these words there (`time if true; then { rm x; };
     * fi` gives `then { rm x`), so they are entries as well.
     */
    {.name = "do", .kind = AG_WRAPPER_PLAIN},
    {.name = "doas", .kind = AG_WRAPPER_PLAIN,
     .short_values = "au", .short_flags = "ns", .short_no_command = "CL"},
    {.name = "docker container exec", CONTAINER_EXEC_ENTRY},
    {.name = "docker container run", CONTAINER_RUN_ENTRY},
    {.name = "docker create", CONTAINER_RUN_ENTRY},
    {.name = "docker exec", CONTAINER_EXEC_ENTRY},
    {.name = "docker run", CONTAINER_RUN_ENTRY},
    /* doppler run [options] -- COMMAND, or --command CODE run by a shell. */
    {.name = "doppler run", .kind = AG_WRAPPER_PLAIN,
     .short_values = "pc", .long_values = "project config command",
     .features = AG_WRAPPER_AFTER_DOUBLE_DASH, .scripts_long = "command"},
    /* dotenv-cli: dotenv [-e FILE] -- COMMAND. -v KEY=VALUE and -c are left out. */
    {.name = "dotenv", .kind = AG_WRAPPER_PLAIN,
     .short_values = "e", .short_no_command = "p", .long_flags = "no-expand",
     .features = AG_WRAPPER_AFTER_DOUBLE_DASH},
    /* dotenvx run [-f FILE] -- COMMAND. --env KEY=VALUE sets a variable and is left out. */
    {.name = "dotenvx run", .kind = AG_WRAPPER_PLAIN,
     .short_values = "f", .short_flags = "o", .long_values = "env-file",
     .long_flags = "overload quiet verbose debug strict",
     .features = AG_WRAPPER_AFTER_DOUBLE_DASH},
    /* dumb-init 1.2: -r/--rewrite S:R maps one signal to another. */
    {.name = "dumb-init", .kind = AG_WRAPPER_PLAIN,
     .short_values = "r", .short_flags = "cv", .short_no_command = "hV",
     .long_values = "rewrite", .long_flags = "single-child verbose",
     .long_no_command = "help version"},
    {.name = "eatmydata", .kind = AG_WRAPPER_PLAIN},
    {.name = "elif", .kind = AG_WRAPPER_PLAIN},
    {.name = "else", .kind = AG_WRAPPER_PLAIN},
    {.name = "elvish", .kind = AG_WRAPPER_FOREIGN_SHELL},
    /* entr [-acdnprz] COMMAND; -s runs a shell string and is left out. */
    {.name = "entr", .kind = AG_WRAPPER_PLAIN, .short_flags = "acdnprz"},
    {.name = "env", ENV_ENTRY},
    /* daemontools: envuidgid ACCOUNT COMMAND and setuidgid ACCOUNT COMMAND. */
    {.name = "envuidgid", .kind = AG_WRAPPER_PLAIN, .operands = 1},
    {.name = "eval", .kind = AG_WRAPPER_EVAL},
    {.name = "exec", .kind = AG_WRAPPER_PLAIN, .short_values = "a", .short_flags = "cl"},
    /*
     * fakechroot 2.20 only fakes the chroot calls of its command, whose paths
     * stay the host's. -l LIBRARY, -d LOADER, -e ENVIRONMENT (a file of
     * settings that it sources), -c DIR and -b DIR load other code, so they
     * are left out.
     */
    {.name = "fakechroot", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "s", .short_no_command = "hv", .long_flags = "use-system-libs",
     .long_no_command = "help version", .features = AG_WRAPPER_DEFAULT_SHELL},
    /* fakeroot -l LIBRARY and --faked BINARY load other code, so they are left out. */
    {.name = "fakeroot", .kind = AG_WRAPPER_PLAIN,
     .short_values = "sib", .short_flags = "u", .short_no_command = "hv",
     .long_flags = "unknown-is-real", .long_no_command = "help version",
     .features = AG_WRAPPER_DEFAULT_SHELL},
    /* faketime [-m] [-f] TIMESTAMP COMMAND; --date-prog runs a program and is left out. */
    {.name = "faketime", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "mf", .long_flags = "exclude-monotonic", .operands = 1},
    /* fd 10: -x/--exec runs a command per result, -X/--exec-batch once with all. */
    {.name = "fd", .kind = AG_WRAPPER_FD},
    {.name = "fdfind", .kind = AG_WRAPPER_FD},
    {.name = "find", .kind = AG_WRAPPER_FIND},
    /*
     * firejail takes every value as --name=VALUE. --env, --shell, --join and
     * the many options not listed here make it opaque.
     */
    {.name = "firejail", .kind = AG_WRAPPER_PLAIN,
     .long_values = "net profile whitelist blacklist read-only read-write dns hostname name "
                    "private private-bin private-etc timeout rlimit-nofile rlimit-as "
                    "caps.drop",
     .long_flags = "noprofile quiet private private-tmp private-dev private-cache noroot "
                   "seccomp nonewprivs nogroups nosound no3d x11 machine-id caps.drop",
     .long_no_command = "help version list tree",
     .features = AG_WRAPPER_DEFAULT_SHELL},
    {.name = "fish", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "flatpak-spawn", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "flock", .kind = AG_WRAPPER_FLOCK,
     .short_values = "wE", .short_flags = "sexnuoF", .short_no_command = "hV",
     .long_values = "wait timeout conflict-exit-code",
     .long_flags = "shared exclusive unlock nonblock nb close no-fork verbose",
     .long_no_command = "help version", .operands = 1},
    /*
     * flox 1.3: flox activate [-d DIR] [-r ENV] [-m MODE] [-- COMMAND]; without
     * a command an interactive shell runs. The environment's hooks run too.
     * NOTE: flox's own parser (bpaf) was not checked, so the first word that
     * is not an option is taken for the command even before a `--`, and a
     * later word starting with `-` makes it opaque.
     */
    {.name = "flox activate", .kind = AG_WRAPPER_PLAIN,
     .short_values = "drm", .long_values = "dir remote mode", .long_flags = "trust",
     .long_no_command = "print-script",
     .features = AG_WRAPPER_OPTIONS_ANYWHERE | AG_WRAPPER_DEFAULT_SHELL},
    {.name = "gchroot", CHROOT_ENTRY},
    {.name = "gdb", .kind = AG_WRAPPER_GDB},
    {.name = "genv", ENV_ENTRY},
    {.name = "gfind", .kind = AG_WRAPPER_FIND},
    {.name = "gnice", NICE_ENTRY},
    {.name = "gnohup", NOHUP_ENTRY},
    {.name = "goenv exec", .kind = AG_WRAPPER_PLAIN},
    {.name = "gstdbuf", STDBUF_ENTRY},
    {.name = "gtime", TIME_ENTRY},
    {.name = "gtimeout", TIMEOUT_ENTRY},
    {.name = "gxargs", XARGS_ENTRY},
    {.name = "hatch run", .kind = AG_WRAPPER_PLAIN},
    {.name = "hush", .kind = AG_WRAPPER_SHELL},
    /*
     * hyperfine 1.18 runs each operand with sh -c. -S (another shell),
     * -L and -P (several values each) and the --export options, which
     * write files, are left out.
     */
    {.name = "hyperfine", .kind = AG_WRAPPER_SCRIPTS,
     .short_values = "wmMrpcsnu", .short_flags = "Ni", .short_no_command = "hV",
     .long_values = "warmup min-runs max-runs runs prepare conclude cleanup setup "
                    "command-name time-unit style sort",
     .long_flags = "ignore-failure show-output", .long_no_command = "help version",
     .scripts_short = "pcs", .scripts_long = "prepare conclude cleanup setup"},
    /* A reserved word as a command name: see the entry of do. */
    {.name = "if", .kind = AG_WRAPPER_PLAIN},
    {.name = "ifne", .kind = AG_WRAPPER_PLAIN, .short_flags = "n"},
    /*
     * LXD 5 and Incus 6: lxc exec INSTANCE [--] COMMAND runs COMMAND in the
     * instance, checked as docker exec's is. Options may follow INSTANCE, so a
     * word starting with `-` after it, without a `--` first, makes it opaque.
     */
    {.name = "incus exec", INSTANCE_EXEC_ENTRY},
    {.name = "ionice", .kind = AG_WRAPPER_PLAIN,
     .short_values = "cn", .short_flags = "t", .short_no_command = "pPuhV",
     .long_values = "class classdata", .long_flags = "ignore",
     .long_no_command = "pid pgid uid help version"},
    {.name = "jenv exec", .kind = AG_WRAPPER_PLAIN},
    {.name = "ksh", .kind = AG_WRAPPER_SHELL},
    {.name = "ksh93", .kind = AG_WRAPPER_SHELL},
    /* kubectl exec POD [options] -- COMMAND runs COMMAND in the pod, as docker exec does. */
    {.name = "kubectl exec", .kind = AG_WRAPPER_PLAIN,
     .short_values = "cn", .short_flags = "itq",
     .long_values = "container namespace pod-running-timeout",
     .long_flags = "stdin tty quiet", .features = AG_WRAPPER_AFTER_DOUBLE_DASH},
    {.name = "lksh", .kind = AG_WRAPPER_SHELL},
    {.name = "ltrace", .kind = AG_WRAPPER_PLAIN,
     .short_values = "aADeFlnopsuwx", .short_flags = "bcCfirSLtT", .short_no_command = "hV",
     .long_values = "align demangle indent output library", .long_flags = "demangle",
     .long_no_command = "help version"},
    {.name = "lxc exec", INSTANCE_EXEC_ENTRY},
    {.name = "lxc-attach", .kind = AG_WRAPPER_FOREIGN_SHELL},
    /*
     * mamba run and micromamba run (mamba 2 and micromamba take other options
     * than conda run, such as -a/--attach and --clean-env): opaque, so an
     * allow rule for them allows nothing that they run.
     */
    {.name = "mamba run", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "micromamba run", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "mise exec", MISE_EXEC_ENTRY},
    {.name = "mise x", MISE_EXEC_ENTRY},
    {.name = "mksh", .kind = AG_WRAPPER_SHELL},
    /*
     * mosh 1.4: mosh [options] [USER@]HOST [COMMAND...]. The remote shell
     * runs the joined words, as for ssh. --client, --server and --ssh name
     * programs and are left out. scripts/mosh.pl calls GetOptions with the
     * default configuration (checked with Getopt::Long 2.52): options may
     * follow HOST, `-port 1` is `--port 1`, and `-p1` and `-an` are errors.
     */
    {.name = "mosh", .kind = AG_WRAPPER_PLAIN,
     .short_values = "p", .short_flags = "46an",
     .long_values = "port predict family bind-server experimental-remote-ip",
     .long_flags = "no-init no-ssh-pty local predict-overwrite",
     .long_no_command = "help version", .operands = 1,
     .features = AG_WRAPPER_JOINED_SCRIPT | AG_WRAPPER_SHELL_STRING | AG_WRAPPER_OPTIONS_ANYWHERE
                 | AG_WRAPPER_SINGLE_DASH_LONG},
    {.name = "mpirun", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "nerdctl container exec", CONTAINER_EXEC_ENTRY},
    {.name = "nerdctl container run", CONTAINER_RUN_ENTRY},
    {.name = "nerdctl exec", CONTAINER_EXEC_ENTRY},
    {.name = "nerdctl run", CONTAINER_RUN_ENTRY},
    {.name = "nice", NICE_ENTRY},
    /* nix-shell always runs code: shell.nix's shellHook, then --run CODE or a shell. */
    {.name = "nix develop", NIX_SHELL_ENTRY},
    {.name = "nix shell", NIX_SHELL_ENTRY},
    {.name = "nix-shell", .kind = AG_WRAPPER_CODE_OPTIONS, .scripts_long = "run command"},
    {.name = "nocache", .kind = AG_WRAPPER_PLAIN, .short_values = "n"},
    /* nodemon runs a script, or -x/--exec CODE with a shell. */
    {.name = "nodemon", .kind = AG_WRAPPER_CODE_OPTIONS, .scripts_short = "x",
     .scripts_long = "exec"},
    {.name = "nodenv exec", .kind = AG_WRAPPER_PLAIN},
    {.name = "nohup", NOHUP_ENTRY},
    /*
     * npm explore PKG [--] COMMAND... joins the words and runs them with the
     * script shell in node_modules/PKG, or starts an interactive shell there.
     * npm 11 takes a unique prefix of a subcommand: explo and explor.
     */
    {.name = "npm explo", NPM_EXPLORE_ENTRY},
    {.name = "npm explor", NPM_EXPLORE_ENTRY},
    {.name = "npm explore", NPM_EXPLORE_ENTRY},
    /* Task spoolers that run the command later, in the same directory. */
    {.name = "nq", .kind = AG_WRAPPER_PLAIN},
    {.name = "nsenter", .kind = AG_WRAPPER_PLAIN,
     .short_values = "tSGW", .short_optional = "muinpCUTrw", .short_flags = "FZaec",
     .short_no_command = "hV",
     .long_values = "target setuid setgid wdns mount uts ipc net pid cgroup user time root wd",
     .long_flags = "mount uts ipc net pid cgroup user time root wd preserve-credentials "
                   "no-fork follow-context all user-parent keep-caps env join-cgroup",
     .long_no_command = "help version",
     .features = AG_WRAPPER_DEFAULT_SHELL, .moves_short = "rw", .moves_long = "root wd"},
    {.name = "nu", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "numactl", .kind = AG_WRAPPER_PLAIN,
     .short_values = "iPpCNmwSfLoMI", .short_flags = "albt", .short_no_command = "sHV",
     .long_values = "interleave preferred preferred-many physcpubind cpunodebind membind "
                    "weighted-interleave shm file length offset shmmode shmid",
     .long_flags = "all localalloc balancing touch",
     .long_no_command = "show hardware version"},
    {.name = "oksh", .kind = AG_WRAPPER_SHELL},
    /*
     * onchange 7: onchange [options] GLOB... -- COMMAND. --outpipe (a shell
     * command), --poll and --await-write-finish (optional values) are left out.
     */
    {.name = "onchange", .kind = AG_WRAPPER_PLAIN,
     .short_values = "edjf", .short_flags = "ikva",
     .long_values = "exclude delay jobs filter cwd",
     .long_flags = "initial kill verbose add no-exclude",
     .features = AG_WRAPPER_AFTER_DOUBLE_DASH, .moves_long = "cwd"},
    /* 1Password CLI 2: op run [--env-file FILE] [--no-masking] -- COMMAND. */
    {.name = "op run", .kind = AG_WRAPPER_PLAIN,
     .long_values = "env-file", .long_flags = "no-masking",
     .features = AG_WRAPPER_AFTER_DOUBLE_DASH},
    {.name = "osh", .kind = AG_WRAPPER_SHELL},
    {.name = "parallel", .kind = AG_WRAPPER_PARALLEL,
     .short_values = "jNnLSaCdEIP", .short_flags = "0kquvXmt",
     .long_values = "jobs max-args max-lines sshlogin arg-file colsep delimiter eof tmpdir "
                    "results joblog timeout delay retries env workdir wd halt memfree load "
                    "tag-string",
     .long_flags = "keep-order quote null verbose ungroup group line-buffer tag dry-run "
                   "will-cite bar eta progress no-notice xargs pipe halt-on-error",
     .long_no_command = "help version number-of-cpus number-of-cores citation"},
    /* pdm, pipenv and hatch run also run a script named in the project file. */
    {.name = "pdm run", .kind = AG_WRAPPER_PLAIN},
    {.name = "perf", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "phpenv exec", .kind = AG_WRAPPER_PLAIN},
    {.name = "pipenv run", .kind = AG_WRAPPER_PLAIN},
    /* pixi run joins its words and runs them with its own sh-like task shell. */
    {.name = "pixi run", .kind = AG_WRAPPER_PLAIN, .features = AG_WRAPPER_JOINED_SCRIPT},
    {.name = "pkexec", .kind = AG_WRAPPER_PLAIN,
     .long_values = "user", .long_flags = "disable-internal-agent keep-cwd",
     .long_no_command = "help version",
     .features = AG_WRAPPER_DEFAULT_SHELL},
    {.name = "plenv exec", .kind = AG_WRAPPER_PLAIN},
    {.name = "pn dlx", PNPM_DLX_ENTRY},
    {.name = "pn exec", PNPM_EXEC_ENTRY},
    {.name = "pnpm dlx", PNPM_DLX_ENTRY},
    {.name = "pnpm exec", PNPM_EXEC_ENTRY},
    /* pnpx and pnx (pnpm 11) are pnpm dlx. */
    {.name = "pnpx", PNPM_DLX_ENTRY},
    {.name = "pnx", PNPM_DLX_ENTRY},
    {.name = "podman container exec", CONTAINER_EXEC_ENTRY},
    {.name = "podman container run", CONTAINER_RUN_ENTRY},
    {.name = "podman create", CONTAINER_RUN_ENTRY},
    {.name = "podman exec", CONTAINER_EXEC_ENTRY},
    {.name = "podman run", CONTAINER_RUN_ENTRY},
    {.name = "poetry run", .kind = AG_WRAPPER_PLAIN},
    {.name = "posh", .kind = AG_WRAPPER_SHELL},
    {.name = "powershell", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "prlimit", .kind = AG_WRAPPER_PLAIN,
     .short_values = "po", .short_optional = "cdefilmnqrstuvxy", .short_no_command = "hV",
     .long_values = "pid output " PRLIMIT_RESOURCES,
     .long_flags = "noheadings raw verbose " PRLIMIT_RESOURCES,
     .long_no_command = "help version"},
    /*
     * PRoot 5: -r/-R set a new root and -b/-m bind host paths into it, so the
     * command's paths may name any host file: proot is opaque, and its command
     * is still checked. -q runs the command with an emulator and is left out.
     */
    {.name = "proot", .kind = AG_WRAPPER_PLAIN,
     .short_values = "rRSbmwvik", .short_flags = "0L", .short_no_command = "hV",
     .long_values = "rootfs bind mount pwd cwd verbose change-id kernel-release",
     .long_flags = "root-id link2symlink kill-on-exit", .long_no_command = "help version usage",
     .features = AG_WRAPPER_NEW_ROOT | AG_WRAPPER_DEFAULT_SHELL},
    {.name = "proxychains", .kind = AG_WRAPPER_PLAIN, .short_values = "f", .short_flags = "q"},
    {.name = "proxychains4", .kind = AG_WRAPPER_PLAIN, .short_values = "f", .short_flags = "q"},
    /* pueue add joins its words and runs them with sh -c later. */
    {.name = "pueue add", .kind = AG_WRAPPER_PLAIN, .features = AG_WRAPPER_JOINED_SCRIPT},
    {.name = "pwsh", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "pyenv exec", .kind = AG_WRAPPER_PLAIN},
    {.name = "rbash", .kind = AG_WRAPPER_SHELL},
    {.name = "rbenv exec", .kind = AG_WRAPPER_PLAIN},
    {.name = "rc", .kind = AG_WRAPPER_FOREIGN_SHELL},
    /*
     * reflex 0.3 (reflex.go, ogier/pflag): reflex [options] [--] COMMAND. pflag
     * reads options among the words, and every word that is not an option is
     * part of COMMAND, also before a `--`. --all has no short form, and
     * -c FILE reads commands from a file and is left out.
     */
    {.name = "reflex", .kind = AG_WRAPPER_PLAIN,
     .short_values = "rRgGd", .short_flags = "esv",
     .long_values = "regex inverse-regex glob inverse-glob decoration substitute",
     .long_flags = "all sequential start-service only-files only-dirs verbose",
     .features = AG_WRAPPER_OPTIONS_ANYWHERE},
    {.name = "rlwrap", .kind = AG_WRAPPER_PLAIN},
    /* rtx is the former name of mise. */
    {.name = "rtx exec", MISE_EXEC_ENTRY},
    {.name = "rtx x", MISE_EXEC_ENTRY},
    {.name = "runcon", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "runuser", .kind = AG_WRAPPER_RUNUSER,
     .short_values = "ugGw", .short_flags = "mp", .short_no_command = "hV",
     .long_values = "user group supp-group whitelist-environment",
     .long_flags = "preserve-environment", .long_no_command = "help version"},
    /* rye 0.44: rye run [--pyproject FILE] NAME ARGS runs a pyproject.toml script or a program. */
    {.name = "rye run", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "vq", .short_no_command = "l", .long_values = "pyproject",
     .long_flags = "verbose quiet", .long_no_command = "list"},
    /* s6: s6-applyuidgid [-u UID] [-g GID] [-G GIDS] [-U] [-z] COMMAND, s6-setuidgid ACCOUNT COMMAND. */
    {.name = "s6-applyuidgid", .kind = AG_WRAPPER_PLAIN, .short_values = "ugG",
     .short_flags = "Uz"},
    {.name = "s6-setuidgid", .kind = AG_WRAPPER_PLAIN, .operands = 1},
    /* macOS sandbox-exec [-f FILE] [-n NAME] [-p PROFILE] [-D KEY=VALUE] COMMAND. */
    {.name = "sandbox-exec", .kind = AG_WRAPPER_PLAIN, .short_values = "fnpD"},
    {.name = "screen", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "script", .kind = AG_WRAPPER_SCRIPT,
     .short_values = "cEBIOTmo", .short_optional = "t", .short_flags = "aefq",
     .short_no_command = "hV",
     .long_values = "command echo log-io log-in log-out log-timing logging-format "
                    "output-limit timing",
     .long_flags = "append return flush force quiet timing",
     .long_no_command = "help version"},
    /*
     * NOTE: SDKMAN 5 documents `sdk env` with init, install and clear only.
     * The words after `sdk env exec` are checked as a command all the same,
     * because that can only deny or ask more.
     */
    {.name = "sdk env exec", .kind = AG_WRAPPER_PLAIN},
    {.name = "sem", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "setpriv", .kind = AG_WRAPPER_PLAIN,
     .short_no_command = "dhV",
     .long_values = "groups inh-caps ambient-caps bounding-set reuid regid ruid rgid euid "
                    "egid securebits pdeathsig selinux-label apparmor-profile "
                    "landlock-access landlock-rule",
     .long_flags = "clear-groups keep-groups init-groups nnp no-new-privs reset-env",
     .long_no_command = "dump list-caps help version"},
    {.name = "setsid", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "cfw", .short_no_command = "hV",
     .long_flags = "ctty fork wait", .long_no_command = "help version",
     .features = AG_WRAPPER_LONG_PREFIXES},
    {.name = "setuidgid", .kind = AG_WRAPPER_PLAIN, .operands = 1},
    {.name = "sg", .kind = AG_WRAPPER_SG},
    {.name = "sh", .kind = AG_WRAPPER_SHELL},
    /*
     * sops 3.9: sops exec-env FILE COMMAND and sops exec-file FILE COMMAND run
     * COMMAND with sh -c ({} in it is the decrypted file's path).
     */
    {.name = "sops exec-env", .kind = AG_WRAPPER_PLAIN,
     .long_values = "user", .long_flags = "background pristine same-process", .operands = 1,
     .features = AG_WRAPPER_JOINED_SCRIPT | AG_WRAPPER_SHELL_STRING},
    {.name = "sops exec-file", .kind = AG_WRAPPER_PLAIN,
     .long_values = "user filename output-type", .long_flags = "background no-fifo",
     .operands = 1, .features = AG_WRAPPER_JOINED_SCRIPT | AG_WRAPPER_SHELL_STRING},
    {.name = "source", .kind = AG_WRAPPER_SOURCE},
    {.name = "srun", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "ssh", .kind = AG_WRAPPER_SSH,
     .short_values = "BbcDEeFIiJLlmOoPpQRSWw", .short_flags = "46AaCfGgKkMNnqsTtvXxYy",
     .short_no_command = "V"},
    {.name = "ssh-agent", .kind = AG_WRAPPER_PLAIN,
     .short_values = "aEOPt", .short_flags = "csDd", .short_no_command = "k"},
    {.name = "stdbuf", STDBUF_ENTRY},
    /* strace 6: -E sets the traced program's environment, so it is left out (opaque). */
    {.name = "strace", .kind = AG_WRAPPER_PLAIN,
     .short_values = "abeIoOpPsSuUX", .short_flags = "cCdDfFiknqrtTvwxyYzZA",
     .short_no_command = "hV",
     .long_values = "trace signal string-limit output summary-sort-by columns user",
     .long_flags = "follow-forks output-separately summary-only summary summary-wall-clock "
                   "decode-fds no-abbrev verbose quiet relative-timestamps "
                   "absolute-timestamps syscall-times seccomp-bpf",
     .long_no_command = "help version",
     .features = AG_WRAPPER_OUTPUT_PIPE},
    {.name = "su", .kind = AG_WRAPPER_SU},
    {.name = "sudo", .kind = AG_WRAPPER_PLAIN,
     .short_values = "aCcDgpRrTtUu", .short_flags = "ABbEHikNnPSs",
     .short_no_command = "eKlVvh",
     .long_values = "user group close-from chdir host prompt role type command-timeout "
                    "other-user chroot auth-type login-class preserve-env",
     .long_flags = "askpass background bell preserve-env preserve-groups set-home login "
                   "non-interactive reset-timestamp shell stdin",
     .long_no_command = "edit help list remove-timestamp validate version",
     .features = AG_WRAPPER_ASSIGNMENTS,
     .moves_short = "DRi", .moves_long = "chdir chroot login"},
    /*
     * systemd-run: -p (a unit property such as ExecStartPre= or Environment=),
     * -E, --shell, --host and --machine are left out, so they make it opaque.
     */
    {.name = "systemd-run", .kind = AG_WRAPPER_PLAIN,
     .short_values = "u", .short_flags = "rdtPqG", .short_no_command = "h",
     .long_values = "unit description slice service-type uid gid nice working-directory",
     .long_flags = "remain-after-exit send-sighup same-dir pty pipe quiet wait collect user "
                   "system scope no-block no-ask-password slice-inherit",
     .long_no_command = "help version"},
    {.name = "task-spooler", .kind = AG_WRAPPER_PLAIN},
    {.name = "taskset", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "ac", .short_no_command = "phV",
     .long_flags = "cpu-list all-tasks", .long_no_command = "pid help version",
     .operands = 1, .features = AG_WRAPPER_NUMERIC_OPERANDS},
    {.name = "tcsh", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "then", .kind = AG_WRAPPER_PLAIN},
    {.name = "time", TIME_ENTRY},
    {.name = "timeout", TIMEOUT_ENTRY},
    /*
     * tini 0.19 src/tini.c: getopt "p:hvwgle:s", so tini [-s] [-p SIGNAL] [-v]
     * [-w] [-g] [-e CODE] [--] COMMAND, and -l prints the license. The string
     * has no leading `+`, so glibc's getopt also takes those options from
     * among COMMAND's words unless a `--` comes first.
     */
    {.name = "tini", .kind = AG_WRAPPER_PLAIN,
     .short_values = "pe", .short_flags = "svwg", .short_no_command = "hl",
     .long_no_command = "version", .features = AG_WRAPPER_OPTIONS_ANYWHERE},
    {.name = "tmux", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "toolbox run", .kind = AG_WRAPPER_PLAIN,
     .short_values = "cdr", .long_values = "container distro release"},
    /* torify COMMAND runs COMMAND through torsocks; any option makes it opaque. */
    {.name = "torify", .kind = AG_WRAPPER_PLAIN},
    {.name = "torsocks", .kind = AG_WRAPPER_PLAIN,
     .short_values = "upaP", .short_flags = "idq", .long_no_command = "help version"},
    /*
     * tox 4: tox exec [options] -- COMMAND runs COMMAND in an environment that
     * tox.ini sets up (src/tox/session/cmd/exec_.py and run/common.py, where
     * -r, -n and the long flags are store_true). --root, --workdir, -s (an
     * optional value) and other options are left out. NOTE: what tox does
     * with words before the `--` was not checked, so the first word that is
     * not an option is taken for the command.
     */
    {.name = "tox exec", .kind = AG_WRAPPER_PLAIN,
     .short_values = "ecx", .short_flags = "rqvn", .long_values = "conf override",
     .long_flags = "recreate quiet verbose notest no-recreate-pkg skip-pkg-install",
     .features = AG_WRAPPER_OPTIONS_ANYWHERE},
    /* toybox 0.8: `toybox APPLET ARGS` runs the applet, as busybox does. */
    {.name = "toybox", .kind = AG_WRAPPER_PLAIN, .long_no_command = "help version long"},
    {.name = "trap", .kind = AG_WRAPPER_TRAP, .short_no_command = "lpP"},
    /* trickle [-vs] [-d RATE] [-u RATE] [-w LENGTH] [-t SECONDS] [-l LENGTH] [-n PATH]. */
    {.name = "trickle", .kind = AG_WRAPPER_PLAIN,
     .short_values = "duwtln", .short_flags = "vs", .short_no_command = "hV"},
    {.name = "tsp", .kind = AG_WRAPPER_PLAIN},
    {.name = "unbuffer", .kind = AG_WRAPPER_PLAIN, .short_flags = "p"},
    {.name = "unshare", .kind = AG_WRAPPER_PLAIN,
     .short_values = "RwSG", .short_optional = "muinpUCT", .short_flags = "frc",
     .short_no_command = "hV",
     .long_values = "mount uts ipc net pid user cgroup time kill-child mount-proc map-user "
                    "map-group map-users map-groups propagation setgroups root wd setuid "
                    "setgid monotonic boottime",
     .long_flags = "mount uts ipc net pid user cgroup time fork kill-child mount-proc "
                   "map-root-user map-current-user map-auto keep-caps",
     .long_no_command = "help version",
     .features = AG_WRAPPER_DEFAULT_SHELL, .moves_short = "Rw", .moves_long = "root wd"},
    /*
     * uv 0.5: --env-file, -m (a module), --script and --gui-script (a
     * file) are left out. --directory runs the command elsewhere.
     */
    {.name = "until", .kind = AG_WRAPPER_PLAIN},
    {.name = "uv run", .kind = AG_WRAPPER_PLAIN,
     .short_values = "p", .short_flags = "qv",
     .long_values = "with with-editable with-requirements python package directory project "
                    "extra group index extra-index-url default-index",
     .long_flags = "no-project frozen locked no-sync isolated all-extras no-dev "
                   "all-packages exact quiet verbose offline no-cache",
     .features = AG_WRAPPER_PYTHON_SCRIPTS, .moves_long = "directory"},
    {.name = "uvx", .kind = AG_WRAPPER_PLAIN,
     .long_values = "from with with-editable with-requirements python index "
                    "extra-index-url default-index",
     .long_flags = "isolated quiet verbose offline no-cache"},
    /* vagrant ssh runs a shell in the machine, or -c/--command CODE. */
    {.name = "vagrant ssh", .kind = AG_WRAPPER_CODE_OPTIONS, .scripts_short = "c",
     .scripts_long = "command"},
    {.name = "valgrind", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "qvd", .short_no_command = "h",
     .long_values = VALGRIND_OPTIONS, .long_flags = VALGRIND_OPTIONS,
     .long_no_command = "help help-debug help-dyn-options version"},
    /* volta 1: volta run [--node V] [--npm V] [--pnpm V] [--yarn V] COMMAND; --env is left out. */
    {.name = "volta run", .kind = AG_WRAPPER_PLAIN,
     .long_values = "node npm pnpm yarn", .long_flags = "bundled-npm no-yarn verbose quiet"},
    {.name = "watch", .kind = AG_WRAPPER_WATCH,
     .short_values = "nq", .short_optional = "d", .short_flags = "tbegcpwrx",
     .short_no_command = "hv",
     .long_values = "interval equexit differences",
     .long_flags = "differences beep errexit chgexit color no-color exec precise no-title "
                   "no-wrap no-rerun",
     .long_no_command = "help version"},
    /* watchexec runs its words with a shell; its options are left out. */
    {.name = "watchexec", .kind = AG_WRAPPER_PLAIN, .features = AG_WRAPPER_JOINED_SCRIPT},
    {.name = "while", .kind = AG_WRAPPER_PLAIN},
    /* winpty 0.4: winpty [--mouse] [--] PROGRAM; the -X debugging options are left out. */
    {.name = "winpty", .kind = AG_WRAPPER_PLAIN, .short_no_command = "h", .long_flags = "mouse",
     .long_no_command = "help version showkey"},
    /* s6-overlay's with-contenv COMMAND runs COMMAND with the container's saved variables. */
    {.name = "with-contenv", .kind = AG_WRAPPER_PLAIN},
    {.name = "xargs", XARGS_ENTRY},
    {.name = "xcrun", .kind = AG_WRAPPER_PLAIN},
    {.name = "xonsh", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "xvfb-run", .kind = AG_WRAPPER_PLAIN,
     .short_values = "efnpsw", .short_flags = "adl", .short_no_command = "h",
     .long_values = "error-file auth-file server-num xauth-protocol server-args wait",
     .long_flags = "auto-servernum auto-display listen-tcp", .long_no_command = "help"},
    {.name = "yarn dlx", .kind = AG_WRAPPER_PLAIN,
     .short_values = "p", .short_flags = "q", .long_values = "package", .long_flags = "quiet"},
    /*
     * Yarn 2+ runs the joined words with its shell in the workspace root,
     * so the command's relative paths may name other files.
     */
    {.name = "yarn exec", .kind = AG_WRAPPER_PLAIN,
     .features = AG_WRAPPER_JOINED_SCRIPT | AG_WRAPPER_NEW_ROOT},
    {.name = "yash", .kind = AG_WRAPPER_SHELL},
    {.name = "ysh", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "zsh", .kind = AG_WRAPPER_SHELL},
    /* A reserved word as a command name: see the entry of do. */
    {.name = "{", .kind = AG_WRAPPER_PLAIN},
};

bool ag_list_contains(const char *list, const char *name, size_t length)
{
    if (list == NULL || length == 0)
        return false;
    /*
     * A plain byte loop: the lists are short, and calling strcspn per item
     * cost 43% more instructions (callgrind, first 2,000 agent-commands.txt
     * requests).
     */
    for (const char *item = list; *item != '\0';) {
        while (*item == ' ')
            item++;
        const char *end = item;
        while (*end != '\0' && *end != ' ')
            end++;
        if ((size_t)(end - item) == length && memcmp(item, name, length) == 0)
            return true;
        item = end;
    }
    return false;
}

int ag_name_compare(const char *entry, const char *name, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        unsigned char a = (unsigned char)entry[i], b = (unsigned char)name[i];
        if (a != b)
            return a < b ? -1 : 1;
        if (a == '\0')
            return -1;    /* `name` contains a NUL and goes on where `entry` ends */
    }
    return entry[length] == '\0' ? 0 : 1;
}

const void *ag_sorted_find(const void *base, size_t count, size_t stride, const char *name,
                           size_t length)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        const char *element = (const char *)base + middle * stride;
        int order = ag_name_compare(*(const char *const *)element, name, length);
        if (order == 0)
            return element;
        if (order < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

bool ag_sorted_is_strict(const void *base, size_t count, size_t stride)
{
    for (size_t i = 1; i < count; i++) {
        const char *previous = *(const char *const *)((const char *)base + (i - 1) * stride);
        const char *current = *(const char *const *)((const char *)base + i * stride);
        if (strcmp(previous, current) >= 0)
            return false;
    }
    return true;
}

/* FNV-1a over the name's bytes. */
static uint32_t name_hash(const char *name, size_t length)
{
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ (unsigned char)name[i]) * 16777619u;
    return hash;
}

static const char *element_name(const ag_name_index *index, size_t element)
{
    return *(const char *const *)((const char *)index->base + element * index->stride);
}

void ag_name_index_build(ag_name_index *index, const void *base, size_t count, size_t stride)
{
    *index = (ag_name_index){.base = base, .count = count, .stride = stride};
    if (count > AG_NAME_INDEX_SLOTS / 2)
        return;

    for (size_t element = 0; element < count; element++) {
        const char *name = element_name(index, element);
        uint32_t slot = name_hash(name, strlen(name)) & (AG_NAME_INDEX_SLOTS - 1);
        while (index->slots[slot] != 0)
            slot = (slot + 1) & (AG_NAME_INDEX_SLOTS - 1);
        index->slots[slot] = (uint16_t)(element + 1);
    }
    index->hashed = true;
}

const void *ag_name_index_find(const ag_name_index *index, const char *name, size_t length)
{
    if (!index->hashed)
        return ag_sorted_find(index->base, index->count, index->stride, name, length);

    uint32_t slot = name_hash(name, length) & (AG_NAME_INDEX_SLOTS - 1);
    for (; index->slots[slot] != 0; slot = (slot + 1) & (AG_NAME_INDEX_SLOTS - 1)) {
        size_t element = index->slots[slot] - 1u;
        if (ag_name_compare(element_name(index, element), name, length) == 0)
            return (const char *)index->base + element * index->stride;
    }
    return NULL;
}

AG_NAME_INDEX_DEFINE(find_wrapper, wrappers)

const ag_wrapper *ag_wrapper_find(const char *name, size_t length)
{
    return find_wrapper(name, length);
}

/* Writes `NAME WORD` into key (`size` bytes); returns its length, or 0 when it does not fit. */
static size_t subcommand_key(char *key, size_t size, const char *name, size_t length,
                             const char *word, size_t word_length)
{
    if (length + 1 + word_length >= size)
        return 0;
    memcpy(key, name, length);
    key[length] = ' ';
    memcpy(key + length + 1, word, word_length);
    key[length + 1 + word_length] = '\0';
    return length + 1 + word_length;
}

const ag_wrapper *ag_wrapper_find_subcommand(const char *name, size_t length,
                                             const ag_shell_word *subcommand)
{
    char key[64];
    if (subcommand->dynamic || memchr(subcommand->text, ' ', subcommand->length) != NULL)
        return NULL;
    size_t key_length = subcommand_key(key, sizeof(key), name, length, subcommand->text,
                                       subcommand->length);
    return key_length == 0 ? NULL : ag_wrapper_find(key, key_length);
}

const ag_wrapper *ag_wrapper_find_group_subcommand(const char *name, size_t length,
                                                   const ag_shell_word *group,
                                                   const ag_shell_word *subcommand)
{
    char prefix[64];
    char key[64];
    if (group->dynamic || memchr(group->text, ' ', group->length) != NULL
        || subcommand->dynamic || memchr(subcommand->text, ' ', subcommand->length) != NULL)
        return NULL;

    size_t prefix_length = subcommand_key(prefix, sizeof(prefix), name, length, group->text,
                                          group->length);
    if (prefix_length == 0)
        return NULL;
    size_t key_length = subcommand_key(key, sizeof(key), prefix, prefix_length,
                                       subcommand->text, subcommand->length);
    return key_length == 0 ? NULL : ag_wrapper_find(key, key_length);
}

/*
 * The filter of the tools that have subcommand runners (the "uv" of
 * "uv run"); see AG_TOOL_HASH. test_effects.c checks that every such tool
 * of the table is set here.
 */
static const bool subcommand_tools[256] = {
    [AG_TOOL_HASH('a', 's', 4)] = true,    /* asdf */
    [AG_TOOL_HASH('a', 'w', 9)] = true,    /* aws-vault */
    [AG_TOOL_HASH('b', 'u', 3)] = true,    /* bun */
    [AG_TOOL_HASH('b', 'u', 6)] = true,    /* bundle */
    [AG_TOOL_HASH('c', 'o', 5)] = true,    /* conda */
    [AG_TOOL_HASH('d', 'e', 6)] = true,    /* devbox */
    [AG_TOOL_HASH('d', 'i', 6)] = true,    /* direnv */
    [AG_TOOL_HASH('d', 'o', 6)] = true,    /* docker */
    [AG_TOOL_HASH('d', 'o', 7)] = true,    /* doppler, dotenvx */
    [AG_TOOL_HASH('g', 'o', 5)] = true,    /* goenv */
    [AG_TOOL_HASH('h', 'a', 5)] = true,    /* hatch */
    [AG_TOOL_HASH('i', 'n', 5)] = true,    /* incus */
    [AG_TOOL_HASH('j', 'e', 4)] = true,    /* jenv */
    [AG_TOOL_HASH('k', 'u', 7)] = true,    /* kubectl */
    [AG_TOOL_HASH('l', 'x', 3)] = true,    /* lxc */
    [AG_TOOL_HASH('m', 'a', 5)] = true,    /* mamba */
    [AG_TOOL_HASH('m', 'i', 4)] = true,    /* mise */
    [AG_TOOL_HASH('n', 'i', 3)] = true,    /* nix */
    [AG_TOOL_HASH('n', 'o', 6)] = true,    /* nodenv */
    [AG_TOOL_HASH('n', 'p', 3)] = true,    /* npm */
    [AG_TOOL_HASH('o', 'p', 2)] = true,    /* op */
    [AG_TOOL_HASH('p', 'd', 3)] = true,    /* pdm */
    [AG_TOOL_HASH('p', 'h', 6)] = true,    /* phpenv */
    [AG_TOOL_HASH('p', 'i', 6)] = true,    /* pipenv */
    [AG_TOOL_HASH('p', 'i', 4)] = true,    /* pixi */
    [AG_TOOL_HASH('p', 'l', 5)] = true,    /* plenv */
    [AG_TOOL_HASH('p', 'n', 2)] = true,    /* pn */
    [AG_TOOL_HASH('p', 'n', 4)] = true,    /* pnpm */
    [AG_TOOL_HASH('p', 'o', 6)] = true,    /* podman, poetry */
    [AG_TOOL_HASH('p', 'u', 5)] = true,    /* pueue */
    [AG_TOOL_HASH('p', 'y', 5)] = true,    /* pyenv */
    [AG_TOOL_HASH('r', 'b', 5)] = true,    /* rbenv */
    [AG_TOOL_HASH('r', 't', 3)] = true,    /* rtx */
    [AG_TOOL_HASH('r', 'y', 3)] = true,    /* rye */
    [AG_TOOL_HASH('s', 'd', 3)] = true,    /* sdk */
    [AG_TOOL_HASH('s', 'o', 4)] = true,    /* sops */
    [AG_TOOL_HASH('t', 'o', 3)] = true,    /* tox */
    [AG_TOOL_HASH('t', 'o', 7)] = true,    /* toolbox; micromamba and nerdctl share the slot */
    [AG_TOOL_HASH('u', 'v', 2)] = true,    /* uv */
    [AG_TOOL_HASH('v', 'a', 7)] = true,    /* vagrant */
    [AG_TOOL_HASH('v', 'o', 5)] = true,    /* volta */
    [AG_TOOL_HASH('y', 'a', 4)] = true,    /* yarn, and flox (the same slot) */
};

/*
 * A hit of the filter is confirmed in the table, because common commands
 * share slots with these tools (python with devbox, bash with plenv).
 */
bool ag_wrapper_may_have_subcommands(const char *name, size_t length)
{
    return length >= 2 && subcommand_tools[AG_TOOL_HASH(name[0], name[1], length)]
           && ag_wrapper_has_subcommands(name, length);
}

bool ag_wrapper_has_subcommands(const char *name, size_t length)
{
    char key[64];
    size_t key_length = subcommand_key(key, sizeof(key), name, length, "", 0);
    if (key_length == 0)
        return false;

    /* The first entry at or after `NAME ` in strcmp() order starts with it, if any does. */
    size_t low = 0, high = sizeof(wrappers) / sizeof(wrappers[0]);
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (strcmp(wrappers[middle].name, key) < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return low < sizeof(wrappers) / sizeof(wrappers[0])
           && strncmp(wrappers[low].name, key, key_length) == 0;
}

const ag_wrapper *ag_wrapper_table(size_t *count)
{
    *count = sizeof(wrappers) / sizeof(wrappers[0]);
    return wrappers;
}

const char *ag_command_base_name(const ag_shell_command *command, size_t *length)
{
    if (command->word_count == 0 || command->words[0].dynamic)
        return NULL;
    const ag_shell_word *name = &command->words[0];
    size_t offset = 0;
    for (size_t i = 0; i < name->length; i++) {
        if (name->text[i] == '/')
            offset = i + 1;
    }
    *length = name->length - offset;
    return name->text + offset;
}
