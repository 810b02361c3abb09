/*
 * Permission modes and protected paths, applied after the rules decided.
 *
 * - default: no change.
 * - acceptEdits: an edit tool (Edit, Write, MultiEdit, NotebookEdit) writing
 *   inside the working directories, and a shell command `mkdir`, `touch`,
 *   `mv`, `cp`, `rm`, `rmdir` or `sed -i` whose every effect lies inside
 *   them, get allow when no rule decided (only the policy default did).
 * - plan: read-only. Edit tools and every command with a write effect get
 *   deny, whatever the rules say. Of what the rules allow, only commands on
 *   the read-only list (read_only_commands, is_read_only_git()) and the
 *   read-only tools (is_read_only_tool()) stay allowed; the rest asks.
 * - dontAsk: every ask becomes deny, for runs with nobody to ask.
 * - bypassPermissions: what no rule decided gets allow (the policy default,
 *   and the ask for writes outside the working directories). Deny and ask
 *   rules still apply, and so do the asks for an incomplete analysis and for
 *   code that cannot be analysed.
 *
 * In every mode, a write to a protected path (see protected_paths and
 * protected_system_paths) that no Edit allow rule naming that path allows
 * gets at least ask. The files that
 * set the rules (the policy's own files and Claude Code's settings files)
 * need an Edit allow rule that names the file itself, without wildcards, from
 * a layer that may unlock that file (layer_may_exempt()). A protected path
 * outside the project (~/.bashrc) is unlocked only by an Edit allow rule
 * from a layer that may unlock the user's settings file. dontAsk then turns
 * that ask into deny.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "eval/mode.h"
#include "rules/paths.h"

/* ----------------------------------------------------------- checker API */

ag_status ag_checker_set_mode(ag_checker *checker, ag_mode mode)
{
    if (checker == NULL || (unsigned)mode > AG_MODE_BYPASS_PERMISSIONS)
        return AG_ERR_ARGUMENT;

    /* A locked mode, and a bypassPermissions the policy disables, are kept:
     * see ag_checker_set_mode() in agentguard.h for why this is not an error. */
    const ag_policy *policy = checker->policy;
    if (policy->mode_locked)
        return AG_OK;
    if (mode == AG_MODE_BYPASS_PERMISSIONS && policy->bypass_disabled)
        return AG_OK;
    checker->mode = mode;
    return AG_OK;
}

ag_mode ag_checker_mode(const ag_checker *checker)
{
    return checker != NULL ? checker->mode : AG_MODE_DEFAULT;
}

/* ------------------------------------------------------- protected paths */

typedef enum protected_kind {
    PROTECT_COMPONENT,  /* any path with a component of this name, and everything below it */
    PROTECT_SUFFIX,     /* any path with a component that ends in this name (user.bazelrc) */
    PROTECT_HOME        /* this path under the home directory, and everything below it */
} protected_kind;

typedef struct protected_path {
    const char *name;   /* shown in reasons; an Edit allow rule must contain it to exempt */
    protected_kind kind;
} protected_path;

/*
 * Paths whose change runs code later or changes who may do what: version
 * control internals and hooks, shell and login startup files, files that
 * set a later session's environment or start its programs, the commands
 * found first on PATH, SSH keys and config,
 * the agent's and the editors' project settings, the files that define MCP
 * servers (each starts a command), git's own settings, and the settings of
 * package managers, build tools and hook runners that make an ordinary
 * command (npm test, cargo run, git commit) run a program they name. So are
 * other coding agents' and editors' settings, which define MCP servers,
 * hooks and tasks, and the config files whose credential helpers run a
 * program (aws, kubectl, docker, gh). So are the init and startup files of
 * gradle, IPython, vim, Emacs, tmux and direnv, and the user files that
 * choose pip's, conda's and Maven's package index. The
 * startup files of curl and wget are protected too, because they choose
 * the files that either tool writes and the URLs it sends. So are the
 * system files below /etc and /usr that every user, login shell or program
 * of the machine reads (sudoers, cron tables, ld.so.preload). The other
 * component names follow the protected paths of Claude Code's
 * permission-modes documentation. The policy's own files are protected too
 * (rule_file_name()). The first two characters of each name are in lower
 * case (has_component(), find_candidates()), and the rest matches in either case.
 */
static const protected_path protected_paths[] = {
    {".git", PROTECT_COMPONENT},
    {".gitmodules", PROTECT_COMPONENT},
    /* Before .claude: a rule that names only .claude must not allow the hooks Claude Code runs. */
    {".claude/hooks", PROTECT_COMPONENT},
    {".claude", PROTECT_COMPONENT},
    {".claude.json", PROTECT_COMPONENT},   /* ~/.claude.json and ./.claude.json: MCP servers */
    {".mcp.json", PROTECT_COMPONENT},      /* MCP servers, which start commands */
    {".vscode", PROTECT_COMPONENT},
    {".idea", PROTECT_COMPONENT},
    {".husky", PROTECT_COMPONENT},         /* git hooks through core.hooksPath */
    {".gitconfig", PROTECT_COMPONENT},     /* git reads ./.gitconfig when HOME is the project */
    {".config/git", PROTECT_COMPONENT},
    {".envrc", PROTECT_COMPONENT},         /* direnv, once allowed, runs it on every cd */
    {".npmrc", PROTECT_COMPONENT},         /* script-shell, node-options and the like */
    {".yarnrc", PROTECT_COMPONENT},
    {".yarnrc.yml", PROTECT_COMPONENT},    /* yarnPath names the yarn that runs */
    {".yarn", PROTECT_COMPONENT},          /* yarn releases and plugins */
    {".pnpmfile.cjs", PROTECT_COMPONENT},  /* run by pnpm install */
    {".pnp.cjs", PROTECT_COMPONENT},       /* Plug'n'Play loaders, loaded by node */
    {".pnp.loader.mjs", PROTECT_COMPONENT},
    {"bunfig.toml", PROTECT_COMPONENT},    /* preload scripts */
    {".bunfig.toml", PROTECT_COMPONENT},
    {".cargo", PROTECT_COMPONENT},         /* a runner in config.toml wraps cargo run and cargo test */
    {".mvn", PROTECT_COMPONENT},           /* maven wrapper properties, jvm.config */
    {"maven-wrapper.properties", PROTECT_COMPONENT},
    {"gradle-wrapper.properties", PROTECT_COMPONENT},  /* the gradle that ./gradlew downloads */
    {"gradle-wrapper.jar", PROTECT_COMPONENT},
    {".bazelrc", PROTECT_SUFFIX},          /* .bazelrc and the user.bazelrc it may import */
    {".pre-commit-config.yaml", PROTECT_COMPONENT},   /* hooks that pre-commit installs */
    {"lefthook.yml", PROTECT_COMPONENT},   /* git hooks that lefthook installs */
    {"lefthook.yaml", PROTECT_COMPONENT},
    {".lefthook.yml", PROTECT_COMPONENT},
    {".lefthook.yaml", PROTECT_COMPONENT},
    {"lefthook-local.yml", PROTECT_COMPONENT},
    {".lefthook-local.yml", PROTECT_COMPONENT},
    {".devcontainer", PROTECT_COMPONENT},  /* commands that dev container tools run */
    {".devcontainer.json", PROTECT_COMPONENT},
    {".ripgreprc", PROTECT_COMPONENT},     /* rg options, --pre runs a program */
    /* curl reads .curlrc from $CURL_HOME, $XDG_CONFIG_HOME or the home directory. */
    {".curlrc", PROTECT_COMPONENT},
    {".wgetrc", PROTECT_COMPONENT},        /* ~/.wgetrc, or where WGETRC points */
    {"pyrightconfig.json", PROTECT_COMPONENT},
    /*
     * Other coding agents' and editors' settings, in the home directory and
     * in any project: each can define an MCP server, a hook or a task, whose
     * command the tool runs when it starts or when the user picks it.
     */
    {".cursor", PROTECT_COMPONENT},        /* mcp.json: MCP servers */
    {".gemini", PROTECT_COMPONENT},        /* settings.json: mcpServers */
    {".codex", PROTECT_COMPONENT},         /* config.toml: mcp_servers */
    {".windsurf", PROTECT_COMPONENT},      /* hooks.json: Cascade hooks */
    {".continue", PROTECT_COMPONENT},      /* config.yaml and mcpServers/: MCP servers */
    {".zed", PROTECT_COMPONENT},           /* settings.json context_servers, tasks.json */
    {".kiro", PROTECT_COMPONENT},          /* hooks/ and settings/mcp.json */
    {".roo", PROTECT_COMPONENT},           /* mcp.json: MCP servers */
    {".amazonq", PROTECT_COMPONENT},       /* mcp.json and default.json: MCP servers */
    {".aider.conf.yml", PROTECT_COMPONENT},    /* lint-cmd and test-cmd run commands */
    {".bashrc", PROTECT_HOME},
    {".bash_profile", PROTECT_HOME},
    {".bash_login", PROTECT_HOME},
    {".bash_logout", PROTECT_HOME},
    {".bash_aliases", PROTECT_HOME},       /* sourced by Debian's and Ubuntu's .bashrc */
    {".bashrc.d", PROTECT_HOME},           /* sourced by Fedora's .bashrc */
    {".profile", PROTECT_HOME},
    {".zshrc", PROTECT_HOME},
    {".zprofile", PROTECT_HOME},
    {".zshenv", PROTECT_HOME},
    {".zlogin", PROTECT_HOME},
    {".zlogout", PROTECT_HOME},
    {".kshrc", PROTECT_HOME},
    {".cshrc", PROTECT_HOME},
    {".tcshrc", PROTECT_HOME},
    {".login", PROTECT_HOME},              /* csh and tcsh login shells */
    {".config/fish", PROTECT_HOME},
    {".xprofile", PROTECT_HOME},           /* display managers source these at login */
    {".xsessionrc", PROTECT_HOME},
    {".pam_environment", PROTECT_HOME},    /* pam_env sets the login environment from it */
    {".config/environment.d", PROTECT_HOME},   /* systemd's user environment */
    {".config/systemd/user", PROTECT_HOME},    /* user services, which start commands */
    {".config/autostart", PROTECT_HOME},       /* XDG autostart entries run at login */
    {".local/bin", PROTECT_HOME},          /* on the default PATH of Debian and Ubuntu */
    {".ssh", PROTECT_HOME},
    /* curl 8.4 reads it when XDG_CONFIG_HOME is unset, as its issue tracker reports. */
    {".config/curlrc", PROTECT_HOME},
    /* Agents' and editors' user settings that define MCP servers, hooks or tasks. */
    {".codeium/windsurf", PROTECT_HOME},   /* mcp_config.json and hooks.json */
    {".config/opencode", PROTECT_HOME},    /* opencode.json: local MCP server commands */
    {".config/zed", PROTECT_HOME},         /* settings.json context_servers, tasks.json */
    {".config/Code/User", PROTECT_HOME},   /* VS Code's settings.json and tasks.json */
    {".config/Code - Insiders/User", PROTECT_HOME},
    {".config/VSCodium/User", PROTECT_HOME},
    /* Config files that make the client run a program: credential helpers, gh's shell aliases. */
    {".aws/config", PROTECT_HOME},         /* credential_process */
    {".kube/config", PROTECT_HOME},        /* users[].user.exec */
    {".docker/config.json", PROTECT_HOME}, /* credsStore and credHelpers name docker-credential-* */
    {".config/gh/config.yml", PROTECT_HOME},   /* aliases that start with ! run in sh */
    /* Scripts run before each build, or when an interpreter, editor, tmux or direnv starts. */
    {".gradle/init.gradle", PROTECT_HOME},
    {".gradle/init.gradle.kts", PROTECT_HOME},
    {".gradle/init.d", PROTECT_HOME},
    {".ipython", PROTECT_HOME},            /* profile_default/startup/ and ipython_config.py */
    {".config/ipython", PROTECT_HOME},     /* older IPython's directory, moved to ~/.ipython */
    {".config/nvim", PROTECT_HOME},        /* init.lua, init.vim and plugin/ */
    {".vimrc", PROTECT_HOME},
    {".vim", PROTECT_HOME},                /* vimrc, plugin/ and the rest of the runtimepath */
    {".emacs", PROTECT_HOME},
    {".emacs.el", PROTECT_HOME},
    {".emacs.d", PROTECT_HOME},            /* init.el and early-init.el */
    {".config/emacs", PROTECT_HOME},
    {".tmux.conf", PROTECT_HOME},          /* run-shell and if-shell run commands */
    {".config/tmux", PROTECT_HOME},
    {".direnvrc", PROTECT_HOME},           /* direnv sources it before every .envrc */
    {".config/direnv", PROTECT_HOME},      /* direnvrc, and the scripts in lib/ */
    /* The package index that pip, conda and Maven install code from. */
    {".pip/pip.conf", PROTECT_HOME},
    {".config/pip", PROTECT_HOME},
    {".condarc", PROTECT_HOME},            /* channels */
    {".m2/settings.xml", PROTECT_HOME},    /* mirrors, repositories and pluginRepositories */
};

/*
 * System entries: these paths, and everything below them, apply to every
 * user and every project. Each starts with one of system_roots, so that
 * protected_name() skips them all for other paths.
 */
static const char *const protected_system_paths[] = {
    /* git and wget read these for every user (git config --system, SYSTEM_WGETRC). */
    "/etc/gitconfig",
    "/etc/wgetrc",
    "/usr/local/etc/wgetrc",   /* wget built with the default prefix */
    /* Sourced by login shells (profile) and interactive bash and zsh, which run their commands. */
    "/etc/profile",
    "/etc/profile.d",
    "/etc/bash.bashrc",       /* Debian and Ubuntu */
    "/etc/bashrc",            /* Fedora and macOS */
    "/etc/bash.bash_logout",
    "/etc/zshenv",            /* every zsh, scripts included */
    "/etc/zprofile",
    "/etc/zshrc",
    "/etc/zlogin",
    "/etc/zlogout",
    "/etc/zsh",               /* Debian's zshenv, zshrc and the others */
    /* pam_env sets every login's environment from it (LD_PRELOAD, PATH). */
    "/etc/environment",
    /* The dynamic loader loads ld.so.preload's libraries into every dynamically linked program. */
    "/etc/ld.so.preload",
    "/etc/ld.so.conf",       /* ldconfig's search path for libraries */
    "/etc/ld.so.conf.d",
    /* sudo reads who may run what as root from them. */
    "/etc/sudoers",
    "/etc/sudoers.d",
    /* cron and anacron run the commands in them, mostly as root. */
    "/etc/crontab",
    "/etc/cron.d",
    "/etc/cron.hourly",
    "/etc/cron.daily",
    "/etc/cron.weekly",
    "/etc/cron.monthly",
    "/etc/anacrontab",
    /* systemd starts the commands of the units in them. */
    "/etc/systemd/system",
    "/etc/systemd/user",
    /* APT runs the commands of hooks such as DPkg::Pre-Invoke on each install. */
    "/etc/apt/apt.conf",
    "/etc/apt/apt.conf.d",
    /* pip's index-url and npm's script-shell, read for every user, choose the code they run. */
    "/etc/pip.conf",
    "/etc/xdg/pip",
    "/etc/npmrc",             /* npm's globalconfig with prefix / */
    "/usr/etc/npmrc",         /* with prefix /usr */
    "/usr/local/etc/npmrc",   /* with prefix /usr/local */
    /* PAM modules run for every login and sudo (pam_exec), and pam_env sets the environment. */
    "/etc/pam.d",
    "/etc/security",
    /* Run at boot, at login or by the motd of every ssh login, as root. */
    "/etc/rc.local",
    "/etc/init.d",
    "/etc/update-motd.d",
    /* udev rules (RUN+=) and modprobe's install commands run as root. */
    "/etc/udev/rules.d",
    "/etc/modprobe.d",
    /* Programs that every graphical session starts. */
    "/etc/xdg/autostart",
    "/etc/X11/Xsession.d",
    /* sshd runs ForceCommand and AuthorizedKeysCommand as they set. */
    "/etc/ssh/sshd_config",
    "/etc/ssh/sshd_config.d",
    /* Users' crontabs, which cron runs as those users. */
    "/var/spool/cron",
    /* The startup files and ssh keys of root, whose home is not the checker's home. */
    "/root/.bashrc",
    "/root/.bash_profile",
    "/root/.profile",
    "/root/.ssh",
};

/* The directories that contain every system entry, each with its trailing slash. */
static const char *const system_roots[] = {"/etc/", "/usr/", "/var/", "/root/"};

/* Compares `length` bytes, ASCII letters in either case equal (no locale, unlike strncasecmp). */
static bool equal_caseless(const char *a, const char *b, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
        if (x == '\0')
            return true;
    }
    return true;
}

static unsigned char lower_ascii(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * Returns whether a component of `path`, with the components after it,
 * starts with the name of `entry` (a whole component or more, as
 * .claude/hooks), or for PROTECT_SUFFIX ends with it, in ASCII letters of
 * either case: on a file system that ignores case `.GIT/hooks` is
 * `.git/hooks`. Names in the table are lower case.
 */
static bool has_component(const char *path, const protected_path *entry)
{
    const char *name = entry->name;
    size_t length = strlen(name);
    for (const char *slash = strchr(path, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        const char *p = slash + 1;
        if (entry->kind == PROTECT_SUFFIX) {
            size_t component = strcspn(p, "/");
            if (component >= length && equal_caseless(p + component - length, name, length))
                return true;
        } else if (lower_ascii((unsigned char)p[0]) == (unsigned char)name[0]
                   && equal_caseless(p, name, length) && (p[length] == '\0' || p[length] == '/')) {
            return true;
        }
    }
    return false;
}

/*
 * Returns the part of `path` after `directory` and a slash, or NULL when
 * `path` is not below it. Letters compare in either case, as
 * ag_path_is_within_caseless() does.
 */
static const char *below_directory(const char *path, const char *directory)
{
    size_t length = strlen(directory);
    if (!equal_caseless(path, directory, length))
        return NULL;
    if (length > 0 && directory[length - 1] == '/')
        return path + length;
    return path[length] == '/' ? path + length + 1 : NULL;
}

/* Returns the part of `path` below the home directory, as below_directory() does, or NULL. */
static const char *below_home(const ag_checker *checker, const char *path)
{
    /* With no home known, home paths keep their "~" (ag_path_normalize()). */
    const char *home = checker->home != NULL ? checker->home : "~";
    const char *rest = below_directory(path, home);

    /* With the home /home/uſer, the folding /home/user/.bashrc lies below the home's folding. */
    if (rest == NULL && checker->folded_home != NULL)
        rest = below_directory(path, checker->folded_home);
    return rest;
}

/* Returns whether `rest`, a path below home, is `name` or below it. */
static bool is_home_entry(const char *rest, const char *name)
{
    size_t length = strlen(name);
    return rest != NULL && equal_caseless(rest, name, length)
           && (rest[length] == '\0' || rest[length] == '/');
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/*
 * Returns whether the component of `path` that ends at `end` (a slash or
 * the end of the text) is `.claude`, in ASCII letters of either case.
 */
static bool is_claude_component(const char *path, const char *end)
{
    return end - path >= 8 && end[-8] == '/' && equal_caseless(end - 7, ".claude", 7);
}

static bool is_claude_directory(const char *path)
{
    return is_claude_component(path, path + strlen(path));
}

/*
 * Returns the layer whose settings file `path` (a .claude/settings.json or
 * .claude/settings.local.json) is by its place: the user's below ~/.claude,
 * else the project's or the local project's.
 */
static ag_layer settings_layer(const ag_checker *checker, const char *path, bool local)
{
    const char *rest = below_home(checker, path);
    if (rest != NULL && strchr(rest, '/') == rest + 7)
        return AG_LAYER_USER;
    return local ? AG_LAYER_LOCAL_PROJECT : AG_LAYER_PROJECT;
}

/*
 * Returns the name of the rule file that `path` is, or NULL, and stores the
 * layer the file sets rules for in *layer. Rule files are the policy's own
 * files, by their resolved paths and in the most authoritative layer they
 * were loaded in, every Claude Code settings file (.claude/settings.json or
 * .claude/settings.local.json of any project, and ~/.claude/settings.json),
 * ~/.claude.json and every managed-settings.json. The next load of any of
 * them could allow anything.
 */
static const char *rule_file_name(ag_checker *checker, const char *path, ag_layer *layer)
{
    const ag_policy *policy = checker->policy;
    size_t length = strlen(path);
    const char *loaded = NULL;
    for (size_t i = 0; i < policy->policy_path_count; i++) {
        if (length != strlen(policy->policy_paths[i])
            || !equal_caseless(path, policy->policy_paths[i], length))
            continue;
        if (loaded == NULL || policy->policy_path_layers[i] < *layer)
            *layer = policy->policy_path_layers[i];
        loaded = base_name(policy->policy_paths[i]);
    }
    if (loaded != NULL)
        return loaded;

    /* ~/.claude.json contains the user's MCP servers and each project's trust and allowed tools. */
    const char *rest = below_home(checker, path);
    if (rest != NULL && strlen(rest) == 12 && equal_caseless(rest, ".claude.json", 12)) {
        *layer = AG_LAYER_USER;
        return "~/.claude.json";
    }

    const char *name = base_name(path);
    *layer = AG_LAYER_MANAGED;
    if (strlen(name) == 21 && equal_caseless(name, "managed-settings.json", 21))
        return "managed-settings.json";
    if (name == path || !is_claude_component(path, name - 1))
        return NULL;
    if (strlen(name) == 13 && equal_caseless(name, "settings.json", 13)) {
        *layer = settings_layer(checker, path, false);
        return ".claude/settings.json";
    }
    if (strlen(name) == 19 && equal_caseless(name, "settings.local.json", 19)) {
        *layer = settings_layer(checker, path, true);
        return ".claude/settings.local.json";
    }
    return NULL;
}

/*
 * Returns whether an allow rule of `rule_layer` may exempt a rule file of
 * `file_layer`. The project and local files come with the working tree, so
 * their rules must not unlock the user's file, which applies to every
 * project. The managed file and the files given to this run may be unlocked
 * only by the managed layer. Otherwise a rule exempts files of its own layer
 * and of the layers it overrides.
 */
static bool layer_may_exempt(ag_layer rule_layer, ag_layer file_layer)
{
    switch (file_layer) {
    case AG_LAYER_MANAGED:
    case AG_LAYER_COMMAND_LINE:
        return rule_layer == AG_LAYER_MANAGED;
    case AG_LAYER_USER:
        return rule_layer == AG_LAYER_MANAGED || rule_layer == AG_LAYER_COMMAND_LINE
               || rule_layer == AG_LAYER_USER;
    case AG_LAYER_LOCAL_PROJECT:
    case AG_LAYER_PROJECT:
        return rule_layer <= file_layer;
    }
    return false;
}

/* Returns the layers whose rules may exempt a rule file of `file_layer`, for reasons. */
static const char *exempting_layers(ag_layer file_layer)
{
    switch (file_layer) {
    case AG_LAYER_MANAGED:
    case AG_LAYER_COMMAND_LINE:
        return "the managed layer";
    case AG_LAYER_USER:
        return "the managed, command_line or user layer";
    case AG_LAYER_LOCAL_PROJECT:
        return "the managed, command_line or local_project layer";
    case AG_LAYER_PROJECT:
        return "the managed, command_line, local_project or project layer";
    }
    return "the managed layer";
}

/* Returns whether `path` lies below a directory of system_roots, ASCII letters in either case. */
static bool is_in_system_root(const char *path)
{
    for (size_t i = 0; i < sizeof(system_roots) / sizeof(*system_roots); i++) {
        if (equal_caseless(path, system_roots[i], strlen(system_roots[i])))
            return true;
    }
    return false;
}

/*
 * The protected_paths entries indexed by the letter that a path component
 * must start with to match them: the first letter of the name, or the
 * letter after the dot of a name that starts with a dot, as most do. A
 * write then visits only the entries its components' letters select, where
 * a loop over the whole table cost about 2,500 instructions (callgrind).
 */
enum {
    PROTECTED_COUNT = sizeof(protected_paths) / sizeof(*protected_paths),
    PROTECTED_WORDS = (PROTECTED_COUNT + 63) / 64
};

typedef struct entry_set {
    uint64_t bits[PROTECTED_WORDS];    /* bit i: protected_paths[i] */
} entry_set;

static entry_set entries_by_first[256];      /* names without a leading dot */
static entry_set entries_after_dot[256];     /* names that start with a dot and a letter */
static entry_set suffix_entries;             /* PROTECT_SUFFIX names match any component */
static pthread_once_t protected_index_once = PTHREAD_ONCE_INIT;

static void add_entry(entry_set *set, size_t entry)
{
    set->bits[entry / 64] |= (uint64_t)1 << (entry % 64);
}

static void merge_entries(entry_set *into, const entry_set *set)
{
    for (size_t i = 0; i < PROTECTED_WORDS; i++)
        into->bits[i] |= set->bits[i];
}

static void build_protected_index(void)
{
    for (size_t i = 0; i < PROTECTED_COUNT; i++) {
        const char *name = protected_paths[i].name;
        if (protected_paths[i].kind == PROTECT_SUFFIX)
            add_entry(&suffix_entries, i);
        else if (name[0] == '.' && name[1] != '\0')
            add_entry(&entries_after_dot[(unsigned char)name[1]], i);
        else
            add_entry(&entries_by_first[(unsigned char)name[0]], i);
    }
}

/*
 * Stores in `candidates` the entries that some component of `path` may
 * match. Names are in lower case, and components are read that way.
 */
static void find_candidates(const char *path, entry_set *candidates)
{
    pthread_once(&protected_index_once, build_protected_index);
    *candidates = suffix_entries;
    for (const char *slash = strchr(path, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        unsigned char first = lower_ascii((unsigned char)slash[1]);
        merge_entries(candidates, &entries_by_first[first]);
        if (first == '.' && slash[2] != '\0')
            merge_entries(candidates, &entries_after_dot[lower_ascii((unsigned char)slash[2])]);
    }
}

/* Returns the first entry of `candidates` at or after `from`, or PROTECTED_COUNT. */
static size_t next_candidate(const entry_set *candidates, size_t from)
{
    for (size_t word = from / 64; word < PROTECTED_WORDS; word++) {
        uint64_t bits = candidates->bits[word];
        if (word == from / 64)
            bits &= ~(uint64_t)0 << (from % 64);
        if (bits != 0)
            return word * 64 + (size_t)__builtin_ctzll(bits);
    }
    return PROTECTED_COUNT;
}

/*
 * Returns the protected name that `path` falls under, or NULL. A path with
 * an unknown part could be any path, so it is protected as "(unknown path)".
 */
static const char *protected_name(ag_checker *checker, const char *path)
{
    if (path == NULL)
        return NULL;
    if (strchr(path, AG_DYNAMIC_MARK) != NULL)
        return "(unknown path)";

    entry_set candidates;
    find_candidates(path, &candidates);

    /* The first entry in table order wins, as a loop over the table would find it. */
    const char *rest = below_home(checker, path);
    bool in_system_root = is_in_system_root(path);
    for (size_t i = next_candidate(&candidates, 0); i < PROTECTED_COUNT;
         i = next_candidate(&candidates, i + 1)) {
        const protected_path *entry = &protected_paths[i];
        bool hit = entry->kind == PROTECT_HOME ? is_home_entry(rest, entry->name)
                                               : has_component(path, entry);
        if (hit)
            return entry->name;
    }
    for (size_t i = 0; in_system_root && i < sizeof(protected_system_paths)
                                                 / sizeof(*protected_system_paths); i++) {
        if (ag_path_is_within_caseless(path, protected_system_paths[i]))
            return protected_system_paths[i];
    }
    return NULL;
}

/*
 * Returns whether the rule that allowed a write names one file: an Edit
 * allow rule whose specifier has a slash and no wildcard, such as
 * Edit(./.claude/settings.json). Having matched the write, it names the
 * written file. A bare name (Edit(settings.json)) matches at any depth, so
 * it does not count.
 */
static bool rule_names_file(const ag_rule *rule)
{
    return rule != NULL && rule->decision == AG_ALLOW && rule->tool != NULL
           && strcmp(rule->tool, "Edit") == 0 && ag_rule_is_path(rule)
           && rule->specifier != NULL && strchr(rule->specifier, '/') != NULL
           && strpbrk(rule->specifier, "*?[\\") == NULL;
}

/*
 * Returns whether the rule that allowed a write names the protected path:
 * an Edit allow rule whose specifier contains the protected name, such as
 * Edit(.git/hooks/...). A bare Edit, or Edit with only wildcards, does not count.
 */
static bool rule_names_protected(const ag_rule *rule, const char *name)
{
    return rule != NULL && rule->decision == AG_ALLOW && rule->tool != NULL
           && strcmp(rule->tool, "Edit") == 0 && rule->specifier != NULL
           && strstr(rule->specifier, name) != NULL;
}

/* The protection a write meets: a rule file of a layer, or a protected name. */
typedef struct protection {
    const char *name;     /* the protected name, or NULL for a rule file */
    ag_layer file_layer;  /* for a rule file: the layer whose rules it sets */
    bool outside_project; /* for a protected name: the path lies outside the project */
} protection;

/*
 * Returns whether `rule` names what `guard` protects, from a layer that may
 * unlock it. A protected path outside the project (~/.bashrc, ~/.gitconfig)
 * affects every project, like the user's settings file, so only the layers
 * that may unlock that file may unlock it.
 */
static bool rule_names_guarded(const ag_rule *rule, const protection *guard)
{
    if (guard->name == NULL)
        return rule_names_file(rule) && layer_may_exempt(rule->layer, guard->file_layer);
    return rule_names_protected(rule, guard->name)
           && (!guard->outside_project || layer_may_exempt(rule->layer, AG_LAYER_USER));
}

/*
 * Returns a protected name that lies below `directory`, the target of a
 * tree write, and that the allow rule `rule` does not name, or NULL. A
 * protected home entry lies below a directory that contains it (rm -r ~,
 * rm -r ~/.config).
 * The project's own .git, .claude and the other protected components lie
 * below the working directory and every directory that contains it (tar xf
 * a.tar, rm -r .), whether it contains the cwd as written or where the cwd
 * leads through links (where->cwd and where->real_cwd). Where the cwd leads
 * is unknown when its lookup failed, so then every tree may contain it.
 * TODO(protected): a protected component below another directory
 * (vendor/x/.git, or a .git that `tar xf a.tar -C sub` unpacks into sub) is
 * not seen, because only the request's text is read here. Such a nested
 * .git only acts when git runs inside it.
 */
static const char *protected_name_below(ag_checker *checker, const char *directory,
                                        const ag_path_context *where, const ag_rule *rule,
                                        bool *rule_file)
{
    *rule_file = false;
    if (directory == NULL)
        return NULL;
    const char *home = checker->home != NULL ? checker->home : "~";
    const char *real_cwd = where->real_cwd;
    bool holds_cwd = (where->cwd != NULL && ag_path_is_within_caseless(where->cwd, directory))
                     || (real_cwd != NULL && (ag_path_lookup_failed(real_cwd)
                                              || ag_path_is_within_caseless(real_cwd, directory)));
    bool holds_home = ag_path_is_within_caseless(home, directory)
                      || (checker->folded_home != NULL
                          && ag_path_is_within_caseless(checker->folded_home, directory));

    /* With the cwd /home/uſer/proj, the tree /home/user contains it where case is ignored. */
    ag_path_context folded;
    bool cwd_folds = false;
    if (!holds_cwd
        && ag_path_context_fold_ascii(&checker->arena, where, &folded, &cwd_folds) != AG_OK)
        holds_cwd = true;    /* out of memory: assume the worst */
    if (!holds_cwd && cwd_folds)
        holds_cwd = (folded.cwd != NULL && ag_path_is_within_caseless(folded.cwd, directory))
                    || (folded.real_cwd != NULL
                        && ag_path_is_within_caseless(folded.real_cwd, directory));

    /* No rule names every file of a tree, so a rule file below it always asks. */
    const ag_policy *policy = checker->policy;
    *rule_file = true;
    for (size_t i = 0; i < policy->policy_path_count; i++) {
        if (ag_path_is_within_caseless(policy->policy_paths[i], directory))
            return base_name(policy->policy_paths[i]);
    }
    if (holds_cwd || holds_home || is_claude_directory(directory))
        return ".claude/settings.json";
    *rule_file = false;

    /* A tree write that contains a system entry (rm -r /etc) may replace it. */
    for (size_t i = 0; i < sizeof(protected_system_paths) / sizeof(*protected_system_paths);
         i++) {
        protection guard = {protected_system_paths[i], AG_LAYER_MANAGED, true};
        if (ag_path_is_within_caseless(protected_system_paths[i], directory)
            && !rule_names_guarded(rule, &guard))
            return protected_system_paths[i];
    }

    /*
     * A tree below the home may still contain a protected entry of the home:
     * `cp -r x/. ~/.local` writes ~/.local/bin, and `rm -r ~/.config`
     * removes ~/.config/git. Such an entry lies outside the project.
     */
    const char *rest = below_home(checker, directory);
    size_t length = rest != NULL ? strlen(rest) : 0;
    for (size_t i = 0; length > 0 && i < sizeof(protected_paths) / sizeof(*protected_paths);
         i++) {
        const protected_path *entry = &protected_paths[i];
        protection guard = {entry->name, AG_LAYER_MANAGED, true};
        if (entry->kind != PROTECT_SUFFIX && strlen(entry->name) > length
            && entry->name[length] == '/' && equal_caseless(entry->name, rest, length)
            && !rule_names_guarded(rule, &guard))
            return entry->name;
    }
    return NULL;
}

/*
 * Returns whether `path` is a protected entry of the home directory or lies
 * below one: a home entry (~/.bashrc, ~/.local/bin) or a protected
 * component directly below home (~/.claude, ~/.config/git, ~/.gitconfig).
 */
static bool in_home_entry(const ag_checker *checker, const char *path)
{
    const char *rest = below_home(checker, path);
    for (size_t i = 0; rest != NULL && i < sizeof(protected_paths) / sizeof(*protected_paths);
         i++) {
        if (is_home_entry(rest, protected_paths[i].name))
            return true;
    }
    return false;
}

/*
 * Returns whether a written `path` lies in the project: below the request's
 * cwd (context->cwd, as given), unless it is below the home directory and
 * the cwd is the home or contains it. Such a cwd would make the user's own
 * files (~/.bashrc, ~/.gitconfig) part of the project. A protected entry of
 * the home applies to every project, so it lies outside the project also
 * when the cwd contains it or lies inside it (a dotfiles repository in
 * ~/.config, a session started in ~/.claude or ~/.local/bin).
 */
static bool in_project(ag_checker *checker, const char *path, const ag_path_context *context)
{
    if (in_home_entry(checker, path))
        return false;

    const char *cwd = context != NULL ? context->cwd : NULL;
    if (cwd == NULL || cwd[0] != '/' || !ag_path_is_within(path, cwd))
        return false;

    const char *home = context->home;
    if (home == NULL || !ag_path_is_within_caseless(path, home))
        return true;
    return ag_path_is_within_caseless(cwd, home) && !ag_path_is_within_caseless(home, cwd);
}

/*
 * Returns whether an allow rule exempts a write of `path` from `guard`: for
 * a rule file, a rule that names the file (rule_names_file()) from a layer
 * that layer_may_exempt() accepts, else a rule that names the protected name
 * (rule_names_protected()). `rule` decided the write. It is the first allow
 * rule that matched, which may be a broad glob written before the rule that
 * names the path, so the other allow rules are matched too. With
 * `any_allow`, they are matched also when no allow rule decided the write.
 * Only writes to protected paths get here, which keeps the walk off the
 * common path.
 */
static bool some_rule_exempts(ag_checker *checker, const char *path, const protection *guard,
                              const ag_rule *rule, bool any_allow,
                              const ag_path_context *context)
{
    if (rule_names_guarded(rule, guard))
        return true;
    bool allowed = rule != NULL && rule->decision == AG_ALLOW;
    if ((!allowed && !any_allow) || context == NULL)
        return false;

    const ag_policy *policy = checker->policy;
    for (size_t i = 0; i < policy->rule_count; i++) {
        const ag_rule *other = &policy->rules[i];
        if (rule_names_guarded(other, guard) && ag_rule_is_path(other)
            && ag_rule_match_path(other, path, context, checker->match_data) == AG_MATCH_YES)
            return true;
    }
    return false;
}

/*
 * Returns what ends the reason for asking about a protected write: the allow
 * rule that allowed the write but does not unlock the path, or the mode that
 * would have allowed it. The reason that the write had before is left out,
 * because it would read as if the write were allowed.
 */
static const char *protection_note(ag_checker *checker, const ag_rule *rule)
{
    if (rule != NULL && rule->decision == AG_ALLOW)
        return ag_arena_printf(&checker->arena, "; the allow rule %s (%s) is not one",
                               rule->text, rule->source);
    if (checker->mode == AG_MODE_BYPASS_PERMISSIONS || checker->mode == AG_MODE_ACCEPT_EDITS)
        return ag_arena_printf(&checker->arena, ", in %s mode too",
                               ag_mode_name(checker->mode));
    return "";
}

/*
 * Returns the reason for asking about a write of `path` that `action`
 * describes ("touches the protected path .git"). `unlock` names the Edit
 * allow rule that would unlock the write. When the protection was found in
 * the ASCII folding `names` of the path, no allow rule unlocks the write
 * (protect_named() matches allow rules with `path` alone), so the reason
 * names the ASCII spelling to write instead.
 */
static const char *protected_reason(ag_checker *checker, const char *path, const char *names,
                                    const char *action, const char *unlock, const char *note)
{
    ag_arena *arena = &checker->arena;
    const char *quoted = ag_quote_text(arena, path, strlen(path));
    const char *reason = NULL;
    if (action == NULL || unlock == NULL || quoted == NULL) {
        reason = NULL;
    } else if (names == path) {
        reason = ag_arena_printf(arena, "the write to %s %s, which only an Edit allow rule %s "
                                 "allows%s", quoted, action, unlock, note);
    } else {
        const char *folded = ag_quote_text(arena, names, strlen(names));
        reason = ag_arena_printf(arena, "the write to %s %s, because a file system that ignores "
                                 "case reads the path as %s. No allow rule unlocks a write "
                                 "through that reading, so write to %s instead, which only an "
                                 "Edit allow rule %s allows%s", quoted, action, folded, folded,
                                 unlock, note);
    }
    return reason != NULL ? reason : "the write touches a protected path (out of memory)";
}

/*
 * Returns the reason for asking about a protected write of `path`, or NULL
 * when the write is exempt. The protected names are looked for in `names`,
 * which is `path` or its ASCII folding (ag_path_fold_ascii()). Allow rules
 * are matched with `path` alone, because an allow rule never covers more
 * than it names. `rule` is the rule that allowed the write, if any, and
 * `any_allow` is passed to some_rule_exempts(). `context` contains the
 * normalized cwd and home that rules match with.
 */
static const char *protect_named(ag_checker *checker, const char *path, const char *names,
                                 const ag_rule *rule, bool any_allow,
                                 const ag_path_context *context)
{
    protection guard = {NULL, AG_LAYER_MANAGED, false};
    const char *file = names != NULL && strchr(names, AG_DYNAMIC_MARK) == NULL
                           ? rule_file_name(checker, names, &guard.file_layer)
                           : NULL;
    if (file != NULL && some_rule_exempts(checker, path, &guard, rule, any_allow, context))
        return NULL;
    const char *note = protection_note(checker, rule);
    ag_arena *arena = &checker->arena;
    if (file != NULL) {
        const char *action = ag_arena_printf(arena, "changes %s, a file that sets the "
                                             "permission rules", file);
        const char *unlock = ag_arena_printf(arena, "of %s that names this file without "
                                             "wildcards", exempting_layers(guard.file_layer));
        return protected_reason(checker, path, names, action, unlock, note);
    }

    const char *name = protected_name(checker, names);
    guard.name = name;
    /* in_project() has checked `path` for a protected home entry, but not its folding. */
    guard.outside_project = !in_project(checker, path, context)
                            || (names != path && in_home_entry(checker, names));
    if (name == NULL || some_rule_exempts(checker, path, &guard, rule, any_allow, context))
        return NULL;
    if (guard.outside_project)
        return protected_reason(
            checker, path, names,
            ag_arena_printf(arena, "touches the protected path %s outside the project", name),
            "of the managed, command_line or user layer that names it", note);
    return protected_reason(checker, path, names,
                            ag_arena_printf(arena, "touches the protected path %s", name),
                            "that names it", note);
}

static const char *protect(ag_checker *checker, const char *path, const ag_rule *rule,
                           bool any_allow, const ag_path_context *context)
{
    return protect_named(checker, path, path, rule, any_allow, context);
}

/*
 * Returns the reason for asking about a write of `path` whose ASCII folding
 * `folded` (or NULL) is protected. On a file system that ignores case,
 * `.vscode` written with U+017F in place of its s names `.vscode`.
 */
static const char *protect_folded(ag_checker *checker, const char *path, const char *folded,
                                  const ag_rule *rule, bool any_allow,
                                  const ag_path_context *context)
{
    if (path == NULL || folded == NULL)
        return NULL;
    return protect_named(checker, path, folded, rule, any_allow, context);
}

/* -------------------------------------------------------- working directory */

/* Returns whether a known path lies in the cwd or one of the policy's additional directories. */
static bool inside_workspace(ag_checker *checker, const char *path,
                             const ag_path_context *context)
{
    return strchr(path, AG_DYNAMIC_MARK) == NULL
           && ag_checker_in_working_directories(checker, path, context);
}

/* ------------------------------------------------------------- Bash requests */

/*
 * Returns a reason that says the mode changed a decision, keeping the old
 * reason, or NULL when out of memory (the callers then fail the check).
 */
static const char *mode_reason(ag_checker *checker, const char *what, const char *before)
{
    return ag_arena_printf(&checker->arena, "%s mode %s (%s)", ag_mode_name(checker->mode),
                           what, before);
}

/* Returns whether every reason of the verdict was allocated. */
static bool reasons_complete(const ag_verdict *verdict)
{
    for (size_t i = 0; i < verdict->command_count; i++) {
        if (verdict->commands[i].reason == NULL)
            return false;
    }
    for (size_t i = 0; i < verdict->effect_count; i++) {
        if (verdict->effects[i].reason == NULL)
            return false;
    }
    return verdict->reason != NULL;
}

/* Returns whether word `word` of a command is exactly `text`. */
static bool word_is(const ag_shell_command *command, size_t word, const char *text)
{
    return word < command->word_count && !command->words[word].dynamic
           && strcmp(command->words[word].text, text) == 0;
}

/*
 * Returns whether a command is one of the file commands acceptEdits allows:
 * mkdir, touch, mv, cp, rm, rmdir, or sed with -i or --in-place. Every word
 * must be known, so that no unknown option changes what the command does.
 */
static bool is_edit_command(const ag_shell_command *command)
{
    static const char *const names[] = {"mkdir", "touch", "mv", "cp", "rm", "rmdir"};
    if (command->word_count == 0)
        return false;
    for (size_t i = 0; i < command->word_count; i++) {
        if (command->words[i].dynamic)
            return false;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        if (word_is(command, 0, names[i]))
            return true;
    }
    if (!word_is(command, 0, "sed"))
        return false;
    for (size_t i = 1; i < command->word_count; i++) {
        const char *word = command->words[i].text;
        if (strncmp(word, "-i", 2) == 0 || strcmp(word, "--in-place") == 0
            || strncmp(word, "--in-place=", 11) == 0)
            return true;
    }
    return false;
}

/* Returns whether every effect of command `index` is a known path inside the working directories. */
static bool effects_inside(ag_checker *checker, size_t index, const ag_path_context *context)
{
    const ag_verdict *verdict = &checker->verdict;
    for (size_t i = 0; i < verdict->effect_count; i++) {
        const ag_effect *effect = &verdict->effects[i];
        if (effect->command != index)
            continue;
        if (effect->kind == AG_EFFECT_NETWORK || effect->decision > AG_ALLOW
            || !inside_workspace(checker, effect->target, context)
            || (effect->link_target != NULL
                && !inside_workspace(checker, effect->link_target, context)))
            return false;
    }
    return true;
}

/*
 * Plan mode's read-only commands: what they may do is read files and print.
 * Each entry lists the words after the name that make it write or run
 * something else; a word that starts with one of them (an option, or an
 * option with its value attached) takes the command off the list.
 */
typedef struct read_only_command {
    const char *name;
    const char *const *unsafe;   /* NULL-terminated option prefixes, or NULL */
    int max_operands;            /* words that are not options, -1 for any */
} read_only_command;

static const char *const find_unsafe[] = {"-exec", "-execdir", "-ok", "-okdir", "-delete",
                                          "-fprint", "-fls", NULL};
static const char *const sort_unsafe[] = {"-o", "--output", NULL};
static const char *const rg_unsafe[] = {"--pre", "--search-zip", "-z", NULL};
static const char *const tree_unsafe[] = {"-o", NULL};
static const char *const file_unsafe[] = {"-C", "--compile", NULL};
static const char *const date_unsafe[] = {"-s", "--set", NULL};
static const char *const jq_unsafe[] = {"-i", "--in-place", NULL};

static const read_only_command read_only_commands[] = {
    {"ls", NULL, -1},      {"cat", NULL, -1},      {"head", NULL, -1},
    {"tail", NULL, -1},    {"less", NULL, -1},     {"more", NULL, -1},
    {"grep", NULL, -1},    {"egrep", NULL, -1},    {"fgrep", NULL, -1},
    {"rg", rg_unsafe, -1}, {"ag", NULL, -1},       {"find", find_unsafe, -1},
    {"wc", NULL, -1},      {"stat", NULL, -1},     {"file", file_unsafe, -1},
    {"du", NULL, -1},      {"df", NULL, -1},       {"tree", tree_unsafe, -1},
    {"diff", NULL, -1},    {"cmp", NULL, -1},      {"sort", sort_unsafe, -1},
    {"uniq", NULL, 1},     {"cut", NULL, -1},      {"tr", NULL, -1},
    {"echo", NULL, -1},    {"printf", NULL, -1},   {"pwd", NULL, -1},
    {"which", NULL, -1},   {"type", NULL, -1},     {"whereis", NULL, -1},
    {"date", date_unsafe, -1}, {"env", NULL, 0},   {"printenv", NULL, -1},
    {"id", NULL, -1},      {"whoami", NULL, -1},   {"uname", NULL, -1},
    {"hostname", NULL, 0}, {"ps", NULL, -1},       {"jq", jq_unsafe, -1},
    {"basename", NULL, -1}, {"dirname", NULL, -1}, {"realpath", NULL, -1},
    {"readlink", NULL, -1}, {"true", NULL, -1},    {"false", NULL, -1},
    {"test", NULL, -1},    {"[", NULL, -1},
};

/* git subcommands that only read, and for branch, tag and remote their listing options. */
static const char *const git_reads[] = {"status", "log", "show", "diff", "rev-parse",
                                        "ls-files", "blame", "grep", "shortlog", "describe",
                                        "ls-tree", "cat-file", NULL};
static const char *const git_unsafe[] = {"--output", "-O", "--open-files-in-pager",
                                         "--ext-diff", "--textconv", NULL};
static const char *const git_branch_list[] = {"-a", "-r", "-v", "-vv", "-l", "--all",
                                              "--remotes", "--verbose", "--list",
                                              "--show-current", NULL};
static const char *const git_tag_list[] = {"-l", "--list", NULL};
static const char *const git_remote_list[] = {"-v", "--verbose", NULL};
static const char *const git_config_get[] = {"--get", "--get-all", "--get-regexp", "-l",
                                             "--list", "--show-origin", "--show-scope",
                                             "--name-only", "--global", "--local",
                                             "--system", "-z", "--null", NULL};


static bool in_list(const char *const *list, const char *word)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
        if (strcmp(list[i], word) == 0)
            return true;
    }
    return false;
}

static bool starts_with_any(const char *const *list, const char *word)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
        if (strncmp(word, list[i], strlen(list[i])) == 0)
            return true;
    }
    return false;
}
/* git config that reads: the options of git_config_get and one name, or `config get NAME`. */
static bool is_git_config_read(const ag_shell_command *command)
{
    size_t first = 2;
    if (command->word_count > 2 && strcmp(command->words[2].text, "get") == 0)
        first = 3;
    size_t operands = 0;
    for (size_t i = first; i < command->word_count; i++) {
        const char *word = command->words[i].text;
        if (word[0] != '-')
            operands++;
        else if (!in_list(git_config_get, word))
            return false;
    }
    return operands <= 1;
}

/* Returns whether a git command only reads: a subcommand of git_reads, or a listing form. */
static bool is_read_only_git(const ag_shell_command *command)
{
    if (command->word_count < 2)
        return false;
    const char *sub = command->words[1].text;
    if (strcmp(sub, "config") == 0)
        return is_git_config_read(command);
    const char *const *only = NULL;    /* for branch, tag, remote: the words allowed */
    if (strcmp(sub, "branch") == 0)
        only = git_branch_list;
    else if (strcmp(sub, "tag") == 0)
        only = git_tag_list;
    else if (strcmp(sub, "remote") == 0)
        only = git_remote_list;
    else if (!in_list(git_reads, sub))
        return false;
    for (size_t i = 2; i < command->word_count; i++) {
        const char *word = command->words[i].text;
        if (only != NULL ? !in_list(only, word) : starts_with_any(git_unsafe, word))
            return false;
    }
    return true;
}

/*
 * Returns whether plan mode may keep an allow for a command: every word is
 * known, it runs no code (`less --lesskey-src FILE` runs the LESSOPEN
 * command that FILE sets), and the command is on the read-only list with no
 * option that writes.
 */
static bool is_read_only_command(const ag_shell_command *command)
{
    if (command->word_count == 0 || (command->flags & AG_COMMAND_RUNS_CODE) != 0)
        return false;
    for (size_t i = 0; i < command->word_count; i++) {
        if (command->words[i].dynamic)
            return false;
    }
    const char *name = command->words[0].text;
    if (strcmp(name, "git") == 0)
        return is_read_only_git(command);
    for (size_t i = 0; i < sizeof(read_only_commands) / sizeof(*read_only_commands); i++) {
        const read_only_command *entry = &read_only_commands[i];
        if (strcmp(entry->name, name) != 0)
            continue;
        int operands = 0;
        for (size_t j = 1; j < command->word_count; j++) {
            const char *word = command->words[j].text;
            if (starts_with_any(entry->unsafe, word))
                return false;
            /* sort -uo FILE: a short option cluster that holds -o writes too. */
            if (entry->unsafe == sort_unsafe && word[0] == '-' && word[1] != '-'
                && strchr(word, 'o') != NULL)
                return false;
            if (word[0] != '-')
                operands++;
        }
        return entry->max_operands < 0 || operands <= entry->max_operands;
    }
    return false;
}

static bool command_writes(const ag_verdict *verdict, size_t index)
{
    for (size_t i = 0; i < verdict->effect_count; i++) {
        if (verdict->effects[i].command == index && verdict->effects[i].kind == AG_EFFECT_WRITE
            && !verdict->effects[i].possible)
            return true;
    }
    return false;
}

/* Applies the mode to each command on its own; returns whether a decision changed. */
static bool adjust_commands(ag_checker *checker, const ag_path_context *context)
{
    ag_verdict *verdict = &checker->verdict;
    bool changed = false;
    for (size_t i = 0; i < verdict->command_count; i++) {
        ag_command_verdict *command = &verdict->commands[i];
        bool open = command->decision > AG_ALLOW && command->bypassable;

        if (checker->mode == AG_MODE_BYPASS_PERMISSIONS && open) {
            command->decision = AG_ALLOW;
            command->reason = mode_reason(checker, "allows what no rule decides",
                                          command->reason);
            changed = true;
        } else if (checker->mode == AG_MODE_ACCEPT_EDITS && open
                   && is_edit_command(command->command) && effects_inside(checker, i, context)) {
            command->decision = AG_ALLOW;
            command->reason = mode_reason(
                checker, "allows file commands inside the working directories", command->reason);
            changed = true;
        } else if (checker->mode == AG_MODE_PLAN && command->decision < AG_DENY
                   && command_writes(verdict, i)) {
            command->decision = AG_DENY;
            command->rule = NULL;
            command->reason = mode_reason(checker, "is read-only, so a command that writes "
                                          "files is denied", command->reason);
            changed = true;
        } else if (checker->mode == AG_MODE_PLAN && command->decision == AG_ALLOW
                   && !is_read_only_command(command->command)) {
            command->decision = AG_ASK;
            command->rule = NULL;
            command->reason = mode_reason(checker, "is read-only, so a command not known to "
                                          "only read asks", command->reason);
            changed = true;
        }
    }
    return changed;
}

/*
 * Returns the reason for asking about a write that touches a protected path:
 * its target, the file a link target leads to, or for a tree write a
 * protected path below it. Returns NULL when none does. `rule` is the allow
 * rule that allowed the write, if any.
 */
static const char *protect_effect(ag_checker *checker, const ag_effect *effect,
                                  const ag_rule *rule, bool any_allow,
                                  const ag_path_context *where)
{
    const char *reason = protect(checker, effect->target, rule, any_allow, where);
    if (reason == NULL && effect->link_target != NULL)
        reason = protect(checker, effect->link_target, rule, any_allow, where);
    if (reason == NULL)
        reason = protect_folded(checker, effect->target, effect->folded_target, rule, any_allow,
                                where);
    if (reason == NULL)
        reason = protect_folded(checker, effect->link_target, effect->folded_link_target, rule,
                                any_allow, where);
    if (reason != NULL || !effect->tree)
        return reason;

    /* The tree below each form, shown in the reason as written. */
    const char *const forms[] = {effect->target, effect->link_target, effect->folded_target,
                                 effect->folded_link_target};
    const char *const shown[] = {effect->target, effect->link_target, effect->target,
                                 effect->link_target};
    const char *directory = NULL;
    const char *name = NULL;
    bool rule_file = false;
    size_t found = 0;
    for (; name == NULL && found < sizeof(forms) / sizeof(*forms); found++) {
        directory = shown[found];
        name = protected_name_below(checker, forms[found], where, rule, &rule_file);
    }
    if (name == NULL)
        return NULL;
    const char *quoted = ag_quote_text(&checker->arena, directory, strlen(directory));
    /* No rule unlocks a rule file in a tree, so only the mode is worth a note there. */
    const char *note = protection_note(checker, rule_file ? NULL : rule);
    /* No allow rule unlocks a name found in a folding (.gıt read as .git), so name the ASCII tree. */
    const char *form = forms[found - 1];
    const char *folded = form != directory ? ag_quote_text(&checker->arena, form, strlen(form))
                                           : NULL;
    if (rule_file)
        reason = ag_arena_printf(&checker->arena,
                                 "the tree written at %s may include %s, a file that sets the "
                                 "permission rules, which no rule allows a tree write to "
                                 "change%s", quoted, name, note);
    else if (folded != NULL)
        reason = ag_arena_printf(&checker->arena,
                                 "the tree written at %s may include the protected path %s, "
                                 "because a file system that ignores case reads the tree as "
                                 "%s. No allow rule unlocks a write through that reading, so "
                                 "write to %s instead, which only an Edit allow rule that "
                                 "names it allows%s", quoted, name, folded, folded, note);
    else
        reason = ag_arena_printf(&checker->arena,
                                 "the tree written at %s may include the protected path %s, "
                                 "which only an Edit allow rule that names it allows%s",
                                 quoted, name, note);
    return reason != NULL ? reason : "the write touches a protected path (out of memory)";
}

/* Applies the mode and the protected paths to each effect; returns whether one changed. */
static bool adjust_effects(ag_checker *checker, const ag_path_context *where)
{
    ag_verdict *verdict = &checker->verdict;
    bool changed = false;
    for (size_t i = 0; i < verdict->effect_count; i++) {
        ag_effect *effect = &verdict->effects[i];
        /* A possible write (ag_effect) asks through the rules alone. */
        if (effect->kind != AG_EFFECT_WRITE || effect->possible)
            continue;

        /* With no rule, a write's only ask is the one for leaving the working directories. */
        if (checker->mode == AG_MODE_BYPASS_PERMISSIONS && effect->decision == AG_ASK
            && effect->rule == NULL) {
            effect->decision = AG_ALLOW;
            effect->reason = mode_reason(checker, "allows what no rule decides", effect->reason);
            changed = true;
        }
        if (checker->mode == AG_MODE_PLAN && effect->decision < AG_DENY) {
            effect->decision = AG_DENY;
            effect->rule = NULL;
            effect->reason = mode_reason(checker, "is read-only, so writing files is denied",
                                         effect->reason);
            changed = true;
        }

        /*
         * A link on disk is protected when it or the file it leads to is. A
         * deny rule that only could match asks too, but a known protected
         * target is the surer cause, unless an allow rule unlocks it. An
         * unknown target counts as protected, so it keeps the deny rule.
         */
        const char *reason = NULL;
        if (effect->decision < AG_ASK)
            reason = protect_effect(checker, effect, effect->rule, false, where);
        else if (effect->decision == AG_ASK && effect->rule != NULL
                 && effect->rule->decision == AG_DENY
                 && strchr(effect->target, AG_DYNAMIC_MARK) == NULL)
            reason = protect(checker, effect->target, NULL, true, where);
        if (reason != NULL) {
            effect->decision = AG_ASK;
            effect->rule = NULL;
            effect->reason = reason;
            effect->protected_write = true;
            changed = true;
        }
    }
    return changed;
}

/*
 * Sets the request's verdict again from its commands and effects, as
 * command.c does: the strictest command (the first on ties), then a stricter
 * effect, or an effect as strict that a rule or a protected path decided
 * when no rule decided the command, then at least ask for an incomplete
 * analysis.
 */
static ag_status recombine(ag_checker *checker, const ag_shell_analysis *analysis)
{
    ag_verdict *verdict = &checker->verdict;
    if (verdict->command_count > 0) {
        const ag_command_verdict *deciding = &verdict->commands[0];
        for (size_t i = 1; i < verdict->command_count; i++) {
            if (verdict->commands[i].decision > deciding->decision)
                deciding = &verdict->commands[i];
        }
        verdict->decision = deciding->decision;
        verdict->rule = deciding->rule;
        verdict->reason = deciding->reason;
        verdict->has_span = true;
        verdict->span_start = deciding->command->start;
        verdict->span_end = deciding->command->end;
    }

    const ag_effect *strictest = NULL;
    for (size_t i = 0; i < verdict->effect_count; i++) {
        const ag_effect *effect = &verdict->effects[i];
        bool explains_tie = effect->decision == verdict->decision && verdict->rule == NULL
                            && (effect->rule != NULL || effect->protected_write)
                            && strictest == NULL;
        if ((effect->decision > verdict->decision || explains_tie)
            && (strictest == NULL || effect->decision > strictest->decision))
            strictest = effect;
    }
    if (strictest != NULL) {
        verdict->decision = strictest->decision;
        verdict->rule = strictest->rule;
        verdict->reason = strictest->reason;
        verdict->has_span = true;
        verdict->span_start = strictest->start;
        verdict->span_end = strictest->end;
    }

    if (analysis->incomplete != 0 && verdict->decision == AG_ALLOW) {
        verdict->decision = AG_ASK;
        verdict->rule = NULL;
        verdict->has_span = true;
        verdict->span_start = analysis->problem_start;
        verdict->span_end = analysis->problem_end;
        verdict->reason = ag_arena_printf(
            &checker->arena, "the command cannot be fully analysed, so it is not allowed: %s",
            analysis->problem != NULL ? analysis->problem : "unknown problem");
    }
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

/* Returns whether the verdict has a write that is more than possible: adjust_effects() protects those. */
static bool has_definite_write(const ag_verdict *verdict)
{
    for (size_t i = 0; i < verdict->effect_count; i++) {
        const ag_effect *effect = &verdict->effects[i];
        if (effect->kind == AG_EFFECT_WRITE && !effect->possible)
            return true;
    }
    return false;
}

/* Returns whether an effect of the verdict writes a whole tree (rm -r, tar x). */
static bool has_tree_write(const ag_verdict *verdict)
{
    for (size_t i = 0; i < verdict->effect_count; i++) {
        const ag_effect *effect = &verdict->effects[i];
        if (effect->kind == AG_EFFECT_WRITE && effect->tree)
            return true;
    }
    return false;
}

/* dontAsk: turns every ask of the request, its commands and its effects into deny. */
static void deny_asks(ag_checker *checker)
{
    ag_verdict *verdict = &checker->verdict;
    for (size_t i = 0; i < verdict->command_count; i++) {
        if (verdict->commands[i].decision == AG_ASK) {
            verdict->commands[i].decision = AG_DENY;
            verdict->commands[i].reason = mode_reason(checker, "denies what would ask",
                                                      verdict->commands[i].reason);
        }
    }
    for (size_t i = 0; i < verdict->effect_count; i++) {
        if (verdict->effects[i].decision == AG_ASK) {
            verdict->effects[i].decision = AG_DENY;
            verdict->effects[i].reason = mode_reason(checker, "denies what would ask",
                                                     verdict->effects[i].reason);
        }
    }
    if (verdict->decision == AG_ASK) {
        verdict->decision = AG_DENY;
        verdict->reason = mode_reason(checker, "denies what would ask", verdict->reason);
    }
}

ag_status ag_mode_apply_command(ag_checker *checker, const ag_shell_analysis *analysis,
                                const char *cwd)
{
    ag_verdict *verdict = &checker->verdict;
    ag_arena *arena = &checker->arena;
    ag_path_context none = {NULL, NULL, NULL, NULL};
    ag_path_context context = {NULL, NULL, NULL, NULL};
    /* Only acceptEdits compares paths with the working directories. */
    bool needs_context = checker->mode == AG_MODE_ACCEPT_EDITS;
    if (needs_context && cwd != NULL && cwd[0] == '/'
        && (context.cwd = ag_path_normalize(arena, &none, cwd, strlen(cwd))) == NULL)
        return AG_ERR_NOMEM;
    if (needs_context && checker->home != NULL
        && (context.home = ag_path_normalize(arena, &none, checker->home,
                                             strlen(checker->home))) == NULL)
        return AG_ERR_NOMEM;

    /*
     * Tree writes compare their targets with the working directory and where
     * it leads (protected_name_below()), and writes to protected paths match
     * allow rules with it and the home (some_rule_exempts()). The checker
     * caches the normalized cwd and home. Only such writes read them, so a
     * request without one, most of them, skips the cache lookups.
     */
    ag_path_context where = {NULL, NULL, NULL, NULL};
    if (has_definite_write(verdict)) {
        if (cwd != NULL && cwd[0] == '/'
            && (where.cwd = ag_checker_normalize(checker, &checker->cwd_cache, cwd)) == NULL)
            return AG_ERR_NOMEM;
        if (checker->home != NULL
            && (where.home = ag_checker_normalize(checker, &checker->home_cache,
                                                  checker->home)) == NULL)
            return AG_ERR_NOMEM;
        if (where.cwd != NULL && has_tree_write(verdict)
            && ag_checker_real_cwd(checker, cwd, &where.real_cwd) != AG_OK)
            return AG_ERR_NOMEM;
    }

    bool changed = adjust_commands(checker, &context);
    changed = adjust_effects(checker, &where) || changed;
    if (changed) {
        ag_status status = recombine(checker, analysis);
        if (status != AG_OK)
            return status;
    }

    /* A request that runs nothing got the policy default. */
    if (checker->mode == AG_MODE_BYPASS_PERMISSIONS && verdict->command_count == 0
        && verdict->bypassable && verdict->decision > AG_ALLOW && analysis->incomplete == 0
        && verdict->effect_count == 0) {
        verdict->decision = AG_ALLOW;
        verdict->reason = mode_reason(checker, "allows what no rule decides", verdict->reason);
    }

    if (checker->mode == AG_MODE_DONT_ASK)
        deny_asks(checker);
    return reasons_complete(verdict) ? AG_OK : AG_ERR_NOMEM;
}

/* -------------------------------------------------------------- tool calls */

/* Tools that plan mode lets the rules allow: they read, search, fetch or plan. */
static bool is_read_only_tool(const char *tool_name)
{
    static const char *const tools[] = {"Read", "NotebookRead", "Grep", "Glob", "LS",
                                        "WebFetch", "WebSearch", "Agent", "Task",
                                        "TodoWrite", "TodoRead", "ExitPlanMode", NULL};
    return in_list(tools, tool_name);
}

ag_status ag_mode_apply_tool(ag_checker *checker, const char *tool_name,
                             const ag_path_context *context)
{
    ag_verdict *verdict = &checker->verdict;
    bool open = verdict->decision > AG_ALLOW && verdict->bypassable && verdict->error == AG_OK;

    if (checker->mode == AG_MODE_BYPASS_PERMISSIONS && open) {
        verdict->decision = AG_ALLOW;
        verdict->reason = mode_reason(checker, "allows what no rule decides", verdict->reason);
    } else if (checker->mode == AG_MODE_ACCEPT_EDITS && open && verdict->file_write
               && !verdict->file_outside) {
        verdict->decision = AG_ALLOW;
        verdict->reason = mode_reason(checker, "allows edits inside the working directories",
                                      verdict->reason);
    } else if (checker->mode == AG_MODE_PLAN && verdict->file_write
               && verdict->decision < AG_DENY) {
        verdict->decision = AG_DENY;
        verdict->rule = NULL;
        verdict->reason = mode_reason(checker, "is read-only, so file edits are denied",
                                      verdict->reason);
    } else if (checker->mode == AG_MODE_PLAN && verdict->decision == AG_ALLOW
               && !is_read_only_tool(tool_name)) {
        verdict->decision = AG_ASK;
        verdict->rule = NULL;
        verdict->reason = mode_reason(checker, "is read-only, so a tool that may change "
                                      "something asks", verdict->reason);
    }

    if (verdict->file_write && verdict->decision < AG_ASK) {
        const char *reason = protect(checker, verdict->file_path, verdict->rule, false, context);
        if (reason == NULL && verdict->file_target != NULL)
            reason = protect(checker, verdict->file_target, verdict->rule, false, context);
        if (reason == NULL)
            reason = protect_folded(checker, verdict->file_path, verdict->file_folded_path,
                                    verdict->rule, false, context);
        if (reason == NULL)
            reason = protect_folded(checker, verdict->file_target, verdict->file_folded_target,
                                    verdict->rule, false, context);
        if (reason != NULL) {
            verdict->decision = AG_ASK;
            verdict->rule = NULL;
            verdict->reason = reason;
        }
    }

    if (checker->mode == AG_MODE_DONT_ASK && verdict->decision == AG_ASK) {
        verdict->decision = AG_DENY;
        verdict->reason = mode_reason(checker, "denies what would ask", verdict->reason);
    }
    return verdict->reason != NULL ? AG_OK : AG_ERR_NOMEM;
}

bool ag_verdict_layer(const ag_verdict *verdict, ag_layer *layer)
{
    if (verdict == NULL || verdict->rule == NULL)
        return false;
    if (layer != NULL)
        *layer = verdict->rule->layer;
    return true;
}
