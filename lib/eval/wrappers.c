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
 * Sorted by name in strcmp() order, because ag_wrapper_find() searches it by
 * halves. A test checks the order with ag_sorted_is_strict().
 *
 * The shells of kind AG_WRAPPER_SHELL read sh syntax. Those of kind
 * AG_WRAPPER_FOREIGN_SHELL read another language, so their code is never
 * parsed. coproc, trap, source, `.` and alias are Bash builtins that run or
 * prepare code.
 */
static const ag_wrapper wrappers[] = {
    {.name = ".", .kind = AG_WRAPPER_SOURCE},
    {.name = "alias", .kind = AG_WRAPPER_ALIAS},
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
    {.name = "bash", .kind = AG_WRAPPER_SHELL},
    {.name = "batch", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "builtin", .kind = AG_WRAPPER_PLAIN},
    /* BusyBox 1.36: `busybox APPLET ARGS` runs the applet, so the applet is the command. */
    {.name = "busybox", .kind = AG_WRAPPER_PLAIN,
     .long_no_command = "help list list-full list-path install"},
    {.name = "catchsegv", .kind = AG_WRAPPER_PLAIN},
    /* runit chpst: -e DIR sets variables from files, so it is left out. */
    {.name = "chpst", .kind = AG_WRAPPER_PLAIN,
     .short_values = "uUb/CnlLmdopfcrt", .short_flags = "P012v"},
    {.name = "chroot", .kind = AG_WRAPPER_PLAIN,
     .long_values = "groups userspec", .long_flags = "skip-chdir",
     .long_no_command = "help version",
     .operands = 1, .features = AG_WRAPPER_DEFAULT_SHELL | AG_WRAPPER_NEW_ROOT},
    {.name = "chrt", .kind = AG_WRAPPER_PLAIN,
     .short_values = "TPD", .short_flags = "bdfiorRav", .short_no_command = "pmhV",
     .long_values = "sched-runtime sched-period sched-deadline",
     .long_flags = "batch deadline fifo idle other rr reset-on-fork all-tasks verbose",
     .long_no_command = "pid max help version",
     .operands = 1, .features = AG_WRAPPER_NUMERIC_OPERANDS},
    {.name = "command", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "p", .short_no_command = "vV"},
    {.name = "coproc", .kind = AG_WRAPPER_COPROC},
    {.name = "csh", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "dash", .kind = AG_WRAPPER_SHELL},
    {.name = "dbus-launch", .kind = AG_WRAPPER_FOREIGN_SHELL},
    /* --dbus-daemon=BINARY runs another program, so it is left out. */
    {.name = "dbus-run-session", .kind = AG_WRAPPER_PLAIN,
     .long_values = "config-file", .long_no_command = "help version"},
    /*
     * Reserved words reach the check as command names only when
     * tree-sitter-bash misreads a compound command (`coproc if true; then
     * rm -rf ~; fi` gives a command `then rm -rf ~`), so the command after
     * them is checked as well.
     */
    {.name = "do", .kind = AG_WRAPPER_PLAIN},
    {.name = "doas", .kind = AG_WRAPPER_PLAIN,
     .short_values = "au", .short_flags = "ns", .short_no_command = "CL"},
    {.name = "elif", .kind = AG_WRAPPER_PLAIN},
    {.name = "else", .kind = AG_WRAPPER_PLAIN},
    {.name = "elvish", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "env", .kind = AG_WRAPPER_ENV,
     .short_values = "uCSa", .short_flags = "i0v",
     .long_values = "unset chdir split-string argv0 block-signal default-signal ignore-signal",
     .long_flags = "ignore-environment null debug list-signal-handling block-signal "
                   "default-signal ignore-signal",
     .long_no_command = "help version",
     .features = AG_WRAPPER_ASSIGNMENTS | AG_WRAPPER_DASH_OPTION,
     .moves_short = "C", .moves_long = "chdir"},
    {.name = "eval", .kind = AG_WRAPPER_EVAL},
    {.name = "exec", .kind = AG_WRAPPER_PLAIN, .short_values = "a", .short_flags = "cl"},
    /* fakeroot -l LIBRARY and --faked BINARY load other code, so they are left out. */
    {.name = "fakeroot", .kind = AG_WRAPPER_PLAIN,
     .short_values = "sib", .short_flags = "u", .short_no_command = "hv",
     .long_flags = "unknown-is-real", .long_no_command = "help version",
     .features = AG_WRAPPER_DEFAULT_SHELL},
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
    {.name = "flock", .kind = AG_WRAPPER_FLOCK,
     .short_values = "wE", .short_flags = "sexnuoF", .short_no_command = "hV",
     .long_values = "wait timeout conflict-exit-code",
     .long_flags = "shared exclusive unlock nonblock nb close no-fork verbose",
     .long_no_command = "help version", .operands = 1},
    {.name = "gdb", .kind = AG_WRAPPER_GDB},
    {.name = "hush", .kind = AG_WRAPPER_SHELL},
    {.name = "ionice", .kind = AG_WRAPPER_PLAIN,
     .short_values = "cn", .short_flags = "t", .short_no_command = "pPuhV",
     .long_values = "class classdata", .long_flags = "ignore",
     .long_no_command = "pid pgid uid help version"},
    {.name = "ksh", .kind = AG_WRAPPER_SHELL},
    {.name = "ksh93", .kind = AG_WRAPPER_SHELL},
    {.name = "lksh", .kind = AG_WRAPPER_SHELL},
    {.name = "ltrace", .kind = AG_WRAPPER_PLAIN,
     .short_values = "aADeFlnopsuwx", .short_flags = "bcCfirSLtT", .short_no_command = "hV",
     .long_values = "align demangle indent output library", .long_flags = "demangle",
     .long_no_command = "help version"},
    {.name = "mksh", .kind = AG_WRAPPER_SHELL},
    {.name = "nice", .kind = AG_WRAPPER_PLAIN,
     .short_values = "n", .long_values = "adjustment", .long_no_command = "help version",
     .features = AG_WRAPPER_NUMERIC_OPTION},
    {.name = "nohup", .kind = AG_WRAPPER_PLAIN, .long_no_command = "help version"},
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
    {.name = "osh", .kind = AG_WRAPPER_SHELL},
    {.name = "parallel", .kind = AG_WRAPPER_PARALLEL,
     .short_values = "jNnLSaCdEIP", .short_flags = "0kquvXmt",
     .long_values = "jobs max-args max-lines sshlogin arg-file colsep delimiter eof tmpdir "
                    "results joblog timeout delay retries env workdir wd halt memfree load "
                    "tag-string",
     .long_flags = "keep-order quote null verbose ungroup group line-buffer tag dry-run "
                   "will-cite bar eta progress no-notice xargs pipe halt-on-error",
     .long_no_command = "help version number-of-cpus number-of-cores citation"},
    {.name = "perf", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "pkexec", .kind = AG_WRAPPER_PLAIN,
     .long_values = "user", .long_flags = "disable-internal-agent keep-cwd",
     .long_no_command = "help version",
     .features = AG_WRAPPER_DEFAULT_SHELL},
    {.name = "posh", .kind = AG_WRAPPER_SHELL},
    {.name = "powershell", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "prlimit", .kind = AG_WRAPPER_PLAIN,
     .short_values = "po", .short_optional = "cdefilmnqrstuvxy", .short_no_command = "hV",
     .long_values = "pid output " PRLIMIT_RESOURCES,
     .long_flags = "noheadings raw verbose " PRLIMIT_RESOURCES,
     .long_no_command = "help version"},
    {.name = "proxychains", .kind = AG_WRAPPER_PLAIN, .short_values = "f", .short_flags = "q"},
    {.name = "proxychains4", .kind = AG_WRAPPER_PLAIN, .short_values = "f", .short_flags = "q"},
    {.name = "pwsh", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "rbash", .kind = AG_WRAPPER_SHELL},
    {.name = "rc", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "runuser", .kind = AG_WRAPPER_RUNUSER,
     .short_values = "ugGw", .short_flags = "mp", .short_no_command = "hV",
     .long_values = "user group supp-group whitelist-environment",
     .long_flags = "preserve-environment", .long_no_command = "help version"},
    {.name = "screen", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "script", .kind = AG_WRAPPER_SCRIPT,
     .short_values = "cEBIOTmo", .short_optional = "t", .short_flags = "aefq",
     .short_no_command = "hV",
     .long_values = "command echo log-io log-in log-out log-timing logging-format "
                    "output-limit timing",
     .long_flags = "append return flush force quiet timing",
     .long_no_command = "help version"},
    {.name = "setpriv", .kind = AG_WRAPPER_PLAIN,
     .short_no_command = "dhV",
     .long_values = "groups inh-caps ambient-caps bounding-set reuid regid ruid rgid euid "
                    "egid securebits pdeathsig selinux-label apparmor-profile "
                    "landlock-access landlock-rule",
     .long_flags = "clear-groups keep-groups init-groups nnp no-new-privs reset-env",
     .long_no_command = "dump list-caps help version"},
    {.name = "setsid", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "cfw", .short_no_command = "hV",
     .long_flags = "ctty fork wait", .long_no_command = "help version"},
    {.name = "sg", .kind = AG_WRAPPER_SG},
    {.name = "sh", .kind = AG_WRAPPER_SHELL},
    {.name = "source", .kind = AG_WRAPPER_SOURCE},
    {.name = "ssh", .kind = AG_WRAPPER_SSH,
     .short_values = "BbcDEeFIiJLlmOoPpQRSWw", .short_flags = "46AaCfGgKkMNnqsTtvXxYy",
     .short_no_command = "V"},
    {.name = "ssh-agent", .kind = AG_WRAPPER_PLAIN,
     .short_values = "aEOPt", .short_flags = "csDd", .short_no_command = "k"},
    {.name = "stdbuf", .kind = AG_WRAPPER_PLAIN,
     .short_values = "ioe", .long_values = "input output error",
     .long_no_command = "help version"},
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
     .features = AG_WRAPPER_ASSIGNMENTS, .moves_short = "DR", .moves_long = "chdir chroot"},
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
    {.name = "taskset", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "ac", .short_no_command = "phV",
     .long_flags = "cpu-list all-tasks", .long_no_command = "pid help version",
     .operands = 1, .features = AG_WRAPPER_NUMERIC_OPERANDS},
    {.name = "tcsh", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "then", .kind = AG_WRAPPER_PLAIN},
    {.name = "time", .kind = AG_WRAPPER_PLAIN,
     .short_values = "fo", .short_flags = "pavq", .short_no_command = "V",
     .long_values = "format output", .long_flags = "append verbose portability quiet",
     .long_no_command = "help version"},
    {.name = "timeout", .kind = AG_WRAPPER_PLAIN,
     .short_values = "sk", .short_flags = "fpv",
     .long_values = "signal kill-after", .long_flags = "foreground preserve-status verbose",
     .long_no_command = "help version",
     .operands = 1, .features = AG_WRAPPER_NUMERIC_OPERANDS},
    {.name = "tmux", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "torsocks", .kind = AG_WRAPPER_PLAIN,
     .short_values = "upaP", .short_flags = "idq", .long_no_command = "help version"},
    /* toybox 0.8: `toybox APPLET ARGS` runs the applet, as busybox does. */
    {.name = "toybox", .kind = AG_WRAPPER_PLAIN, .long_no_command = "help version long"},
    {.name = "trap", .kind = AG_WRAPPER_TRAP, .short_no_command = "lpP"},
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
    {.name = "valgrind", .kind = AG_WRAPPER_PLAIN,
     .short_flags = "qvd", .short_no_command = "h",
     .long_values = VALGRIND_OPTIONS, .long_flags = VALGRIND_OPTIONS,
     .long_no_command = "help help-debug help-dyn-options version"},
    {.name = "watch", .kind = AG_WRAPPER_WATCH,
     .short_values = "nq", .short_optional = "d", .short_flags = "tbegcpwrx",
     .short_no_command = "hv",
     .long_values = "interval equexit differences",
     .long_flags = "differences beep errexit chgexit color no-color exec precise no-title "
                   "no-wrap no-rerun",
     .long_no_command = "help version"},
    {.name = "xargs", .kind = AG_WRAPPER_XARGS,
     .short_values = "IaLndPsE", .short_optional = "ile", .short_flags = "0rtpxo",
     .long_values = "arg-file delimiter max-args max-procs max-chars process-slot-var "
                    "eof replace max-lines",
     .long_flags = "null no-run-if-empty verbose interactive exit open-tty show-limits "
                   "eof replace max-lines",
     .long_no_command = "help version"},
    {.name = "xonsh", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "xvfb-run", .kind = AG_WRAPPER_PLAIN,
     .short_values = "efnpsw", .short_flags = "adl", .short_no_command = "h",
     .long_values = "error-file auth-file server-num xauth-protocol server-args wait",
     .long_flags = "auto-servernum auto-display listen-tcp", .long_no_command = "help"},
    {.name = "yash", .kind = AG_WRAPPER_SHELL},
    {.name = "ysh", .kind = AG_WRAPPER_FOREIGN_SHELL},
    {.name = "zsh", .kind = AG_WRAPPER_SHELL},
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

const ag_wrapper *ag_wrapper_find(const char *name, size_t length)
{
    return ag_sorted_find(wrappers, sizeof(wrappers) / sizeof(wrappers[0]), sizeof(wrappers[0]),
                          name, length);
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
