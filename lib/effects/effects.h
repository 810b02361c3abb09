/*
 * Effects of shell commands: the files a command reads or writes, the
 * directories it changes into and the hosts it contacts. They are found from
 * a data table (effects.yaml, embedded at build time), from redirections and
 * from `cd`, and are checked against Read(...), Edit(...) and WebFetch rules,
 * so a shell command cannot reach what a file or web rule protects.
 */
#ifndef AG_EFFECTS_EFFECTS_H
#define AG_EFFECTS_EFFECTS_H

#include "rules/paths.h"
#include "shell/shell.h"

/* What an argument (operand or option value) of a command is. */
typedef enum ag_effect_role {
    AG_ROLE_NONE,      /* no file and no host */
    AG_ROLE_VALUE,     /* an option value that is no file */
    AG_ROLE_READ,
    AG_ROLE_WRITE,
    AG_ROLE_CHDIR,
    AG_ROLE_URL,       /* a URL; without a scheme its first component is the host */
    AG_ROLE_HOST,      /* [user@]host[:port] */
    AG_ROLE_REMOTE,    /* URL or [user@]host:path contacted, a path with "/" read, else a name */
    AG_ROLE_PACKAGE,   /* a URL contacted, anything else nothing */
    AG_ROLE_SCRIPT,    /* program text, skipped when a script option is given */
    AG_ROLE_RUN,       /* a file whose code the command runs (python SCRIPT): read, and a
                          write of it by another command of the request asks */
    AG_ROLE_REQUIRE,   /* a module that node loads first (node -r NAME): a file as for
                          AG_ROLE_RUN, and for a bare NAME also the package below each
                          node_modules from the working directory up */
    AG_ROLE_MODULE,    /* a Python module name (unittest NAME, flask --app NAME): the files
                          that `python -m NAME` imports first are run files; a path or a
                          name ending in .py is a file as for AG_ROLE_RUN */
    AG_ROLE_PYTHON_SCRIPT, /* a Python script (python DIR/x.py): a file as for AG_ROLE_RUN,
                          and the *.py files directly in DIR, which Python imports from
                          first (sys.path[0]), are run files too */
    AG_ROLE_RUN_TREE,  /* a directory whose whole tree the command may run (conda run -p
                          PREFIX): read, and a write at or below it by another command of
                          the request asks */
    AG_ROLE_ENV_NAME,  /* the name of an environment in a directory the checker does not
                          know (conda run -n NAME): every write by another command of the
                          request may be code that the command runs */
    AG_ROLE_ENVIRONMENT, /* an environment name or prefix (conda activate ENV): a word with
                          '/' or '\\' as for AG_ROLE_RUN_TREE, any other as for
                          AG_ROLE_ENV_NAME */
    AG_ROLE_ACTIVATE_ENV, /* the operand after the file that source runs: as for
                          AG_ROLE_ENVIRONMENT when that file is conda's activate script
                          (source activate ENV), else no effect */
    AG_ROLE_LINK_SOURCE, /* a file that ln gives a new hard link: read and written, because
                          the new name shows and changes the same file; nothing with -s */
    AG_ROLE_READ_WRITE, /* a file read and changed in place (sqlite3 DATABASE, rename FILE) */
    AG_ROLE_DATA,      /* data as for AG_OPTION_DATA: @FILE, NAME=@FILE, NAME@FILE read FILE */
    AG_ROLE_CONNECT_TO, /* curl --connect-to HOST1:PORT1:HOST2:PORT2: HOST2 is contacted */
    AG_ROLE_RESOLVE,   /* curl --resolve HOST:PORT:ADDR[,ADDR...]: each ADDR is contacted */
    AG_ROLE_SSH_OPTION, /* ssh -o KEY=VALUE: Hostname and ProxyJump name hosts */
    AG_ROLE_SSH_CONTROL_PATH, /* ssh -S PATH: ControlPath, a socket read and written */
    AG_ROLE_FORWARD,   /* ssh -R [BIND:]PORT:HOST:HOSTPORT: HOST is contacted */
    AG_ROLE_LOCAL_FORWARD, /* ssh -L and -D: as AG_ROLE_FORWARD, and a first field that is a
                              path is a Unix socket that ssh creates, so it is written */
    AG_ROLE_URL_FILE,  /* a file of URLs (wget -i): read, and unknown hosts contacted */
    AG_ROLE_GIT_CONFIG, /* git -c KEY=VALUE: a proxy or URL rewrite names a host */
    AG_ROLE_SOCAT,     /* a socat address TYPE:HOST:PORT[,OPTIONS] */
    AG_ROLE_VOLUME,    /* docker -v HOST:GUEST[:OPTIONS], proot -b HOST[:GUEST]: HOST is bound */
    AG_ROLE_MOUNT,     /* docker --mount type=bind,source=HOST,...: HOST is bound */
    AG_ROLE_VOLUME_LIST, /* singularity -B SPEC[,SPEC...]: each SPEC is a volume */
    AG_ROLE_PACKAGE_FILE, /* apt install ./x.deb: a package file read, its files written anywhere */
    AG_ROLE_NAMED_READ, /* docker build --build-context NAME=PATH: PATH is read */
    AG_ROLE_BUILD_OUTPUT, /* docker build -o type=local,dest=PATH or -o PATH: PATH is written */
    AG_ROLE_UNPACK,    /* a directory written with names from the input (unzip -d DIR) */
    AG_ROLE_HOST_NAMESPACE, /* docker run --pid=host: the value "host" reaches every host file */
    AG_ROLE_NAMES_FILE, /* git --pathspec-from-file=FILE: FILE is read, and the unknown
                          files it names */
    AG_ROLE_REV_PATH   /* git show REV:PATH and :PATH: PATH is read from history or the
                          index; a revision without ':' reads nothing */
} ag_effect_role;

/* What an option listed in the table does. */
typedef enum ag_option_kind {
    AG_OPTION_VALUE,            /* takes a value whose role is `role` */
    AG_OPTION_SCRIPT,           /* takes the program text (role VALUE) or its file (role READ) */
    AG_OPTION_DATA,             /* takes data; @FILE and <FILE forms read FILE */
    AG_OPTION_END,              /* takes a value and ends the command's own arguments */
    AG_OPTION_WRITES_OPERANDS,  /* flag: read operands become writes */
    AG_OPTION_READS_OPERANDS,   /* flag: written operands become reads */
    AG_OPTION_INDEX_ONLY,       /* flag: operands name index entries, not files (git rm --cached) */
    AG_OPTION_WRITES_CWD,       /* flag: writes into the working directory */
    AG_OPTION_READS_STDIN_NAMES, /* flag: reads the files named on stdin (cpio -o, zip -@) */
    AG_OPTION_RECURSE_NAMES,    /* flag: operands name files in any directory below theirs (7z -r) */
    AG_OPTION_HARD_LINKS,       /* flag: makes hard links to the operands it reads (cp -l),
                                   so each is also written */
    AG_OPTION_SYMBOLIC,         /* flag: makes symbolic links (ln -s), so link-source operands
                                   have no effect */
    AG_OPTION_COOKIE,           /* takes curl -b DATA: a value without '=' is a file read */
    AG_OPTION_HOST_ROOT,        /* flag: the command reaches every host file, as a read-write
                                   bind of "/" does (docker run --privileged) */
    AG_OPTION_FLAG,             /* flag listed only so that it abbreviates nothing (tar --list),
                                   or so that a strict_options entry knows it */
    AG_OPTION_ARCHIVE,          /* takes an archive read (role READ) or written (role WRITE),
                                   and the operands are only read (python -m zipfile -l, -c) */
    AG_OPTION_WRITE_OUT,        /* takes curl's --write-out format: %output{FILE} writes FILE,
                                   and @FILE reads the format from FILE */
    AG_OPTION_TARGET_DIRECTORY, /* takes the directory that every operand is copied, moved or
                                   linked into (cp -t DIR), written (role WRITE) */
    AG_OPTION_NO_TARGET_DIRECTORY, /* flag: the destination is never a directory to copy
                                   into (cp -T) */
    AG_OPTION_PARENTS,          /* flag: each operand lands at its whole path below the
                                   destination directory (cp --parents) */
    AG_OPTION_RELATIVE,         /* flag: each operand lands at its path from after its first
                                   "/./" below the destination directory (rsync -R) */
    AG_OPTION_NO_RELATIVE,      /* flag: undoes a relative flag before it (rsync --no-R) */
    AG_OPTION_OPTIONAL_VALUE,   /* takes a value only when attached (--backup=numbered, -Oline),
                                   never the next word, as getopt_long()'s optional_argument */
    AG_OPTION_FORM,             /* takes curl -F NAME=CONTENT: the files of @FILE,FILE, <FILE
                                   and ;headers=@FILE are read */
    AG_OPTION_FORWARDS_AGENT,   /* flag: the remote host may use the agent socket that
                                   SSH_AUTH_SOCK names, an unknown file read (ssh -A) */
    AG_OPTION_NO_SCRIPT         /* flag: no operand is the program text (rg --files) */
} ag_option_kind;

typedef struct ag_effect_option {
    char *name;                 /* as typed: "-o", "--output", "-name" */
    ag_option_kind kind;
    ag_effect_role role;
} ag_effect_option;

typedef struct ag_effect_assignment {
    char *key;                  /* "if" for dd's if=FILE */
    ag_effect_role role;
} ag_effect_assignment;

/* Extraction written in C for a command that the table's keys cannot describe. */
typedef enum ag_effect_handler {
    AG_HANDLER_NONE,
    AG_HANDLER_TAR,         /* tar: the mode letters decide what the archive and operands are */
    AG_HANDLER_GIT_CONFIG,  /* git config: the action decides read or write, the scope the file */
    AG_HANDLER_GIT_INIT,    /* git init: also writes DIR/.git, which the table cannot name */
    AG_HANDLER_CURL,        /* curl: URLs are globs ({a,b}, [a-z]) unless -g or --globoff,
                               and -O names files after them */
    AG_HANDLER_PARALLEL,    /* GNU parallel: the operands after `::::` are files read */
    AG_HANDLER_GIT_CHECKOUT, /* git checkout: one operand without `--` may be a branch */
    AG_HANDLER_GIT_SWITCH,  /* git switch: rewrites the work tree unless it only creates a branch */
    AG_HANDLER_WGET,        /* wget: saves each URL under its file name */
    AG_HANDLER_GIT_LFS_INSTALL, /* git lfs install: the scope option decides which config */
    AG_HANDLER_PYDOC        /* pydoc -w NAME: writes a page NAME.html into the working directory */
} ag_effect_handler;

/*
 * Which paths may be or hold a symbolic link once a command has run, so that
 * later commands of the same request cannot read through it unseen.
 */
typedef enum ag_link_mode {
    AG_LINKS_NONE,
    AG_LINKS_WRITES,        /* every path it writes (tar, rsync, cp, mv) */
    AG_LINKS_WORK_TREE,     /* those, and its working directory when it writes at all (git) */
    AG_LINKS_CWD            /* those, and its working directory always (ln -s DIR names no link) */
} ag_link_mode;

/*
 * Where a command that copies, moves or links its operands into a directory
 * puts each one (copies.c): `cp x/.mcp.json .` writes ./.mcp.json.
 */
typedef enum ag_copy_mode {
    AG_COPIES_NONE,
    AG_COPIES_NAMES,        /* each source lands at DIR/NAME, NAME its last component (cp, mv) */
    AG_COPIES_NAMES_OR_CWD, /* those, and a lone operand in the working directory (ln TARGET) */
    AG_COPIES_SLASH_CONTENTS /* as NAMES, but a source that ends in "/" puts what it holds
                               into DIR, under no name of its own (rsync) */
} ag_copy_mode;

/* Which of a command's paths are whole trees that it walks. */
typedef enum ag_tree_mode {
    AG_TREE_NONE,
    AG_TREE_READ,           /* the paths it reads: grep -r, rg, tar c, zip -r, cp -r sources */
    AG_TREE_WRITE,          /* the paths it writes: chmod -R, chown -R */
    AG_TREE_READ_WRITE      /* both: cp -r, rsync */
} ag_tree_mode;

/* A list of words from the table: options, or file name globs for runs_files. */
typedef struct ag_word_list {
    char **items;
    size_t count;
} ag_word_list;

/* The entry of one command (or subcommand) in the table. */
typedef struct ag_effect_spec {
    char *name;
    ag_effect_option *options;
    size_t option_count;
    ag_effect_role *operands;
    size_t operand_count;
    bool repeat_last;           /* the last operand role repeats ("read...") */
    bool has_last;
    ag_effect_role last;        /* the role of the last of two or more operands */
    ag_effect_assignment *assignments;
    size_t assignment_count;
    bool remote_operands;
    bool pathspecs;             /* operands are git pathspecs: magic prefixes and globs */
    bool revisions_before_dash_dash;  /* with "--", the operands before it are commits */
    bool options_first;
    bool single_dash_long;
    bool exact_long_options;    /* long_prefixes: false, so --out never stands for --output */
    bool stop_at_option;
    bool dashless_first;        /* the first of two or more words is an option cluster without '-' */
    bool short_equals;          /* a value attached to a short option drops a leading '=' */
    bool minus_negates;         /* a '-' inside an option word turns options off (unzip --l) */
    /* An option it does not list may write a file, so such an option writes an unknown path. */
    bool strict_options;
    char *default_write;
    char *default_unpack;       /* unpacked into (AG_ROLE_UNPACK) when nothing names a write */
    char *default_network;
    ag_effect_handler handler;  /* handler: tar, git-config, git-init */
    struct ag_effect_spec *subcommands;
    size_t subcommand_count;
    /*
     * A word that names a subcommand is read as one after any operands, and
     * they still count for this entry (claude PROMPT config set).
     */
    bool subcommands_anywhere;
    ag_link_mode makes_links;
    char **link_options;        /* makes_links applies only when one of these is given */
    size_t link_option_count;
    struct ag_effect_spec *modules;  /* python -m NAME: the entry that reads the words after NAME */
    size_t module_count;
    ag_tree_mode tree;
    ag_word_list tree_options;  /* `tree` applies only when one of these is given */
    bool follows_links;         /* walking a tree, it follows the symbolic links in it */
    ag_word_list follow_options;    /* follows_links applies only with one of these */
    ag_word_list no_follow_options; /* and never with one of these (zip -y) */
    ag_word_list runs_files;    /* globs of files in its working directory whose code it runs */
    /* It may write any path (absolute member names, a package's files): an unknown write. */
    bool writes_anywhere;
    ag_word_list anywhere_options;  /* writes_anywhere applies only with one of these */
    ag_word_list no_anywhere_options;   /* and never with one of these (cpio --no-absolute-filenames) */
    /* Its writes hold no code from the request: directories (mkdir), the installed Python (venv). */
    bool writes_no_code;
    /* It loads packages from node_modules in its directory and each one above (npm test, node). */
    bool loads_node_modules;
    /* It runs Python, which imports packages from a venv in its directory (.venv/lib/X/site-packages). */
    bool loads_site_packages;
    ag_copy_mode copies_into;   /* the names its operands get in a destination directory */
    char *default_read;         /* read when no operand is read (7z a: ".") */
    ag_word_list writes;        /* written whatever the arguments (pre-commit install: .git/hooks) */
    ag_word_list default_read_options;  /* default_read applies only with one of these (pax -w) */
} ag_effect_spec;

/* Slots of the name hash table: a power of two, at least twice the number of specs. */
enum { AG_EFFECTS_NAME_SLOTS = 2048 };

/* The parsed table: one spec per command name (aliases share a copy). */
typedef struct ag_effects_table {
    ag_effect_spec *specs;      /* sorted by name in strcmp() order, no name twice */
    size_t spec_count;
    /* A hash table of the names (FNV-1a, linear probing) for
       ag_effects_table_find(): each slot contains the index of a spec plus one,
       or 0 when empty. */
    uint16_t name_slots[AG_EFFECTS_NAME_SLOTS];
} ag_effects_table;

/* The text of effects.yaml, embedded at build time. */
extern const char ag_effects_yaml[];
extern const size_t ag_effects_yaml_length;

/*
 * Parses a table in the format of effects.yaml. Returns a table to free with
 * ag_effects_table_free(), or NULL with *error set to AG_ERR_YAML or
 * AG_ERR_POLICY_VALUE naming the line that is wrong.
 */
ag_effects_table *ag_effects_table_parse(const char *name, const char *text, size_t length,
                                         ag_error **error);

/* Parses the embedded effects.yaml. */
ag_effects_table *ag_effects_table_load(ag_error **error);

/*
 * Returns effects.yaml as parsed at build time (effects_table.c, written by
 * compile.c): immutable, shared by every policy and thread, never freed.
 */
const ag_effects_table *ag_effects_table_builtin(void);

void ag_effects_table_free(ag_effects_table *table);

/*
 * Fills table->name_slots from the specs. Returns false when the table has
 * more than AG_EFFECTS_NAME_SLOTS / 2 specs.
 */
bool ag_effects_table_index_names(ag_effects_table *table);

/* Returns the entry for a command name (without directory, case-sensitive), or NULL. */
const ag_effect_spec *ag_effects_table_find(const ag_effects_table *table, const char *name);

/*
 * Returns the subcommand entry of `spec` that `words` (the words after the
 * command or subcommand name) give, as effect extraction reads them, and
 * stores in *index the word that names it. Without one, returns NULL and
 * stores the first operand, when the search for a subcommand ends there,
 * or else `count`.
 */
const ag_effect_spec *ag_effect_find_subcommand(const ag_effect_spec *spec,
                                                const ag_shell_word *words, size_t count,
                                                size_t *index);

/* One effect of one command. */
typedef struct ag_effect {
    ag_effect_kind kind;
    const char *target;         /* normalized absolute path, or host; arena text */
    const char *link_target;    /* set by ag_effects_decide(): where `target` leads
                                   through symbolic links on disk, or NULL */
    size_t command;             /* index into the list of commands passed to extraction */
    uint32_t start, end;        /* byte span of the word it came from */
    ag_decision decision;       /* set by ag_effects_decide() */
    const ag_rule *rule;        /* the deciding rule, or NULL */
    const char *reason;
    /*
     * The command may have this effect, not must: deny rules that match it
     * give ask, and a write outside the working directories is not asked for
     * on its own. Set for the unknown effects of a program known only when it
     * runs.
     */
    bool possible;
    /*
     * The effect is possible because the table does not list the program
     * and one of its arguments looks like a path (unlisted.c), not because
     * the program is known only when it runs. Reasons name that cause.
     */
    bool unlisted;
    /*
     * The path is relative, and the request gives no working directory, so
     * the target is unknown up to the path. Reasons say so, because the
     * unknown part comes from the request and not from the command.
     */
    bool unknown_cwd;
    /* A read or write of a whole tree (`grep -r x DIR`): deny and ask rules also match below the target. */
    bool tree;
    /*
     * The path names just one file, so the entry's tree key does not make
     * it a tree: a git path operand that lstat() found to be a regular file,
     * restored from the index, or the archive that `tar t` lists.
     */
    bool single_file;
    /* A tree read of an archive whose tree is its members (tar x), so reasons name the archive. */
    bool archive;
    /*
     * A tree walked through the symbolic links in it (`grep -R x DIR`): a link
     * below the target may lead anywhere, so every deny and ask rule of the
     * effect's kind could match.
     */
    bool follows_links;
    /*
     * The command runs this file's code (make and a Makefile), and another
     * command of the same request writes it, so what runs is not what is on
     * disk now. The effect gives ask unless a deny rule matches.
     */
    bool runs_written;
    /*
     * The command's entry has writes_no_code and this is one of its
     * arguments, so the write puts no code from the request into a file
     * that a later command runs or finds in PATH.
     */
    bool no_code;
    /* Set by the modes (mode.c): the write asks because it touches a protected path. */
    bool protected_write;
    /*
     * Where the target leads when it lies below a link an earlier command of
     * the request made: unknown up to the link, or NULL. It replaces the
     * target's resolution on disk, because that link does not exist yet.
     */
    const char *new_link_target;
    /*
     * The target with the variable that starts its word ($HOME, $PWD) read
     * as the value the checker has (the home, the tracked directory), or
     * a relative target in an unknown request cwd read below AG_UNKNOWN_CWD,
     * or NULL. The shell may hold another value, so only deny and ask rules
     * use it, as they use a link target.
     */
    const char *variable_target;
    /* The cwd that rules are anchored at for variable_target, or NULL for the effect's own. */
    const char *variable_cwd;
    /*
     * The target, variable_target and link_target as a case-insensitive
     * file system may read them (ag_path_fold_ascii(): there `.ssh` with
     * U+017F in place of its s is `.ssh`), or NULL where a form has no such
     * character. Set by ag_effects_decide(). Only deny and ask rules and the
     * protected paths read them, because on a file system that keeps case
     * they name other files.
     */
    const char *folded_target;
    const char *folded_variable_target;
    const char *folded_link_target;
} ag_effect;

typedef struct ag_effect_list {
    ag_effect *items;
    size_t count;
    size_t capacity;
} ag_effect_list;

/*
 * Lists the effects of `commands` (in the order the evaluator lists them:
 * the analysed commands in text order, then the commands found behind
 * wrappers) into `out`, resolving paths against `context` and following `cd`.
 * `input_length` bounds word spans: a word whose span lies outside the input
 * gets its command's span. Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_effects_extract(ag_arena *arena, const ag_effects_table *table,
                             const ag_shell_command *commands, size_t count,
                             const ag_path_context *context, size_t input_length,
                             ag_effect_list *out);

#endif
