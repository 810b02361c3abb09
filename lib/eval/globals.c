/*
 * Global options before a subcommand: `kubectl -n prod delete pod x` is
 * `kubectl delete pod x` in another namespace, so it must meet the rule
 * `Bash(kubectl delete *)`. For the tools below, a command whose subcommand
 * follows global options gets a second command without them, as git.c
 * does for git. Where a word before the subcommand is not a listed global
 * option (or is dynamic), the subcommand is not known and nothing is added:
 * the command is checked as written, as before.
 *
 * The lists hold the common global options of each tool. One left out only
 * means that no second command is added for it.
 * TODO(wrappers): docker management commands (`docker image push`) are not
 * read as their short forms (`docker push`).
 */
#include <string.h>

#include "eval/unwrap_internal.h"

/* A tool's global options: those that take a value, and those that take none. */
typedef struct global_options {
    const char *name;           /* base name */
    const char *values;         /* options as typed, separated by spaces */
    const char *flags;
} global_options;

#define DOCKER_VALUES "-H --host -c --context --config -l --log-level --tlscacert --tlscert --tlskey"
#define DOCKER_FLAGS "-D --debug --tls --tlsverify"

/*
 * pnpm 11's global options, also for its short name pn. --shell-mode (-c)
 * is left out, because `pnpm -c exec CODE` runs CODE with a shell.
 */
#define PNPM_VALUES                                                                           \
    "-C --dir -F --filter --filter-prod --reporter --loglevel --test-pattern "                \
    "--changed-files-ignore-pattern --workspace-concurrency"
#define PNPM_FLAGS                                                                            \
    "-r --recursive -w --workspace-root -s --silent --stream --parallel --aggregate-output "  \
    "--color --no-color --use-stderr --ignore-workspace --include-workspace-root "           \
    "--fail-if-no-match --no-bail --sort --no-sort --reverse"

/* Sorted by name in strcmp() order, as ag_sorted_is_strict() checks. */
static const global_options tools[] = {
    {"docker", DOCKER_VALUES, DOCKER_FLAGS},
    {"gh", "-R --repo", ""},
    {"helm",
     "-n --namespace --kube-context --kubeconfig --kube-apiserver --kube-as-user --kube-as-group "
     "--kube-token --registry-config --repository-cache --repository-config --burst-limit",
     "--debug --kube-insecure-skip-tls-verify"},
    {"kubectl",
     "-n --namespace --context --cluster --user --kubeconfig -s --server --token --as "
     "--as-group --as-uid --request-timeout --cache-dir --certificate-authority "
     "--client-certificate --client-key --tls-server-name --username --password -v --v "
     "--log-file --profile --profile-output",
     "--insecure-skip-tls-verify --match-server-version --warnings-as-errors"},
    {"npm", "-w --workspace --prefix --registry --userconfig --cache --loglevel",
     "-g --global -s --silent -q --quiet -d --verbose --ws --workspaces "
     "--include-workspace-root --no-audit --no-fund"},
    {"pn", PNPM_VALUES, PNPM_FLAGS},
    {"pnpm", PNPM_VALUES, PNPM_FLAGS},
    {"podman", DOCKER_VALUES " --connection --identity --root --runroot --storage-driver --url",
     DOCKER_FLAGS " -r --remote"},
    {"terraform", "-chdir", ""},
};

/* The filter of the tools above (see AG_TOOL_HASH), which test_effects.c checks. */
static const bool global_tools[256] = {
    [AG_TOOL_HASH('d', 'o', 6)] = true,    /* docker */
    [AG_TOOL_HASH('g', 'h', 2)] = true,    /* gh */
    [AG_TOOL_HASH('h', 'e', 4)] = true,    /* helm */
    [AG_TOOL_HASH('k', 'u', 7)] = true,    /* kubectl */
    [AG_TOOL_HASH('n', 'p', 3)] = true,    /* npm */
    [AG_TOOL_HASH('p', 'n', 2)] = true,    /* pn */
    [AG_TOOL_HASH('p', 'n', 4)] = true,    /* pnpm */
    [AG_TOOL_HASH('p', 'o', 6)] = true,    /* podman */
    [AG_TOOL_HASH('t', 'e', 9)] = true,    /* terraform */
};

static bool may_be_tool(const char *name, size_t length)
{
    return length >= 2 && global_tools[AG_TOOL_HASH(name[0], name[1], length)];
}

/*
 * Returns how many words the global option at words[index] takes (1 or 2),
 * or 0 when it is not listed or its value is missing.
 */
static size_t global_option_words(const global_options *tool, const ag_shell_word *words,
                                  size_t count, size_t index)
{
    const char *text = words[index].text;
    size_t name_length = strcspn(text, "=");
    if (text[name_length] == '=')
        return ag_list_contains(tool->values, text, name_length)
                       || ag_list_contains(tool->flags, text, name_length)
                   ? 1
                   : 0;
    if (ag_list_contains(tool->flags, text, name_length))
        return 1;
    if (ag_list_contains(tool->values, text, name_length))
        return index + 1 < count && !words[index + 1].dynamic ? 2 : 0;

    /* `-nprod`: a short option with its value attached. */
    if (text[1] != '-' && name_length > 2 && ag_list_contains(tool->values, text, 2))
        return 1;
    return 0;
}

/* Returns the index of the subcommand after global options, or 0 when it is not known. */
static size_t find_subcommand(const global_options *tool, const ag_shell_command *command)
{
    for (size_t i = 1; i < command->word_count;) {
        const ag_shell_word *word = &command->words[i];
        if (word->dynamic)
            return 0;
        if (word->text[0] != '-')
            return i;
        size_t used = global_option_words(tool, command->words, command->word_count, i);
        if (used == 0)
            return 0;
        i += used;
    }
    return 0;
}

/* Returns the entry of the base name `name` (`length` bytes, may be NULL), or NULL. */
static const global_options *find_tool(const char *name, size_t length)
{
    if (name == NULL || !may_be_tool(name, length))
        return NULL;
    return ag_sorted_find(tools, sizeof(tools) / sizeof(tools[0]), sizeof(tools[0]), name,
                          length);
}

size_t ag_global_subcommand(const ag_shell_command *command)
{
    size_t length = 0;
    const char *name = ag_command_base_name(command, &length);
    const global_options *tool = find_tool(name, length);
    return tool != NULL ? find_subcommand(tool, command) : 0;
}

bool ag_global_table_is_consistent(void)
{
    size_t count = sizeof(tools) / sizeof(tools[0]);
    for (size_t i = 0; i < count; i++) {
        if (!may_be_tool(tools[i].name, strlen(tools[i].name)))
            return false;
    }
    return ag_sorted_is_strict(tools, count, sizeof(tools[0]));
}

ag_status ag_unwrap_global_options(ag_checker *checker, ag_command_list *list, size_t index,
                                   const char *name, size_t length)
{
    const ag_shell_command *command = &list->items[index];
    const global_options *tool = find_tool(name, length);
    if (tool == NULL)
        return AG_OK;
    size_t subcommand = find_subcommand(tool, command);
    if (subcommand <= 1)
        return AG_OK;
    return ag_unwrap_append_subcommand(checker, list, index, tool->name, subcommand);
}

ag_status ag_unwrap_append_subcommand(ag_checker *checker, ag_command_list *list, size_t index,
                                      const char *wrapper_name, size_t subcommand)
{
    const ag_shell_command *command = &list->items[index];
    size_t count = 1 + command->word_count - subcommand;
    ag_shell_word *words = ag_arena_calloc(&checker->arena, count + 1, sizeof(*words));
    if (words == NULL)
        return AG_ERR_NOMEM;
    words[0] = command->words[0];
    memcpy(words + 1, command->words + subcommand,
           (command->word_count - subcommand) * sizeof(*words));
    size_t before = list->count;
    ag_status status = ag_unwrap_append_words(checker, list, index, wrapper_name, words, count);
    if (status == AG_OK && list->count > before)
        list->items[before].flags |= AG_COMMAND_SUBCOMMAND_COPY;
    return status;
}
