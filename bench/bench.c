/*
 * agentguard-bench: latency, throughput, scaling and memory of the checker.
 *
 * Prints Markdown sections to stdout (bench/run-all puts them into
 * docs/benchmarks.md) and, with --json FILE, the per-workload medians that
 * bench/peers/compare reads. Every timing is wall-clock (CLOCK_MONOTONIC)
 * around one call, on one thread; the numbers include whatever else the
 * machine runs at the time.
 *
 * Usage: agentguard-bench [--corpus DIR] [--passes N] [--checks N] [--json FILE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <tree_sitter/api.h>

#include "agentguard.h"
#include "bench_alloc.h"
#include "core/ts_alloc.h"
#include "effects/decide.h"
#include "rules/paths.h"
#include "shell/shell.h"

const TSLanguage *tree_sitter_bash(void);

/* A list of requests timed together. `tools` is NULL for Bash commands. */
typedef struct workload {
    const char *name;
    char **items;       /* commands, or tool inputs as JSON */
    const char **tools;
    size_t count;
} workload;

typedef struct options {
    const char *corpus;
    int passes;
    long checks;
    const char *json;
} options;

/* Commands used when the corpus directory is missing. */
static const char *const sample_commands[] = {
    "git status", "git diff --stat HEAD~1", "ls -la src/", "cat README.md | head -50",
    "npm test -- --watch=false", "rm -rf build && make -j4", "grep -rn 'TODO' lib/ | wc -l",
    "python3 -m pytest tests/ -x -q", "find . -name '*.o' -delete",
    "curl -s https://api.github.com/repos/x/y | jq .stargazers_count",
    "cd /tmp && tar xzf archive.tar.gz", "echo \"$HOME\" > /tmp/out.txt",
    "for f in *.c; do gcc -c \"$f\"; done", "git commit -m 'Fix the parser'",
    "docker build -t app . && docker run --rm app", "sed -i 's/foo/bar/g' src/main.c",
};

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Returns the q-quantile (0..1) of sorted samples, nearest rank. */
static double quantile(const double *sorted, size_t count, double q)
{
    size_t rank = (size_t)(q * (double)(count - 1) + 0.5);
    return sorted[rank];
}

static long resident_kib(void)
{
    long pages = 0, resident = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm == NULL)
        return -1;
    if (fscanf(statm, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(statm);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void add_item(workload *load, char *text, const char *tool)
{
    load->items = realloc(load->items, (load->count + 1) * sizeof(*load->items));
    load->tools = tool != NULL ? realloc(load->tools, (load->count + 1) * sizeof(*load->tools))
                               : load->tools;
    if (tool != NULL)
        load->tools[load->count] = tool;
    load->items[load->count++] = text;
}

/* Reads one command per line, or `%%`-separated entries when `separator` is set. */
static bool read_commands(workload *load, const char *path, bool separator)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return false;
    char *line = NULL;
    size_t capacity = 0;
    ssize_t got;
    char *entry = NULL;
    size_t entry_length = 0;
    while ((got = getline(&line, &capacity, file)) >= 0) {
        if (!separator) {
            if (got > 0 && line[got - 1] == '\n')
                line[--got] = '\0';
            if (got > 0)
                add_item(load, strdup(line), NULL);
            continue;
        }
        if (strcmp(line, "%%\n") == 0 || strcmp(line, "%%") == 0) {
            if (entry_length > 0)
                add_item(load, entry, NULL);
            else
                free(entry);
            entry = NULL;
            entry_length = 0;
            continue;
        }
        entry = realloc(entry, entry_length + (size_t)got + 1);
        memcpy(entry + entry_length, line, (size_t)got + 1);
        entry_length += (size_t)got;
    }
    if (entry_length > 0)
        add_item(load, entry, NULL);
    else
        free(entry);
    free(line);
    fclose(file);
    return load->count > 0;
}

static workload load_corpus(const char *directory, const char *name, const char *file,
                            bool separator)
{
    workload load = {name, NULL, NULL, 0};
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", directory != NULL ? directory : ".", file);
    if (directory == NULL || !read_commands(&load, path, separator)) {
        load.name = "built-in sample";
        for (size_t i = 0; i < sizeof(sample_commands) / sizeof(*sample_commands); i++)
            add_item(&load, strdup(sample_commands[i]), NULL);
    }
    return load;
}

/* Tool requests other than Bash: file reads and writes, fetches and MCP tools. */
static workload tool_workload(void)
{
    static const char *const requests[][2] = {
        {"Read", "{\"file_path\": \"/repo/src/main.c\"}"},
        {"Read", "{\"file_path\": \"/home/user/.ssh/id_ed25519\"}"},
        {"Edit", "{\"file_path\": \"/repo/lib/parser.c\", \"old_string\": \"a\", \"new_string\": \"b\"}"},
        {"Write", "{\"file_path\": \"/etc/hosts\", \"content\": \"x\"}"},
        {"Grep", "{\"pattern\": \"TODO\", \"path\": \"/repo\"}"},
        {"WebFetch", "{\"url\": \"https://docs.python.org/3/library/os.html\", \"prompt\": \"x\"}"},
        {"WebFetch", "{\"url\": \"https://evil.example.net/x\", \"prompt\": \"x\"}"},
        {"mcp__github__create_issue", "{\"title\": \"x\"}"},
    };
    workload load = {"tool requests", NULL, NULL, 0};
    for (size_t i = 0; i < sizeof(requests) / sizeof(*requests); i++)
        add_item(&load, strdup(requests[i][1]), requests[i][0]);
    return load;
}

static const ag_verdict *check_item(ag_checker *checker, const workload *load, size_t i)
{
    ag_error *error = NULL;
    const ag_verdict *verdict =
        load->tools != NULL
            ? ag_check(checker, load->tools[i], load->items[i], "/repo", &error)
            : ag_check_command(checker, load->items[i], strlen(load->items[i]), "/repo", &error);
    ag_error_free(error);
    return verdict;
}

/* Latency samples and phase totals of one workload. */
typedef struct timing {
    double *samples;     /* per-check latency, ns, sorted after measure() */
    size_t sample_count;
    double check_total;  /* every sample, for the throughput */
    /*
     * Sums over the requests of each request's fastest time of the passes:
     * other processes on a shared machine only ever add time, so these are
     * the phases' costs with the least noise.
     */
    double best_check, best_parse, best_analyze;
    double best_lookup;  /* following the file effects' paths through symbolic links */
    size_t allocations;  /* malloc calls during one steady-state pass */
    size_t allocating_checks;
} timing;

/*
 * Times a bare parse. The parser allocates from its own pool, as the
 * checker's does, so the floor pays no malloc that the checker avoids.
 */
static double time_parse(TSParser *parser, ag_ts_pool *pool, const char *text, size_t length)
{
    double start = now_ns();
    ag_ts_pool *previous = ag_ts_pool_enter(pool);
    TSTree *tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)length);
    ts_tree_delete(tree);
    ag_ts_pool_leave(previous);
    return now_ns() - start;
}

static double time_analyze(ag_shell_analyzer *analyzer, ag_arena *arena, const char *text,
                           size_t length)
{
    ag_shell_limits limits = {AG_SHELL_DEFAULT_MAX_INPUT_BYTES, AG_SHELL_DEFAULT_MAX_DEPTH,
                              AG_SHELL_DEFAULT_MAX_COMMANDS, AG_SHELL_DEFAULT_TIMEOUT_MICROS};
    ag_shell_analysis analysis;
    double start = now_ns();
    ag_shell_analyze(analyzer, text, length, &limits, arena, &analysis);
    ag_arena_reset(arena);
    return now_ns() - start;
}

/*
 * Times what the check spent reading the file system: it follows the target
 * of each file effect whose destination can change the verdict (every write,
 * and reads only under Read rules or in acceptEdits mode) through symbolic
 * links on disk (ag_path_resolve()), one readlink() system call per path
 * component not looked up before in the same check.
 */
static double time_lookups(ag_checker *checker, const ag_verdict *verdict, ag_arena *arena)
{
    ag_lookup_cache cache;
    double start = now_ns();
    ag_lookup_cache_clear(&cache);
    for (size_t i = 0; i < ag_verdict_effect_count(verdict); i++) {
        if (ag_effect_link_matters(checker, ag_verdict_effect_kind(verdict, i)))
            ag_path_resolve(arena, &cache, ag_verdict_effect_target(verdict, i));
    }
    ag_arena_reset(arena);
    return now_ns() - start;
}

/* One request's times in one pass, ns. */
typedef struct phase_times {
    double check, parse, analyze, lookup;
} phase_times;

static void keep_fastest(phase_times *best, const phase_times *now, bool first)
{
    if (first || now->check < best->check)
        best->check = now->check;
    if (first || now->parse < best->parse)
        best->parse = now->parse;
    if (first || now->analyze < best->analyze)
        best->analyze = now->analyze;
    if (first || now->lookup < best->lookup)
        best->lookup = now->lookup;
}

/* Counts allocations over one pass, after a warm-up pass has sized the checker's buffers. */
static void count_allocations(ag_checker *checker, const workload *load, timing *result)
{
    for (size_t i = 0; i < load->count; i++) {
        size_t before = bench_alloc_snapshot().calls;
        check_item(checker, load, i);
        size_t made = bench_alloc_snapshot().calls - before;
        result->allocations += made;
        result->allocating_checks += made > 0;
    }
}

/*
 * Times every request `passes` times: the full check, and for Bash commands
 * the bare tree-sitter parse and the shell analysis of the same text.
 */
static timing measure(ag_checker *checker, const workload *load, int passes)
{
    timing result = {0};
    result.samples = malloc((size_t)passes * load->count * sizeof(double));
    ag_ts_pool *pool = ag_ts_pool_new();
    ag_ts_pool *previous = ag_ts_pool_enter(pool);
    TSParser *parser = ts_parser_new();
    ts_parser_set_language(parser, tree_sitter_bash());
    ag_ts_pool_leave(previous);
    ag_shell_analyzer *analyzer = ag_shell_analyzer_new();
    ag_arena arena;
    ag_arena_init(&arena);

    for (size_t i = 0; i < load->count; i++)
        check_item(checker, load, i);    /* warm-up */
    count_allocations(checker, load, &result);

    phase_times *best = calloc(load->count, sizeof(*best));
    for (int pass = 0; pass < passes; pass++) {
        for (size_t i = 0; i < load->count; i++) {
            phase_times now = {0};
            double start = now_ns();
            const ag_verdict *verdict = check_item(checker, load, i);
            now.check = now_ns() - start;
            result.samples[result.sample_count++] = now.check;
            result.check_total += now.check;
            if (load->tools == NULL) {
                size_t length = strlen(load->items[i]);
                now.lookup = verdict != NULL ? time_lookups(checker, verdict, &arena) : 0;
                now.parse = time_parse(parser, pool, load->items[i], length);
                now.analyze = time_analyze(analyzer, &arena, load->items[i], length);
            }
            keep_fastest(&best[i], &now, pass == 0);
        }
    }
    for (size_t i = 0; i < load->count; i++) {
        result.best_check += best[i].check;
        result.best_parse += best[i].parse;
        result.best_analyze += best[i].analyze;
        result.best_lookup += best[i].lookup;
    }
    free(best);
    qsort(result.samples, result.sample_count, sizeof(double), compare_doubles);
    ag_arena_release(&arena);
    ag_shell_analyzer_free(analyzer);
    previous = ag_ts_pool_enter(pool);
    ts_parser_delete(parser);
    ag_ts_pool_leave(previous);
    ag_ts_pool_free(pool);
    return result;
}

static void print_latency_row(const char *name, size_t requests, const timing *t)
{
    size_t n = t->sample_count;
    printf("| %s | %zu | %.1f | %.1f | %.1f | %.0f | %.2f |\n", name, requests,
           quantile(t->samples, n, 0.5) / 1e3, quantile(t->samples, n, 0.99) / 1e3,
           t->samples[n - 1] / 1e3, (double)n / (t->check_total / 1e9),
           (double)t->allocations / (double)requests);
}

static void print_share_row(const char *name, size_t requests, const timing *t)
{
    if (t->best_parse == 0)
        return;
    double parse = t->best_parse, analyze = t->best_analyze, check = t->best_check;
    double lookups = t->best_lookup, count = (double)requests;
    printf("| %s | %.1f | %.1f | %.1f | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.2f | %.0f%% |\n",
           name, parse / count / 1e3, analyze / count / 1e3, check / count / 1e3,
           100 * parse / check, 100 * (analyze - parse) / check, 100 * (check - analyze) / check,
           100 * (check - parse) / parse, lookups / count / 1e3,
           100 * (check - lookups - parse) / parse);
}

/* ------------------------------------------------------------- scaling */

/*
 * Writes `count` rules in realistic shapes: command prefixes with distinct
 * names, paths, domains and MCP names, a third each allow, ask and deny.
 */
static void write_generated_policy(FILE *out, size_t count)
{
    static const char *const sections[] = {"allow", "ask", "deny"};
    for (size_t s = 0; s < 3; s++) {
        fprintf(out, "%s:\n", sections[s]);
        for (size_t i = s; i < count; i += 3) {
            switch (i % 8) {
            case 0: fprintf(out, "  - Bash(tool%zu *)\n", i); break;
            case 1: fprintf(out, "  - Bash(deploy%zu --env prod *)\n", i); break;
            case 2: fprintf(out, "  - Bash(/opt/bin/run%zu)\n", i); break;
            case 3: fprintf(out, "  - Read(~/data%zu/**)\n", i); break;
            case 4: fprintf(out, "  - Edit(/srv/app%zu/**/*.conf)\n", i); break;
            case 5: fprintf(out, "  - WebFetch(domain:host%zu.example.com)\n", i); break;
            case 6: fprintf(out, "  - mcp__server%zu__tool\n", i); break;
            default: fprintf(out, "  - mcp__server%zu\n", i); break;
            }
        }
    }
}

/* Loads the built-in default policy plus `path`, the way a host layers its own rules. */
static ag_policy *load_layered(const char *path)
{
    ag_error *error = NULL;
    ag_policy_builder *builder = ag_policy_builder_new();
    const char *text = ag_default_policy_text();
    ag_policy *policy = NULL;
    if (ag_policy_builder_add_string(builder, "default", text, strlen(text), &error) == AG_OK
        && ag_policy_builder_add_file(builder, path, &error) == AG_OK)
        policy = ag_policy_builder_build(builder, &error);
    if (policy == NULL)
        fprintf(stderr, "agentguard-bench: loading %s failed: %s\n", path,
                error != NULL ? ag_error_message(error) : "unknown error");
    ag_error_free(error);
    ag_policy_builder_free(builder);
    return policy;
}

/*
 * Creates a checker the way a host does: with the user's home directory set,
 * so that `~/` rules compare against known paths. Without a home, every
 * `~/` rule could match any path, which is the slow and rare case.
 */
static ag_checker *new_checker(const ag_policy *policy, ag_error **error)
{
    ag_checker *checker = ag_checker_new(policy, error);
    if (checker != NULL)
        ag_checker_set_home(checker, "/home/user");
    return checker;
}

/*
 * Mean per-check times of the first row, which later rows are compared with,
 * and the last row's results for the JSON summary.
 */
typedef struct scale_base {
    double bash_mean;
    double tool_mean;
    size_t last_rules;
    double last_load_ms;
    double last_bash_ratio;
    double last_tool_ratio;
} scale_base;

static void scale_row(size_t rules, const workload *commands, const workload *tools,
                      int passes, scale_base *base)
{
    char path[] = "/tmp/agentguard-bench-XXXXXX";
    int fd = mkstemp(path);
    FILE *out = fdopen(fd, "w");
    write_generated_policy(out, rules);
    fclose(out);

    double loads[5];
    for (int i = 0; i < 5; i++) {
        double start = now_ns();
        ag_policy_free(load_layered(path));
        loads[i] = now_ns() - start;
    }
    qsort(loads, 5, sizeof(double), compare_doubles);

    struct mallinfo2 heap_before = mallinfo2();
    long long live_before = bench_alloc_snapshot().live_bytes;
    ag_policy *policy = load_layered(path);
    long long live = bench_alloc_snapshot().live_bytes - live_before;
    long long heap = (long long)mallinfo2().uordblks - (long long)heap_before.uordblks;
    unlink(path);
    if (policy == NULL)
        exit(1);

    ag_checker *checker = new_checker(policy, NULL);
    timing bash = measure(checker, commands, passes);
    timing other = measure(checker, tools, passes);
    double median = quantile(bash.samples, bash.sample_count, 0.5);
    double mean = bash.best_check / (double)commands->count;
    double tool_mean = other.best_check / (double)tools->count;
    if (base->bash_mean == 0)
        *base = (scale_base){.bash_mean = mean, .tool_mean = tool_mean};
    base->last_rules = rules;
    base->last_load_ms = loads[0] / 1e6;
    base->last_bash_ratio = mean / base->bash_mean;
    base->last_tool_ratio = tool_mean / base->tool_mean;
    size_t total = ag_policy_rule_count(policy);
    printf("| %zu | %zu | %.2f | %.1f | %.0f | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx |\n",
           rules, total, loads[0] / 1e6, (double)live / (double)total,
           (double)heap / (double)total, median / 1e3, mean / 1e3, mean / base->bash_mean,
           quantile(other.samples, other.sample_count, 0.5) / 1e3, tool_mean / 1e3,
           tool_mean / base->tool_mean);
    free(bash.samples);
    free(other.samples);
    ag_checker_free(checker);
    ag_policy_free(policy);
}

/* ------------------------------------------------------------ stability */

static void stability(ag_checker *checker, const workload *load, long checks)
{
    long kib[3];
    size_t heap[3];
    long sample = 0;
    for (long i = 0; i < checks; i++) {
        if (i == checks / 100 || i == checks / 2) {
            kib[sample] = resident_kib();
            heap[sample++] = mallinfo2().uordblks;
        }
        check_item(checker, load, (size_t)i % load->count);
    }
    kib[2] = resident_kib();
    heap[2] = mallinfo2().uordblks;
    printf("| %ld | %ld | %ld | %ld | %zu | %zu | %zu |\n", checks, kib[0], kib[1], kib[2],
           heap[0], heap[1], heap[2]);
}

/* ----------------------------------------------------------------- JSON */

static void write_workload_json(FILE *out, const workload *load, const timing *t)
{
    double count = (double)t->sample_count;
    fprintf(out, "\"%s\": {\"median_us\": %.3f, \"mean_us\": %.3f, \"p99_us\": %.3f, "
            "\"mallocs_per_check\": %.3f", load->name, quantile(t->samples, t->sample_count, 0.5) / 1e3,
            t->check_total / count / 1e3, quantile(t->samples, t->sample_count, 0.99) / 1e3,
            (double)t->allocations / (double)load->count);
    if (t->best_parse > 0)
        fprintf(out, ", \"parse_us\": %.3f, \"overhead_pct\": %.1f, "
                "\"overhead_without_lookups_pct\": %.1f", t->best_parse / (double)load->count / 1e3,
                100 * (t->best_check - t->best_parse) / t->best_parse,
                100 * (t->best_check - t->best_lookup - t->best_parse) / t->best_parse);
    fprintf(out, "}");
}

/* Writes the per-workload results and the largest rule-count row for bench/targets. */
static void write_json(const char *path, const workload *loads, const timing *timings,
                       size_t load_count, const scale_base *scale)
{
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        fprintf(stderr, "agentguard-bench: cannot write the JSON summary %s: %s\n", path,
                strerror(errno));
        return;
    }
    fprintf(out, "{");
    for (size_t i = 0; i < load_count; i++) {
        fprintf(out, "%s", i > 0 ? ", " : "");
        write_workload_json(out, &loads[i], &timings[i]);
    }
    fprintf(out, ", \"scale\": {\"generated_rules\": %zu, \"load_ms\": %.3f, "
            "\"mean_ratio\": %.3f, \"tool_mean_ratio\": %.3f}}\n", scale->last_rules,
            scale->last_load_ms, scale->last_bash_ratio, scale->last_tool_ratio);
    fclose(out);
}

/* ----------------------------------------------------------------- main */

static options parse_options(int argc, char **argv)
{
    static const char usage[] = "usage: %s [--corpus DIR] [--passes N] [--checks N] [--json FILE]\n"
                                "Without --corpus, a built-in sample of commands is used.\n";
    options opts = {NULL, 3, 1000000, NULL};
    for (int i = 1; i < argc; i += 2) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf(usage, argv[0]);
            exit(0);
        }
        if (i + 1 == argc) {
            fprintf(stderr, "%s: %s needs a value\n", argv[0], argv[i]);
            exit(2);
        }
        if (strcmp(argv[i], "--corpus") == 0)
            opts.corpus = argv[i + 1];
        else if (strcmp(argv[i], "--passes") == 0)
            opts.passes = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--checks") == 0)
            opts.checks = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--json") == 0)
            opts.json = argv[i + 1];
        else {
            fprintf(stderr, usage, argv[0]);
            exit(2);
        }
    }
    if (opts.passes < 1)
        opts.passes = 1;
    return opts;
}

/* The first `count` requests of a workload, for the scaling runs. */
static workload head(const workload *load, size_t count)
{
    workload part = *load;
    if (part.count > count)
        part.count = count;
    return part;
}

int main(int argc, char **argv)
{
    options opts = parse_options(argc, argv);
    workload loads[] = {
        load_corpus(opts.corpus, "agent-commands.txt", "agent-commands.txt", false),
        load_corpus(opts.corpus, "nl2bash.txt", "nl2bash.txt", false),
        load_corpus(opts.corpus, "agent-commands-multiline.txt", "agent-commands-multiline.txt",
                    true),
        tool_workload(),
    };
    size_t load_count = sizeof(loads) / sizeof(*loads);

    ag_error *error = NULL;
    ag_policy *policy = ag_policy_load_default(&error);
    ag_checker *checker = new_checker(policy, &error);
    if (checker == NULL) {
        fprintf(stderr, "agentguard-bench: %s\n", ag_error_message(error));
        return 1;
    }

    printf("### Latency per check, built-in default policy (%zu rules), one checker\n\n",
           ag_policy_rule_count(policy));
    printf("Each request checked %d times after one warm-up pass; allocations are counted over "
           "one more pass. Every checker has its home directory set (/home/user) and checks "
           "in /repo, as a host's would.\n\n", opts.passes);
    printf("| workload | requests | median us | p99 us | max us | checks/s | mallocs/check |\n");
    printf("|---|---|---|---|---|---|---|\n");
    timing timings[4];
    for (size_t i = 0; i < load_count; i++) {
        timings[i] = measure(checker, &loads[i], opts.passes);
        print_latency_row(loads[i].name, loads[i].count, &timings[i]);
    }

    printf("\n### Where the time goes (mean per request of its fastest pass)\n\n");
    printf("parse: bare `ts_parser_parse_string` with tree-sitter-bash; analysis: "
           "`ag_shell_analyze` (parse included); check: `ag_check_command`. "
           "Overhead is (check - parse) / parse. File lookups: the time the check's "
           "`ag_path_resolve()` calls take on their own, following each file effect whose "
           "destination can change the verdict (every write; a read only under a Read rule or "
           "in acceptEdits mode) through symbolic links with one `readlink()` per path "
           "component not looked up before in the same request; the last column leaves "
           "them out of the overhead.\n\n");
    printf("| workload | parse us | analysis us | check us | parse | walk | rules+effects | overhead over parse | file lookups us | overhead without lookups |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i + 1 < load_count; i++)
        print_share_row(loads[i].name, loads[i].count, &timings[i]);

    printf("\n### Allocation on the check path\n\n");
    printf("| workload | requests | mallocs in one pass | checks that allocate |\n|---|---|---|---|\n");
    for (size_t i = 0; i < load_count; i++)
        printf("| %s | %zu | %zu | %zu |\n", loads[i].name, loads[i].count,
               timings[i].allocations, timings[i].allocating_checks);

    printf("\n### Rule count: the built-in policy plus N generated rules\n\n");
    printf("Commands: the first 2,000 of %s; tool: the tool requests. Mean: the mean over "
           "the requests of each one's fastest check of the passes; mean vs first: that mean over "
           "the first row's. Load ms: the fastest of 5 loads. Memory per rule: bytes the library's objects hold "
           "(counted through -Wl,--wrap=malloc) and the glibc heap growth (mallinfo2) "
           "after loading, divided by the total rule count.\n\n", loads[0].name);
    printf("| generated | total rules | load ms | bytes/rule (wrap) | bytes/rule (heap) | median us | mean us | mean vs first | tool median us | tool mean us | tool mean vs first |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    workload sample = head(&loads[0], 2000);
    scale_base base = {0};
    const size_t sizes[] = {10, 100, 1000, 10000};
    for (size_t i = 0; i < 4; i++)
        scale_row(sizes[i], &sample, &loads[3], opts.passes, &base);

    printf("\n### Memory stability: one checker, the default policy\n\n");
    printf("RSS and the bytes of the glibc heap in use (mallinfo2), sampled after 1%% of the "
           "checks, half of them and all.\n\n");
    printf("| checks | RSS KiB at 1%% | RSS KiB at 50%% | RSS KiB at end | heap bytes at 1%% | at 50%% | at end |\n");
    printf("|---|---|---|---|---|---|---|\n");
    stability(checker, &loads[0], opts.checks);

    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("\nPeak RSS of the benchmark process: %ld KiB.\n", usage.ru_maxrss);

    if (opts.json != NULL)
        write_json(opts.json, loads, timings, load_count, &base);
    ag_checker_free(checker);
    ag_policy_free(policy);
    return 0;
}
