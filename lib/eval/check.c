/* Checkers: the per-thread object that turns requests into verdicts. */
#include <string.h>

#include "core/json.h"
#include "eval/eval.h"

ag_checker *ag_checker_new(const ag_policy *policy, ag_error **error)
{
    if (policy == NULL) {
        ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0,
                     "ag_checker_new: the policy is NULL; load one with ag_policy_load_file()");
        return NULL;
    }

    ag_checker *checker = ag_calloc(1, sizeof(*checker));
    if (checker == NULL)
        goto nomem;
    checker->policy = policy;
    checker->limits = policy->limits;
    checker->mode = policy->mode;
    ag_arena_init(&checker->arena);
    for (size_t i = 0; i < 4; i++)
        ag_buffer_init(&checker->subjects[i]);

    checker->analyzer = ag_shell_analyzer_new();
    checker->match_data = ag_rule_match_data_new();
    if (checker->analyzer == NULL || checker->match_data == NULL) {
        ag_checker_free(checker);
        goto nomem;
    }
    return checker;

nomem:
    if (error != NULL)
        *error = ag_error_nomem();
    return NULL;
}

void ag_checker_free(ag_checker *checker)
{
    if (checker == NULL)
        return;
    ag_shell_analyzer_free(checker->analyzer);
    pcre2_match_data_free(checker->match_data);
    for (size_t i = 0; i < 4; i++)
        ag_buffer_release(&checker->subjects[i]);
    ag_arena_release(&checker->arena);
    ag_free(checker->home);
    ag_free(checker->folded_home);
    ag_free(checker->cdpath);
    ag_free(checker->cwd_cache.path);
    ag_free(checker->cwd_cache.normalized);
    ag_free(checker->cwd_cache.real);
    ag_free(checker->home_cache.path);
    ag_free(checker->home_cache.normalized);
    ag_free(checker->home_cache.real);
    ag_free(checker);
}

const char *ag_checker_normalize(ag_checker *checker, ag_path_cache *cache, const char *path)
{
    if (cache->path != NULL && strcmp(cache->path, path) == 0)
        return cache->normalized;

    ag_path_context none = {NULL, NULL, NULL, NULL};
    const char *normalized = ag_path_normalize(&checker->arena, &none, path, strlen(path));
    /* A ".." makes normalizing follow symbolic links on disk, which may change between checks. */
    if (normalized == NULL || strstr(path, "..") != NULL)
        return normalized;

    char *copy_path = ag_strdup(path);
    char *copy_normalized = ag_strdup(normalized);
    if (copy_path == NULL || copy_normalized == NULL) {
        ag_free(copy_path);
        ag_free(copy_normalized);
        return NULL;
    }
    ag_free(cache->path);
    ag_free(cache->normalized);
    ag_free(cache->real);
    cache->path = copy_path;
    cache->normalized = copy_normalized;
    cache->real_known = false;
    cache->real = NULL;
    return copy_normalized;
}

ag_status ag_checker_real_cwd(ag_checker *checker, const char *cwd, const char **real)
{
    *real = NULL;
    ag_path_cache *cache = &checker->cwd_cache;
    const char *normalized = ag_checker_normalize(checker, cache, cwd);
    if (normalized == NULL)
        return AG_ERR_NOMEM;
    /* A cwd with ".." is not cached (ag_checker_normalize()), so it is looked up each time. */
    bool cached = normalized == cache->normalized;
    if (cached && cache->real_known) {
        *real = cache->real;
        return AG_OK;
    }

    /* A failed lookup is not kept, because a lack of memory fails it too. */
    const char *target = ag_path_link_target(&checker->arena, &checker->lookups, normalized);
    if (!cached || ag_path_lookup_failed(target)) {
        *real = target;
        return AG_OK;
    }
    if (target != NULL && (cache->real = ag_strdup(target)) == NULL)
        return AG_ERR_NOMEM;
    cache->real_known = true;
    *real = cache->real;
    return AG_OK;
}

static bool is_within_directory(const char *path, const char *directory)
{
    return directory != NULL && directory[0] == '/' && ag_path_is_within(path, directory);
}

bool ag_checker_in_working_directories(ag_checker *checker, const char *path,
                                       const ag_path_context *context)
{
    if (is_within_directory(path, context->cwd))
        return true;

    const ag_policy *policy = checker->policy;
    for (size_t i = 0; i < policy->additional_directory_count; i++) {
        const ag_policy_directory *entry = &policy->additional_directories[i];
        if (entry->from_working_tree && !is_within_directory(path, entry->project_root))
            continue;

        ag_path_context base = {entry->base != NULL ? entry->base : context->cwd, context->home,
                                NULL, NULL};
        const char *directory = ag_path_normalize(&checker->arena, &base, entry->path,
                                                  strlen(entry->path));
        if (is_within_directory(path, directory))
            return true;
    }
    return false;
}

/* Returns whether a deny or ask path rule of the policy is anchored at the cwd. */
static bool has_cwd_restrictions(ag_checker *checker)
{
    if (checker->cwd_restrictions == AG_TOOL_RULES_UNKNOWN) {
        const ag_policy *policy = checker->policy;
        checker->cwd_restrictions = AG_TOOL_RULES_NONE;
        for (size_t i = 0; i < policy->rule_count; i++) {
            const ag_rule *rule = &policy->rules[i];
            if (rule->decision != AG_ALLOW && ag_path_rule_at_cwd(rule)) {
                checker->cwd_restrictions = AG_TOOL_RULES_SOME;
                break;
            }
        }
    }
    return checker->cwd_restrictions == AG_TOOL_RULES_SOME;
}

ag_status ag_checker_set_real_cwd(ag_checker *checker, const char *cwd, ag_path_context *context)
{
    context->real_cwd = NULL;
    if (cwd == NULL || cwd[0] != '/' || !has_cwd_restrictions(checker))
        return AG_OK;
    return ag_checker_real_cwd(checker, cwd, &context->real_cwd);
}

/* Returns the stricter of two limits, where 0 means none. */
static uint64_t stricter(uint64_t current, uint64_t requested)
{
    if (requested == 0)
        return current;
    return current == 0 || requested < current ? requested : current;
}

ag_status ag_checker_set_limits(ag_checker *checker, const ag_limits *limits)
{
    if (checker == NULL || limits == NULL)
        return AG_ERR_ARGUMENT;

    const ag_shell_limits *policy = &checker->policy->limits;
    ag_shell_limits *target = &checker->limits;
    target->max_input_bytes = stricter(policy->max_input_bytes, limits->max_input_bytes);
    target->max_depth = (unsigned)stricter(policy->max_depth, limits->max_depth);
    target->max_commands = stricter(policy->max_commands, limits->max_commands);
    target->timeout_micros = stricter(policy->timeout_micros, (uint64_t)limits->timeout_ms * 1000);
    return AG_OK;
}

/* Replaces the string in *slot with a copy of `value` (NULL for none). */
static ag_status replace_copy(char **slot, const char *value)
{
    char *copy = NULL;
    if (value != NULL) {
        copy = ag_strdup(value);
        if (copy == NULL)
            return AG_ERR_NOMEM;
    }
    ag_free(*slot);
    *slot = copy;
    return AG_OK;
}

ag_status ag_checker_set_home(ag_checker *checker, const char *home)
{
    if (checker == NULL || (home != NULL && home[0] != '/'))
        return AG_ERR_ARGUMENT;
    if (home == NULL) {
        ag_free(checker->folded_home);
        checker->folded_home = NULL;
        return replace_copy(&checker->home, NULL);
    }

    /*
     * The protected home paths and the rules anchored at "~" compare text,
     * so "/home/u//" or "/home/x/../u" would match none of them. The home
     * is kept where it leads through links on disk (/home -> var/home on
     * Fedora Silverblue): each request path is checked both as written and
     * where it leads, so deny rules match either spelling of a home file.
     */
    ag_path_context none = {NULL, NULL, NULL, NULL};
    const char *normalized = ag_path_normalize(&checker->arena, &none, home, strlen(home));
    if (normalized == NULL)
        return AG_ERR_NOMEM;
    if (normalized[0] != '/')
        return AG_ERR_ARGUMENT;    /* a ".." after /proc/self/cwd or a link that failed */
    const char *resolved = ag_path_resolve(&checker->arena, NULL, normalized);
    if (resolved == NULL)
        resolved = normalized;

    /* The protected home entries are also looked for below the folding (mode.c). */
    const char *folded = NULL;
    if (ag_path_fold_ascii(&checker->arena, resolved, &folded) != AG_OK
        || replace_copy(&checker->folded_home, folded) != AG_OK)
        return AG_ERR_NOMEM;
    return replace_copy(&checker->home, resolved);
}

ag_status ag_checker_set_cdpath(ag_checker *checker, const char *cdpath)
{
    if (checker == NULL)
        return AG_ERR_ARGUMENT;
    return replace_copy(&checker->cdpath, cdpath != NULL && cdpath[0] != '\0' ? cdpath : NULL);
}

static void start_check(ag_checker *checker)
{
    ag_arena_reset(&checker->arena);
    ag_lookup_cache_clear(&checker->lookups);
    memset(&checker->verdict, 0, sizeof(checker->verdict));
    checker->verdict.decision = AG_DENY;
    checker->verdict.reason = "the check did not finish";
}

/* What a check was asked, passed on to the decision callback. */
typedef struct check_request {
    const char *tool_name;
    const char *tool_input_json;    /* NULL for ag_check_command() */
    const char *command;            /* NULL for ag_check() */
    size_t command_length;
    const char *cwd;
} check_request;

ag_status ag_checker_set_callback(ag_checker *checker, ag_decision_callback callback,
                                  void *user_data)
{
    if (checker == NULL)
        return AG_ERR_ARGUMENT;
    checker->callback = callback;
    checker->callback_data = callback != NULL ? user_data : NULL;
    return AG_OK;
}

/*
 * Returns true when the checker is inside its own decision callback. A check
 * from there would reset the arena that the verdict being reported lives in.
 */
static bool rejects_reentry(const ag_checker *checker, const char *function, ag_error **error)
{
    if (!checker->in_callback)
        return false;
    ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0,
                 "%s: called from the checker's own decision callback; use another checker",
                 function);
    return true;
}

/*
 * Returns true when `cwd` is given but not absolute. A relative cwd has no
 * meaning without another directory to take it from, and checking it as the
 * unknown cwd would hide a host's mistake, so it is an argument error.
 */
static bool rejects_relative_cwd(const char *cwd, const char *function, ag_error **error)
{
    if (cwd == NULL || cwd[0] == '/')
        return false;
    ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0,
                 "%s: the cwd \"%s\" is not an absolute path; pass an absolute path, or "
                 "NULL when the directory is unknown", function, cwd);
    return true;
}

static const ag_verdict *finish_check(ag_checker *checker, ag_status status,
                                      const check_request *request, ag_error **error)
{
    /* Some steps fall back to a shorter reason when memory runs out; a verdict
     * built that way could still allow, so any failed allocation fails the check. */
    if (status == AG_OK && checker->arena.failed)
        status = AG_ERR_NOMEM;
    if (status == AG_OK) {
        if (checker->callback != NULL) {
            checker->in_callback = true;
            checker->callback(&checker->verdict, request->tool_name, request->tool_input_json,
                              request->command, request->command_length, request->cwd,
                              checker->callback_data);
            checker->in_callback = false;
        }
        return &checker->verdict;
    }
    if (error != NULL)
        *error = status == AG_ERR_NOMEM
                     ? ag_error_nomem()
                     : ag_error_new(status, NULL, 0, 0, "the check failed; deny the request");
    return NULL;
}

/*
 * Evaluates a command's text. A NUL byte ends the command where the host
 * passes it to a shell as a C string, and bash drops it when reading a
 * script, so the text checked and the text run would differ: reject it.
 */
static ag_status check_command_text(ag_checker *checker, const char *command, size_t length,
                                    const char *cwd)
{
    const char *nul = memchr(command, '\0', length);
    if (nul != NULL)
        return ag_eval_reject(checker, AG_ERR_REQUEST,
                              "the command contains a NUL byte at offset %zu",
                              (size_t)(nul - command));
    return ag_eval_command(checker, command, length, cwd);
}

/* Reads the "command" field of a Bash request and evaluates it. */
static ag_status check_bash_input(ag_checker *checker, const ag_json_document *input,
                                  const char *cwd)
{
    const ag_json_member *command = ag_json_get(input, "command");
    if (command == NULL)
        return ag_eval_reject(checker, AG_ERR_REQUEST,
                              "the Bash tool input has no \"command\" field");
    if (command->type != AG_JSON_STRING)
        return ag_eval_reject(checker, AG_ERR_REQUEST,
                              "the Bash tool input's \"command\" is not a string");
    ag_status status = check_command_text(checker, command->string, command->string_length,
                                          cwd);
    if (status != AG_OK)
        return status;

    /* Also after a syntax error or a limit, because a deny param rule must still win over
     * the ask that the incomplete analysis gives. Param rules only raise a decision. */
    return ag_eval_bash_params(checker, input);
}

/*
 * Parses the tool input and evaluates it. The reader rejects duplicate keys:
 * two "command" fields could mean one thing to us and another to the host.
 */
static ag_status check_tool_input(ag_checker *checker, const char *tool_name,
                                  const char *tool_input_json, const char *cwd)
{
    ag_json_document input;
    ag_json_error json_error;
    switch (ag_json_parse(&checker->arena, tool_input_json, &input, &json_error)) {
    case AG_JSON_OK:
        break;
    case AG_JSON_INVALID:
        return ag_eval_reject(checker, AG_ERR_REQUEST,
                              "the tool input is not valid JSON: %s at line %d, column %d",
                              json_error.text, json_error.line, json_error.column);
    default:
        return AG_ERR_NOMEM;
    }

    if (!input.is_object)
        return ag_eval_reject(checker, AG_ERR_REQUEST, "the tool input is not a JSON object");
    if (strcmp(tool_name, "Bash") == 0)
        return check_bash_input(checker, &input, cwd);
    return ag_eval_tool(checker, tool_name, &input, cwd);
}

const ag_verdict *ag_check(ag_checker *checker, const char *tool_name,
                           const char *tool_input_json, const char *cwd,
                           ag_error **error)
{
    if (checker == NULL || tool_name == NULL || tool_input_json == NULL) {
        ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0,
                     "ag_check: the checker, tool name and tool input must not be NULL");
        return NULL;
    }
    if (rejects_reentry(checker, "ag_check", error) || rejects_relative_cwd(cwd, "ag_check", error))
        return NULL;
    start_check(checker);
    const check_request request = {tool_name, tool_input_json, NULL, 0, cwd};

    if (tool_name[0] == '\0')
        return finish_check(checker,
                            ag_eval_reject(checker, AG_ERR_REQUEST, "the tool name is empty"),
                            &request, error);

    ag_status status = check_tool_input(checker, tool_name, tool_input_json, cwd);
    return finish_check(checker, status, &request, error);
}

const ag_verdict *ag_check_command(ag_checker *checker, const char *command,
                                   size_t length, const char *cwd, ag_error **error)
{
    if (checker == NULL || command == NULL) {
        ag_error_set(error, AG_ERR_ARGUMENT, NULL, 0, 0,
                     "ag_check_command: the checker and the command must not be NULL");
        return NULL;
    }
    if (rejects_reentry(checker, "ag_check_command", error)
        || rejects_relative_cwd(cwd, "ag_check_command", error))
        return NULL;
    start_check(checker);
    const check_request request = {"Bash", NULL, command, length, cwd};
    return finish_check(checker, check_command_text(checker, command, length, cwd), &request,
                        error);
}
