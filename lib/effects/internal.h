/* Shared between the parts of effect extraction; not used outside lib/effects/. */
#ifndef AG_EFFECTS_INTERNAL_H
#define AG_EFFECTS_INTERNAL_H

#include "effects/effects.h"

/*
 * A command that runs code from files: those in its directory that runs_files
 * in the table names, or one program file (python SCRIPT, ./run).
 */
typedef struct ag_runner {
    const ag_shell_command *command;
    size_t index;               /* the command's index, as ag_effect.command */
    const char *cwd;            /* where it runs, or NULL when unknown */
    const ag_word_list *files;  /* the globs of the files it runs, relative to cwd; NULL with
                                   `program` */
    const char *program;        /* the normalized path of the one file it runs, or NULL */
    bool program_tree;          /* `program` is a directory, and it may run any file below it
                                   (a package under node_modules); a component "*" of it
                                   matches any one component, such as the pythonX.Y of
                                   .venv/lib/pythonX.Y/site-packages/NAME */
    const char *path_name;      /* a command name without '/' that the shell looks up in PATH,
                                   or NULL */
} ag_runner;

/* A path at or under which a command of the request may make (or move) a link. */
typedef struct ag_link_name {
    const char *path;
    size_t maker;               /* the command that may make it, as ag_effect.command */
    bool repeats_through;       /* the maker may run again and write through it (ln in a loop) */
} ag_link_name;

/* State of extraction for the command being looked at. */
typedef struct ag_extractor {
    ag_arena *arena;
    const ag_effects_table *table;
    ag_effect_list *out;
    size_t input_length;
    const ag_shell_command *commands;  /* every command of the request, indexed as ag_effect.command */
    size_t command_count;
    const ag_shell_command *command;
    size_t index;
    ag_path_context context;   /* the command's working directory and home */
    ag_link_name *links;       /* where the commands looked at so far may make links */
    size_t link_count;
    size_t link_capacity;
    ag_runner *runners;        /* commands that run files, checked once all effects are in */
    size_t runner_count;
    size_t runner_capacity;
    const char *request_cwd;   /* the working directory the request starts in, or NULL */
    const char **path_directories;  /* the directories the request puts on PATH, normalized,
                                       or unknown (AG_DYNAMIC_MARK) */
    size_t path_directory_count;
    size_t path_directory_capacity;
    /* For each effect, how it may put a program on PATH for a command run in path_write_cwd
       (lookup.c), or 0 when not yet found. */
    unsigned char *path_write_classes;
    size_t path_write_class_count;
    const char *path_write_cwd;
    bool url_globbing;         /* URLs are curl globs: {a,b} and [a-z] expand (no -g) */
    bool restores_from_index;  /* the git pathspecs being read restore files from the index
                                  (git checkout -- FILE), as restores_from_index() decides */
    const char *plain_cwd;     /* a cwd found to be in normal form, so copied as it is */
    bool unknown_request_cwd;  /* the request's cwd is unknown and no command of it may
                                  change directory */
    bool redirects_apart;      /* the command's redirections are added in the shell's
                                  directories, not with its other effects */
} ag_extractor;

ag_status ag_extractor_add(ag_extractor *ex, ag_effect_kind kind, const char *target,
                           const ag_shell_word *word);
const char *ag_extractor_mark_globs(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                    size_t length);
/*
 * Normalizes a path as ag_extractor_normalize() does, but keeps a path below
 * a link noted so far as written: the paths below it are found below that
 * link again when ag_effects_extract() marks them.
 */
const char *ag_extractor_normalize_written(ag_extractor *ex, const ag_shell_word *word,
                                           const char *text, size_t length);
const char *ag_extractor_normalize(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                   size_t length);
ag_status ag_extractor_add_path(ag_extractor *ex, ag_effect_kind kind, const ag_shell_word *word,
                                const char *text, size_t length);
/*
 * Adds a write of the tree below a directory that the command fills with
 * names from its input (an archive, a patch, a build's exported files),
 * which are unknown here.
 */
ag_status ag_extractor_add_unpack(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                  size_t length);
ag_status ag_extractor_add_host(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                size_t length);
ag_status ag_extractor_add_unknown_host(ag_extractor *ex, const ag_shell_word *word);
ag_status ag_extractor_add_authority(ag_extractor *ex, const ag_shell_word *word,
                                     const char *text, size_t length);
ag_status ag_extractor_add_url(ag_extractor *ex, const ag_shell_word *word, bool bare_host);
bool ag_word_is_remote_path(const ag_shell_word *word);
ag_status ag_extractor_add_remote_path(ag_extractor *ex, const ag_shell_word *word);

/*
 * Notes that the command being looked at runs the files that `spec`'s
 * runs_files names, in its working directory. Returns false when out of memory.
 */
bool ag_extractor_note_runner(ag_extractor *ex, const ag_effect_spec *spec);

/* Returns the option of `spec` that the `length` bytes at `name` spell ("-o"), or NULL. */
const ag_effect_option *ag_effect_option_find(const ag_effect_spec *spec, const char *name,
                                              size_t length);

/* Returns whether `option` takes a value: the next word, or the rest of its own word. */
bool ag_effect_option_takes_value(const ag_effect_option *option);

/*
 * Returns the subcommand entry that `word` names, or NULL. A word that names
 * none stays an operand of the command's own entry, whose options and
 * operands still count (7z X, which 7-Zip reads as x).
 */
const ag_effect_spec *ag_effect_subcommand_find(const ag_effect_spec *spec,
                                                const ag_shell_word *word);

/*
 * Returns whether the next word may be the value of the last option that
 * the option word `word` gives, though `spec` does not say that it takes
 * one. That option is one `spec` does not list (claude --output-format
 * json config set), or one with an optional value, which parsers such as
 * Commander.js take from the next word too (claude --debug [filter]). A
 * value in `word` itself rules that out.
 */
bool ag_effect_option_may_take_next(const ag_effect_spec *spec, const ag_shell_word *word);

/*
 * Returns whether the search for a subcommand of `spec` goes on past
 * `operands` operands, `possible_values` of which may be the value of the
 * option before them (ag_effect_option_may_take_next()). With subcommands_anywhere, it
 * goes on past any operand.
 */
bool ag_effect_subcommand_search_passes(const ag_effect_spec *spec, size_t operands,
                                        size_t possible_values);
/*
 * Notes that the command being looked at runs the code of the file at the
 * normalized `path`. Returns false when out of memory.
 */
bool ag_extractor_note_program(ag_extractor *ex, const char *path);

/*
 * Notes that the command being looked at runs any file below the directory
 * at the normalized `path`. Returns false when out of memory.
 */
bool ag_extractor_note_program_tree(ag_extractor *ex, const char *path);

/* Appends `runner` to the runners of the request. Returns false when out of memory. */
bool ag_extractor_add_runner(ag_extractor *ex, ag_runner runner);

/*
 * Notes that a command run from `program`, a normalized path in a
 * directory named bin (.venv/bin/pytest), may run the python of that
 * directory through its `#!` line (lookup.c). Returns false when out of
 * memory.
 */
bool ag_extractor_note_interpreters(ag_extractor *ex, const char *program);

/*
 * Notes the runner of a command named without '/' (lookup.c): a write
 * of that name into a directory that may be on PATH then gets ask. Returns
 * false when out of memory.
 */
bool ag_extractor_note_path_name(ag_extractor *ex, const ag_shell_word *name);

/*
 * Notes the directories that the command being looked at puts on PATH
 * (`PATH=DIR:$PATH`, `export PATH=...`). Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_extractor_note_path_assignments(ag_extractor *ex);

/*
 * Notes the package that `node -r NAME` loads when NAME, the `length`
 * bytes at `text` with no part known only at run time, is a bare specifier
 * (no path, no URL): its directory below each node_modules from the
 * working directory up. Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_extractor_note_node_package(ag_extractor *ex, const char *text, size_t length);

/*
 * Notes that a Python script at `script`, a normalized path, imports the
 * *.py files of its own directory before the standard library (lookup.c).
 * Returns false when out of memory.
 */
bool ag_extractor_note_script_directory(ag_extractor *ex, const char *script);

/*
 * Notes the site-packages trees of the virtual environments .venv and venv
 * below `directory` (DIR/.venv/lib/python3.12/site-packages), from which
 * Python imports its packages (lookup.c). A NULL or relative `directory`
 * notes nothing. Returns false when out of memory.
 */
bool ag_extractor_note_site_packages(ag_extractor *ex, const char *directory);

/*
 * Notes the trees DIR/node_modules, DIR being the working directory and each
 * directory above it, from which a node program loads its packages
 * (lookup.c): a write below one then gets ask. Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_extractor_note_node_modules(ag_extractor *ex);

/*
 * Notes the files that `python -m NAME` may run, NAME being the `length`
 * bytes at `text`, a part of `word` (extract.c). Returns AG_OK or
 * AG_ERR_NOMEM.
 */
ag_status ag_extractor_note_module_files(ag_extractor *ex, const ag_shell_word *word,
                                         const char *text, size_t length);

/*
 * Notes the package or module that `python -m NAME`, NAME being the
 * `length` bytes at `text`, may import from the site-packages directory of
 * a virtual environment in the working directory
 * (.venv/lib/pythonX.Y/site-packages, any X.Y).
 * Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_extractor_note_venv_module(ag_extractor *ex, const char *text, size_t length);

/*
 * Returns whether `effect`, a write, may put the program that `runner`
 * (one with a path_name) runs into a directory that may be on PATH.
 */
bool ag_runner_path_written(ag_extractor *ex, const ag_runner *runner, const ag_effect *effect);

/*
 * Returns whether no other command of the request may run before the
 * command being looked at, so that none can change what it finds on disk.
 * Each other command must start after it ends, run it (a wrapper, or the
 * command whose substitution it is), or be cd, pushd or popd.
 */
bool ag_extractor_runs_first(const ag_extractor *ex);

/*
 * Returns whether `git checkout NAME` (one operand, no "--"), run in the
 * absolute directory `cwd`, restores the file NAME (the `length` bytes at
 * `name`) and does not move to a commit, as git 2.39 decides it. NAME must
 * be a plain relative path (no glob, no pathspec magic, no revision syntax,
 * not 4 to 64 hex digits), an existing file that is no directory, and no ref
 * of the repository that contains `cwd` (repository.c). Returns false when
 * unsure: no plain .git directory, a failed lookup, a path that is too long.
 * A remote-tracking branch NAME does not count, because git 2.39 takes that
 * guess only when no file NAME exists, and dies when both do.
 * NOTE: a background job of an earlier request (`sleep 5; git branch
 * NAME X` run in the background) may create the ref between this lookup
 * and the run, and then git switches to it. The check cannot see such a job.
 */
bool ag_git_checkout_restores_file(const char *cwd, const char *name, size_t length);

/*
 * Returns whether the absolute directory `cwd` is the top of a git work
 * tree: it contains a .git directory or a .git file (a linked work tree, a
 * submodule). Returns false when unsure.
 */
bool ag_git_is_work_tree_top(const char *cwd);

/*
 * Returns whether NAME, a plain relative path (as for
 * ag_git_checkout_restores_file()) below the absolute directory `cwd`, is
 * a regular file on disk, not a directory, link or other file type.
 */
bool ag_git_path_is_regular_file(const char *cwd, const char *name, size_t length);

/* An operand of a copy: its word, and its text, which may be part of the word (-tDIR). */
typedef struct ag_copy_operand {
    const ag_shell_word *word;
    const char *text;           /* NULL for no operand */
    size_t length;
} ag_copy_operand;

/* What a command that copies, moves or links into a directory was given (cp SOURCE... DEST). */
typedef struct ag_copy {
    const ag_copy_operand *sources;
    size_t source_count;
    ag_copy_operand destination;  /* the last operand or -t DIR; no text when none is given */
    bool target_directory;      /* the destination came from -t DIR */
    bool no_target_directory;   /* -T: the destination is never a directory to copy into */
    bool parents;               /* cp --parents: each source lands at DEST/SOURCE */
    bool relative;              /* rsync -R: each source lands at DEST/PATH, PATH its part
                                   after its first "/./" */
    bool dynamic_option;        /* a word known only at run time may be an option, -t DIR too */
} ag_copy;

/*
 * Adds the writes of the names that the sources of `copy` get when its
 * destination may be a directory (copies.c), for an entry `spec` with
 * copies_into. Returns AG_OK or AG_ERR_NOMEM.
 */
ag_status ag_extractor_add_copy_names(ag_extractor *ex, const ag_effect_spec *spec,
                                      const ag_copy *copy);

/*
 * Adds the effects of a command whose program the table does not list: a
 * possible read and write of each argument that looks like a path (unlisted.c).
 */
ag_status ag_extractor_add_unlisted(ag_extractor *ex, const ag_shell_command *command);

/* Reads the arguments `words` of a command whose table entry is `spec` (arguments.c). */
ag_status ag_extract_arguments(ag_extractor *ex, const ag_effect_spec *spec,
                               const ag_shell_word *words, size_t count);

/*
 * A cd may fail and leave the shell where it was, so after `cd a; cat f` the
 * cat may read a/f or f. The tracker follows up to this many directories the
 * top-level shell may be in; more make its directory unknown.
 */
#define AG_DIRECTORY_CHOICES 4

/* The directories one command may run in (directory.c). */
typedef struct ag_directory_set {
    const char *cwd[AG_DIRECTORY_CHOICES];  /* an entry is NULL when unknown */
    size_t count;                           /* at least 1 */
} ag_directory_set;

/*
 * One directory the top-level shell may be in, with the cds that failed on
 * the way: a command that runs only if one of them succeeded (after `&&`)
 * does not run in it. The list keeps its first AG_DIRECTORY_FAILURES cds;
 * a dropped one only lets the directory count for more commands.
 */
#define AG_DIRECTORY_FAILURES 4
typedef struct ag_directory_world {
    const char *cwd;                        /* NULL when unknown */
    uint32_t failed[AG_DIRECTORY_FAILURES]; /* the failed cds' pipeline numbers */
    size_t failed_count;
} ag_directory_world;

/* The working directory of each command, following cd (directory.c). */
typedef struct ag_directory_tracker {
    ag_arena *arena;
    const ag_shell_command *commands;
    size_t count;
    ag_directory_set *set_at;   /* the directories each command ran in, once looked at;
                                   NULL when no command is wrapped */
    ag_directory_world worlds[AG_DIRECTORY_CHOICES]; /* where the top-level shell may be */
    size_t world_count;
    uint32_t *by_pipeline;      /* 1 + the index of each pipeline number's command, 0 for none;
                                   built when first needed */
    uint32_t pipeline_top;      /* the highest pipeline number in by_pipeline */
    bool loop_moves;            /* a loop's body or condition changes directory: every
                                   command of a loop runs in an unknown one */
    bool any_move;              /* some command may change directory: every command of a
                                   function body runs in an unknown one */
    bool nested_unknown;        /* a cd ran in a subshell or substitution not yet left */
    bool wrapped_unknown;       /* a cd ran behind a wrapper */
} ag_directory_tracker;

ag_status ag_directory_tracker_init(ag_directory_tracker *tracker, ag_arena *arena,
                                    const ag_shell_command *commands, size_t count,
                                    const ag_path_context *context);
/*
 * Sets `set` to the directories commands[index] may run in, and `shell_set`
 * to those of the shell that starts it, which opens its redirections. The
 * two differ only for a command with AG_COMMAND_UNKNOWN_DIRECTORY. Call once
 * per command, in order.
 */
void ag_directory_tracker_cwds(ag_directory_tracker *tracker, size_t index, ag_directory_set *set,
                               ag_directory_set *shell_set);
/* Follows a cd in commands[index], which runs in `set`; adds its chdir effects. */
ag_status ag_directory_tracker_follow(ag_directory_tracker *tracker, ag_extractor *ex,
                                      size_t index, const ag_directory_set *set);

#endif
