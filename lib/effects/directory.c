/*
 * Following the working directory through `cd`, `pushd` and `popd`.
 *
 * A cd in the top-level shell changes the directory of every later command.
 * A cd in a subshell, a substitution, a background job or one member of a
 * pipeline runs in a child shell, so it changes nothing after that child
 * ends. Child shells are not told apart here, so after a cd in a child, the
 * later commands of any child get an unknown directory until a top-level
 * command comes. A cd in a function body makes every later command's
 * directory unknown, because the function may be called. Commands found
 * behind a wrapper run in the directory of the command that wraps them.
 *
 * A cd that fails leaves the shell where it was, and the next command runs
 * all the same unless `&&` joins them. So after `cd d; cat f` or
 * `cd d || cat f` the cat may read ./f. The tracker therefore keeps both
 * directories (worlds), each with the cds that failed on the way to it. A
 * command that requires a cd (ag_shell_command.requires) skips the worlds
 * where that cd failed.
 *
 * With a CDPATH from the host (ag_checker_set_cdpath()), `cd NAME` may reach
 * NAME below any CDPATH entry as well as ./NAME, and each is a world too.
 *
 * A cd in a loop runs again on each pass, from where the last pass left the
 * shell (`for i in 1 2 3; do cd ..; done`), and moves the commands before it
 * in the loop too. So when a loop changes directory, every command of any
 * loop, and every command after that cd, runs in an unknown directory.
 * Likewise a function body runs wherever the function is called, so when
 * the request changes directory anywhere, its commands run in an unknown one.
 */
#include <limits.h>
#include <string.h>

#include "effects/internal.h"

/*
 * A background job is a child shell too: in `cd ~/.ssh && cat id_rsa &` both
 * commands run in it, so its cd must make the directory of the job's later
 * commands unknown rather than leave them in the old directory.
 */
enum {
    AG_CONTEXT_CHILD_SHELL = AG_CONTEXT_SUBSTITUTION | AG_CONTEXT_PROCESS_SUBSTITUTION
                             | AG_CONTEXT_SUBSHELL | AG_CONTEXT_BACKGROUND
};

static bool is_wrapped(const ag_shell_command *command)
{
    return (command->flags & AG_COMMAND_WRAPPED) != 0;
}

/*
 * The commands that move the shell: cd (and chdir), pushd and popd. A
 * command that may run one unseen (eval, a prefix with an unknown option)
 * is AG_DIRECTORY_MAYBE.
 */
typedef enum ag_directory_command {
    AG_DIRECTORY_NONE,
    AG_DIRECTORY_CD,
    AG_DIRECTORY_PUSHD,
    AG_DIRECTORY_POPD,
    AG_DIRECTORY_MAYBE
} ag_directory_command;

static bool loop_changes_directory(const ag_directory_tracker *tracker);
static bool changes_directory(const ag_directory_tracker *tracker);

ag_status ag_directory_tracker_init(ag_directory_tracker *tracker, ag_arena *arena,
                                    const ag_shell_command *commands, size_t count,
                                    const ag_path_context *context)
{
    memset(tracker, 0, sizeof(*tracker));
    tracker->arena = arena;
    tracker->commands = commands;
    tracker->count = count;
    tracker->worlds[0].cwd = context->cwd;
    tracker->world_count = 1;
    tracker->loop_moves = loop_changes_directory(tracker);
    tracker->any_move = changes_directory(tracker);

    /* Only wrapped commands read set_at (wrapper_set()), and most requests have none. */
    bool wrapped = false;
    for (size_t i = 0; i < count && !wrapped; i++)
        wrapped = is_wrapped(&commands[i]);
    if (!wrapped)
        return AG_OK;
    tracker->set_at = ag_arena_calloc(arena, count + 1, sizeof(*tracker->set_at));
    return tracker->set_at != NULL ? AG_OK : AG_ERR_NOMEM;
}

/* Forgets every directory the top-level shell may be in: it is unknown. */
static void set_unknown(ag_directory_tracker *tracker)
{
    memset(tracker->worlds, 0, sizeof(tracker->worlds));
    tracker->world_count = 1;
}

/*
 * Returns the unwrapped command of pipeline number `pipeline`, or NULL. The
 * index by pipeline number is built at the first call, so a long chain of
 * `&&` costs no search per link.
 */
static const ag_shell_command *pipeline_command(ag_directory_tracker *tracker, uint32_t pipeline)
{
    if (tracker->by_pipeline == NULL) {
        uint32_t top = 0;
        for (size_t i = 0; i < tracker->count; i++)
            top = tracker->commands[i].pipeline > top ? tracker->commands[i].pipeline : top;
        tracker->by_pipeline = ag_arena_calloc(tracker->arena, (size_t)top + 1,
                                               sizeof(*tracker->by_pipeline));
        if (tracker->by_pipeline == NULL)
            return NULL;
        tracker->pipeline_top = top;
        for (size_t i = tracker->count; i > 0; i--) {
            const ag_shell_command *other = &tracker->commands[i - 1];
            if (!is_wrapped(other))
                tracker->by_pipeline[other->pipeline] = (uint32_t)i;
        }
    }
    if (pipeline > tracker->pipeline_top || tracker->by_pipeline[pipeline] == 0)
        return NULL;
    return &tracker->commands[tracker->by_pipeline[pipeline] - 1];
}

/*
 * Returns whether `command` may run in `world`: not when it requires, through
 * its chain of `&&`, a cd that failed in that world. The chain is followed
 * for at most a fixed number of links, since a shorter chain only lets the
 * world count for more commands.
 */
static bool runs_in_world(ag_directory_tracker *tracker, const ag_shell_command *command,
                          const ag_directory_world *world)
{
    uint32_t required = command->requires;
    for (unsigned links = 0; required != 0 && links < 64; links++) {
        for (size_t i = 0; i < world->failed_count; i++) {
            if (world->failed[i] == required)
                return false;
        }
        const ag_shell_command *before = pipeline_command(tracker, required);
        if (before == NULL || before->requires >= required)
            break;
        required = before->requires;
    }
    return true;
}

/* Returns whether two directories are the same, NULL (unknown) only equal to NULL. */
static bool same_directory(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Adds `cwd` to `set` unless it is there. Returns false when it is not there and `set` is full. */
static bool set_add(ag_directory_set *set, const char *cwd)
{
    for (size_t i = 0; i < set->count; i++) {
        if (same_directory(set->cwd[i], cwd))
            return true;
    }
    if (set->count == AG_DIRECTORY_CHOICES)
        return false;
    set->cwd[set->count++] = cwd;
    return true;
}

/* The directories of the top-level shell in which `command` may run. */
static void world_set(ag_directory_tracker *tracker, const ag_shell_command *command,
                      ag_directory_set *set)
{
    set->count = 0;
    for (size_t i = 0; i < tracker->world_count; i++) {
        if (tracker->world_count == 1 || runs_in_world(tracker, command, &tracker->worlds[i]))
            (void)set_add(set, tracker->worlds[i].cwd);    /* never full: one entry per world */
    }
    /* The worlds of a command's own required cds cannot all fail; an unknown place is the fallback. */
    if (set->count == 0)
        *set = (ag_directory_set){.cwd = {NULL}, .count = 1};
}

static bool is_top_level(const ag_shell_command *command)
{
    return command->depth == 0
           && (command->context & (AG_CONTEXT_CHILD_SHELL | AG_CONTEXT_FUNCTION)) == 0;
}

/* Returns whether a command shares its pipeline with another command, so it runs in a child. */
static bool in_long_pipeline(const ag_directory_tracker *tracker, const ag_shell_command *command)
{
    if (command->pipeline_position > 0)
        return true;
    for (size_t i = 0; i < tracker->count; i++) {
        const ag_shell_command *other = &tracker->commands[i];
        if (!is_wrapped(other) && other->pipeline == command->pipeline
            && other->pipeline_position > 0)
            return true;
    }
    return false;
}


static bool is_option_word(const ag_shell_word *word)
{
    return !word->dynamic && word->text[0] == '-' && word->text[1] != '\0';
}

/*
 * Returns the index of the word that names what runs in the current shell,
 * after the prefixes of ag_shell_read_prefix(). Other wrappers run their command in
 * another process, where a cd moves nothing after them. Returns the word
 * count when nothing runs, the word is dynamic, or a prefix is unsure, which
 * sets *unsure.
 */
static size_t current_shell_word(const ag_shell_command *command, bool *unsure)
{
    size_t i = 0;
    *unsure = false;
    while (i < command->word_count && !command->words[i].dynamic) {
        size_t next = i;
        ag_prefix prefix = ag_shell_read_prefix(command->words, command->word_count, &next);
        if (prefix == AG_PREFIX_NONE)
            return i;
        *unsure = prefix == AG_PREFIX_UNSURE;
        if (prefix != AG_PREFIX_RUNS)
            return command->word_count;
        i = next;
    }
    return command->word_count;
}

static ag_directory_command directory_command(const ag_shell_command *command, size_t *first)
{
    bool unsure;
    *first = current_shell_word(command, &unsure);
    if (unsure)
        return AG_DIRECTORY_MAYBE;
    if (*first >= command->word_count)
        return AG_DIRECTORY_NONE;
    const char *name = command->words[*first].text;
    /* The first letter leaves at most two names to compare, and most command names have none. */
    switch (name[0]) {
    case 'c':
        return strcmp(name, "cd") == 0 || strcmp(name, "chdir") == 0 ? AG_DIRECTORY_CD
                                                                      : AG_DIRECTORY_NONE;
    case 'p':
        if (strcmp(name, "pushd") == 0)
            return AG_DIRECTORY_PUSHD;
        return strcmp(name, "popd") == 0 ? AG_DIRECTORY_POPD : AG_DIRECTORY_NONE;
    case 'e':
        return strcmp(name, "eval") == 0 ? AG_DIRECTORY_MAYBE : AG_DIRECTORY_NONE;
    default:
        return AG_DIRECTORY_NONE;
    }
}

/*
 * Returns whether a cd in a loop moves the shell that runs the loop. A cd in
 * a subshell of the loop starts from the loop's directory on each pass.
 */
static bool loop_changes_directory(const ag_directory_tracker *tracker)
{
    for (size_t i = 0; i < tracker->count; i++) {
        const ag_shell_command *command = &tracker->commands[i];
        size_t first;
        if ((command->context & AG_CONTEXT_LOOP) && (is_wrapped(command) || is_top_level(command))
            && directory_command(command, &first) != AG_DIRECTORY_NONE)
            return true;
    }
    return false;
}

/* Returns whether any command of the request may change directory. */
static bool changes_directory(const ag_directory_tracker *tracker)
{
    for (size_t i = 0; i < tracker->count; i++) {
        size_t first;
        if (directory_command(&tracker->commands[i], &first) != AG_DIRECTORY_NONE)
            return true;
    }
    return false;
}

static bool is_directory_change(const ag_shell_command *command)
{
    size_t first;
    ag_directory_command kind = directory_command(command, &first);
    return kind != AG_DIRECTORY_NONE && kind != AG_DIRECTORY_MAYBE;
}

/*
 * Returns whether an earlier command of the same pipeline member changes
 * directory. Each member of `a | b` runs in its own child shell, so in
 * `echo x | { cd ~/.ssh && cat id_rsa; }` the cd moves the cat, which the
 * top-level directory would miss.
 */
static bool member_changed_directory(const ag_directory_tracker *tracker, size_t index)
{
    const ag_shell_command *command = &tracker->commands[index];
    for (size_t i = 0; i < index; i++) {
        const ag_shell_command *other = &tracker->commands[i];
        if (!is_wrapped(other) && other->pipeline == command->pipeline
            && other->pipeline_position == command->pipeline_position
            && is_directory_change(other))
            return true;
    }
    return false;
}

/* Returns the innermost unwrapped command whose text contains `command`, or NULL. */
static const ag_shell_command *wrapping_command(const ag_directory_tracker *tracker,
                                                const ag_shell_command *command)
{
    const ag_shell_command *best = NULL;
    for (size_t i = 0; i < tracker->count; i++) {
        const ag_shell_command *other = &tracker->commands[i];
        if (is_wrapped(other) || other->start > command->start || other->end < command->end)
            continue;
        if (best == NULL || other->end - other->start <= best->end - best->start)
            best = other;
    }
    return best;
}

/* The directories of the innermost unwrapped command whose text contains a wrapped command. */
static void wrapper_set(const ag_directory_tracker *tracker, const ag_shell_command *command,
                        ag_directory_set *set)
{
    const ag_shell_command *outer = wrapping_command(tracker, command);
    if (outer != NULL)
        *set = tracker->set_at[outer - tracker->commands];
    else
        *set = (ag_directory_set){.cwd = {NULL}, .count = 1};
}

void ag_directory_tracker_cwds(ag_directory_tracker *tracker, size_t index, ag_directory_set *set,
                               ag_directory_set *shell_set)
{
    const ag_shell_command *command = &tracker->commands[index];
    bool moved = (command->flags & AG_COMMAND_UNKNOWN_DIRECTORY) != 0;
    bool unknown = false;
    if (is_wrapped(command)) {
        unknown = moved || tracker->wrapped_unknown;
        if (!unknown)
            wrapper_set(tracker, command, set);
    } else if (tracker->loop_moves && (command->context & AG_CONTEXT_LOOP)) {
        unknown = true;
    } else if (tracker->any_move && (command->context & AG_CONTEXT_FUNCTION)) {
        unknown = true;    /* a function runs where it is called, maybe after a cd */
    } else if (is_top_level(command)) {
        tracker->nested_unknown = false;
        unknown = in_long_pipeline(tracker, command) && member_changed_directory(tracker, index);
    } else {
        unknown = tracker->nested_unknown;
    }
    if (unknown)
        *set = (ag_directory_set){.cwd = {NULL}, .count = 1};
    else if (!is_wrapped(command))
        world_set(tracker, command, set);

    /*
     * A wrapper that moves its command (chroot NEWROOT, bwrap, pnpm -C) runs
     * it elsewhere, but the shell opens the wrapper's redirections first, in
     * the shell's own directory.
     */
    *shell_set = *set;
    if (moved)
        *set = (ag_directory_set){.cwd = {NULL}, .count = 1};
    if (tracker->set_at != NULL)
        tracker->set_at[index] = *set;
}

/* Returns the first operand of cd or pushd, skipping options, or NULL when there is none. */
static const ag_shell_word *directory_operand(const ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (strcmp(word->text, "--") == 0)
            return i + 1 < command->word_count ? &command->words[i + 1] : NULL;
        if (word->text[0] != '-' || strcmp(word->text, "-") == 0 || word->dynamic)
            return word;
    }
    return NULL;
}

/* `pushd -n DIR` only adds DIR to the stack, so the directory stays. */
static bool keeps_directory(const ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count; i++) {
        const ag_shell_word *word = &command->words[i];
        if (!is_option_word(word) || strcmp(word->text, "--") == 0)
            return false;
        if (strchr(word->text, 'n') != NULL)
            return true;
    }
    return false;
}

/* Normalizes the directory a cd names in `text`, or returns NULL when it is unknown. */
static const char *known_directory(ag_extractor *ex, const ag_shell_word *word, const char *text,
                                   size_t length)
{
    /* Under a link the request made, later paths meet that link again (extract.c). */
    const char *path = ag_extractor_normalize_written(ex, word, text, length);
    if (path == NULL || path[0] != '/' || memchr(path, AG_DYNAMIC_MARK, strlen(path)) != NULL)
        return NULL;
    /*
     * A directory longer than PATH_MAX becomes unknown: the kernel takes no
     * such path whole, and every later relative path would be normalized
     * against it, which made a chain of deep cds quadratic in time.
     */
    if (strlen(path) > PATH_MAX)
        return NULL;
    return path;
}

/*
 * Returns the directory a cd or pushd moves to when it finds its operand
 * from the current directory. Returns NULL when that is unknown: for a
 * dynamic word (which may be absolute), `cd -`, pushd's stack forms, or a
 * relative path from an unknown directory.
 */
static const char *cd_target(ag_extractor *ex, const ag_shell_command *command, bool pushd,
                             const ag_shell_word **word)
{
    *word = directory_operand(command);
    if (*word == NULL)
        return pushd ? NULL : ex->context.home;
    const char *text = (*word)->text;
    if ((*word)->dynamic && text[0] != '~')
        return NULL;
    if (strcmp(text, "-") == 0 || (pushd && (text[0] == '+' || text[0] == '-')))
        return NULL;
    return known_directory(ex, *word, text, (*word)->length);
}

/* Returns whether `text` has a ".." component. */
static bool has_parent_part(const char *text)
{
    for (const char *at = strstr(text, ".."); at != NULL; at = strstr(at + 1, "..")) {
        if ((at == text || at[-1] == '/') && (at[2] == '/' || at[2] == '\0'))
            return true;
    }
    return false;
}

/*
 * Returns where a cd's operand leads when each ".." applies to the text, as
 * Bash's cd does without -P or `set -P`. So `cd lnk/..` stays where it was,
 * whatever lnk leads to. The caller keeps the target through links on disk
 * (`direct`) as well, because either may hold. Returns `direct` when the
 * operand has no "..", and NULL when the logical target is unknown.
 */
static const char *logical_target(ag_extractor *ex, const ag_shell_word *word, const char *direct)
{
    if (word == NULL || direct == NULL || (word->dynamic && word->text[0] != '~')
        || !has_parent_part(word->text))
        return direct;
    const char *path = ag_path_normalize_lexical(ex->arena, &ex->context, word->text,
                                                 word->length);
    if (path == NULL || path[0] != '/' || memchr(path, AG_DYNAMIC_MARK, strlen(path)) != NULL
        || strlen(path) > PATH_MAX)
        return NULL;
    return path;
}

/*
 * Returns whether Bash looks the cd operand `name` up in CDPATH: unless it
 * starts with "/", "./" or "../", or is "." or ".." (Bash 5.2.15, tried by
 * hand). A dynamic word is not looked at, because it is either unknown
 * already or starts with a "~" that expands to an absolute path.
 */
static bool uses_cdpath(const ag_shell_word *name)
{
    const char *text = name->text;
    if (name->dynamic || text[0] == '/')
        return false;
    if (text[0] == '.' && (text[1] == '/' || text[1] == '\0'))
        return false;
    return !(text[0] == '.' && text[1] == '.' && (text[2] == '/' || text[2] == '\0'));
}

/* Returns the text PREFIX ENTRY/NAME for one CDPATH entry of `length` bytes. */
static char *cdpath_candidate(ag_extractor *ex, const char *prefix, const char *entry,
                              size_t length, const ag_shell_word *name)
{
    size_t prefix_length = strlen(prefix);
    char *text = ag_arena_alloc(ex->arena, prefix_length + length + name->length + 2);
    if (text == NULL)
        return NULL;
    memcpy(text, prefix, prefix_length);
    memcpy(text + prefix_length, entry, length);
    text[prefix_length + length] = '/';
    memcpy(text + prefix_length + length + 1, name->text, name->length);
    text[prefix_length + length + 1 + name->length] = '\0';
    return text;
}

/* Adds the directory `text` names to `targets`. Returns false when `targets` is full. */
static bool add_candidate(ag_extractor *ex, const ag_shell_word *name, const char *text,
                          ag_directory_set *targets)
{
    const char *path = text != NULL ? known_directory(ex, name, text, strlen(text)) : NULL;
    return set_add(targets, path);
}

/*
 * Adds to `targets` the directory each CDPATH entry leads `name` to. Bash
 * tries them in order and stops at the first that exists, which the check
 * cannot know, so each may be reached. An empty entry is the current
 * directory and a relative one is taken from it. Bash 5.2.15 expands a
 * leading "~" in an entry (tried by hand), so such an entry leads both to
 * the home and to a directory named "~". Returns false when `targets` is
 * full before every entry is added.
 */
static bool add_cdpath_targets(ag_extractor *ex, const ag_shell_word *name,
                               ag_directory_set *targets)
{
    const char *entry = ex->context.cdpath;
    for (;;) {
        size_t length = strcspn(entry, ":");
        const char *prefix = length > 0 && entry[0] == '/' ? "" : "./";
        if (!add_candidate(ex, name, cdpath_candidate(ex, prefix, entry, length, name), targets))
            return false;
        if (entry[0] == '~'
            && !add_candidate(ex, name, cdpath_candidate(ex, "", entry, length, name), targets))
            return false;
        if (entry[length] == '\0')
            return true;
        entry += length + 1;
    }
}

/*
 * Sets `targets` to the directories a cd or pushd run in ex->context.cwd may
 * move to when it succeeds, an entry NULL when unknown, and stores its
 * operand in *word (NULL when there is none). With a CDPATH these are each
 * entry's ENTRY/NAME and ./NAME. A failed cd leaves the shell in a place of
 * its own, so the targets may take all the tracker's places but one. Past
 * that, the CDPATH targets become one unknown target, and ./NAME stays.
 */
static void cd_targets(ag_extractor *ex, const ag_shell_command *command, bool pushd,
                       const ag_shell_word **word, ag_directory_set *targets)
{
    const char *direct = cd_target(ex, command, pushd, word);
    const char *logical = logical_target(ex, *word, direct);
    targets->count = 0;
    bool fits = true;
    if (*word != NULL && ex->context.cdpath != NULL && uses_cdpath(*word))
        fits = add_cdpath_targets(ex, *word, targets);
    if (fits && set_add(targets, direct) && set_add(targets, logical)
        && targets->count < AG_DIRECTORY_CHOICES)
        return;
    *targets = (ag_directory_set){.cwd = {direct}, .count = 1};
    (void)set_add(targets, logical);
    (void)set_add(targets, NULL);
}

/*
 * Returns whether a wrapped cd is the one its unwrapped command runs in the
 * current shell (`command cd DIR`), which moved the directory already there.
 */
static bool is_current_shell_change(const ag_directory_tracker *tracker,
                                    const ag_shell_command *command)
{
    const ag_shell_command *outer = wrapping_command(tracker, command);
    size_t first = 0;
    ag_directory_command kind = outer == NULL ? AG_DIRECTORY_NONE : directory_command(outer, &first);
    return kind != AG_DIRECTORY_NONE && kind != AG_DIRECTORY_MAYBE && first > 0;
}

/* Returns whether a wrapped cd, pushd or popd comes from the text of tracker->commands[index]. */
static bool runs_wrapped_change(const ag_directory_tracker *tracker, size_t index)
{
    const ag_shell_command *outer = &tracker->commands[index];
    for (size_t i = index + 1; i < tracker->count; i++) {
        const ag_shell_command *other = &tracker->commands[i];
        if (is_wrapped(other) && other->start >= outer->start && other->end <= outer->end
            && is_directory_change(other) && wrapping_command(tracker, other) == outer)
            return true;
    }
    return false;
}

/* Keeps in `into` only the failed cds that `other` shares: a merged world counts where either does. */
static void keep_common_failures(ag_directory_world *into, const ag_directory_world *other)
{
    size_t kept = 0;
    for (size_t i = 0; i < into->failed_count; i++) {
        bool common = false;
        for (size_t j = 0; j < other->failed_count && !common; j++)
            common = into->failed[i] == other->failed[j];
        if (common)
            into->failed[kept++] = into->failed[i];
    }
    into->failed_count = kept;
}

/* Adds `world` to `worlds`, merged into one of the same directory. Returns the new count. */
static size_t add_world(ag_directory_world *worlds, size_t count, const ag_directory_world *world)
{
    for (size_t i = 0; i < count; i++) {
        if (same_directory(worlds[i].cwd, world->cwd)) {
            keep_common_failures(&worlds[i], world);
            return count;
        }
    }
    worlds[count] = *world;
    return count + 1;
}

/*
 * Sets `targets` to where a cd, pushd or popd run in `cwd` may move to, and
 * *word to its operand, as cd_targets() does. popd's target is unknown.
 */
static void targets_in(ag_extractor *ex, const ag_shell_command *view, ag_directory_command kind,
                       const char *cwd, const ag_shell_word **word, ag_directory_set *targets)
{
    ex->context.cwd = cwd;
    *word = NULL;
    if (kind == AG_DIRECTORY_POPD)
        *targets = (ag_directory_set){.cwd = {NULL}, .count = 1};
    else
        cd_targets(ex, view, kind == AG_DIRECTORY_PUSHD, word, targets);
}

/*
 * Moves the top-level shell through the cd `command` (with its words from
 * the cd on in `view`): in each world where the cd runs, it may reach one
 * of its targets or fail and stay. More worlds than AG_DIRECTORY_CHOICES
 * make the directory unknown.
 */
static void move_worlds(ag_directory_tracker *tracker, ag_extractor *ex,
                        const ag_shell_command *command, const ag_shell_command *view,
                        ag_directory_command kind)
{
    /* Each world may go to each of at most AG_DIRECTORY_CHOICES targets or stay. */
    ag_directory_world next[AG_DIRECTORY_CHOICES * (AG_DIRECTORY_CHOICES + 1)];
    size_t count = 0;
    for (size_t i = 0; i < tracker->world_count; i++) {
        ag_directory_world world = tracker->worlds[i];
        if (tracker->world_count > 1 && !runs_in_world(tracker, command, &world)) {
            count = add_world(next, count, &world);
            continue;
        }
        const ag_shell_word *word;
        ag_directory_set targets;
        targets_in(ex, view, kind, world.cwd, &word, &targets);
        for (size_t t = 0; t < targets.count; t++) {
            ag_directory_world moved = world;
            moved.cwd = targets.cwd[t];
            count = add_world(next, count, &moved);
        }
        if (world.failed_count < AG_DIRECTORY_FAILURES)
            world.failed[world.failed_count++] = command->pipeline;
        count = add_world(next, count, &world);
    }

    if (count > AG_DIRECTORY_CHOICES) {
        set_unknown(tracker);
        return;
    }
    memcpy(tracker->worlds, next, count * sizeof(*next));
    tracker->world_count = count;
}

/*
 * Moves the directory of the shell that runs `command` (unwrapped) through
 * the cd in `view`, or to an unknown place when `view` is NULL.
 */
static void move_directory(ag_directory_tracker *tracker, ag_extractor *ex,
                           const ag_shell_command *command, const ag_shell_command *view,
                           ag_directory_command kind)
{
    if (command->context & AG_CONTEXT_FUNCTION)
        set_unknown(tracker);
    else if (!is_top_level(command))
        tracker->nested_unknown = true;
    else if ((command->context & AG_CONTEXT_BACKGROUND) || in_long_pipeline(tracker, command))
        return;
    else if (view == NULL || (command->context & AG_CONTEXT_LOOP))
        set_unknown(tracker);
    else
        move_worlds(tracker, ex, command, view, kind);
}

/* Adds the chdir effects of a cd or pushd in `view` run in `cwd`, one for each target. */
static ag_status add_change(ag_extractor *ex, const ag_shell_command *view,
                            ag_directory_command kind, const char *cwd)
{
    const ag_shell_word *word;
    ag_directory_set targets;
    targets_in(ex, view, kind, cwd, &word, &targets);
    ag_status status = AG_OK;
    for (size_t i = 0; i < targets.count && status == AG_OK; i++) {
        if (targets.cwd[i] != NULL)
            status = ag_extractor_add(ex, AG_EFFECT_CHDIR, targets.cwd[i], word);
        else if (word != NULL)
            status = ag_extractor_add(ex, AG_EFFECT_CHDIR, "\x01", word);
    }
    return status;
}

/*
 * Follows a cd, pushd or popd, also behind `command`, `builtin`, `time` and
 * `jobs -x`. Such a prefixed cd moves the directory where the unwrapped
 * command is followed, because the wrapped copy of the cd comes after the
 * later commands in the list. The wrapped copy adds the chdir effect. A cd in
 * `eval` code, or behind a prefix with an option this check does not know,
 * makes the directory unknown.
 */
ag_status ag_directory_tracker_follow(ag_directory_tracker *tracker, ag_extractor *ex,
                                      size_t index, const ag_directory_set *set)
{
    const ag_shell_command *command = &tracker->commands[index];
    size_t first;
    ag_directory_command kind = directory_command(command, &first);
    if (kind == AG_DIRECTORY_NONE)
        return AG_OK;
    if (kind == AG_DIRECTORY_MAYBE) {
        if (!is_wrapped(command) && runs_wrapped_change(tracker, index))
            move_directory(tracker, ex, command, NULL, kind);
        return AG_OK;
    }

    ag_shell_command view = *command;
    view.words += first;
    view.word_count -= first;
    ag_status status = AG_OK;
    for (size_t i = 0; i < set->count && first == 0 && status == AG_OK; i++)
        status = add_change(ex, &view, kind, set->cwd[i]);

    if (status != AG_OK || (kind == AG_DIRECTORY_PUSHD && keeps_directory(&view)))
        return status;
    if (!is_wrapped(command))
        move_directory(tracker, ex, command, &view, kind);
    else if (!is_current_shell_change(tracker, command))
        tracker->wrapped_unknown = true;
    return status;
}
