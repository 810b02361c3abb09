/*
 * Shell analysis: parses a Bash command with tree-sitter-bash and lists every
 * simple command that could run, with its words after quote removal, its
 * variable assignments and its redirections.
 *
 * All memory of an analysis comes from the arena passed to ag_shell_analyze(),
 * so a caller frees an analysis by resetting or releasing that arena.
 */
#ifndef AG_SHELL_SHELL_H
#define AG_SHELL_SHELL_H

#include "core/common.h"

/*
 * One shell word after quote removal. A word is dynamic when part of its value
 * is only known at run time: parameter expansion, command substitution,
 * arithmetic, an unquoted glob, brace expansion, or a tilde. Each unknown part
 * appears in `text` as one AG_DYNAMIC_MARK byte, so "foo$X" is "foo\x01".
 */
/* The variable whose expansion starts a word, for the paths that rules may read through it. */
typedef enum ag_word_variable {
    AG_WORD_VARIABLE_NONE,
    AG_WORD_VARIABLE_HOME,    /* $HOME or ${HOME}, quoted or not */
    AG_WORD_VARIABLE_PWD      /* $PWD or ${PWD} */
} ag_word_variable;

typedef struct ag_shell_word {
    const char *text;      /* NUL-terminated; may contain AG_DYNAMIC_MARK */
    size_t length;         /* bytes in text, without the NUL */
    bool dynamic;
    uint32_t start, end;   /* byte span of the word in the analysed input */
    /* Set when text[0] is the AG_DYNAMIC_MARK of this variable's expansion. */
    ag_word_variable first_variable;
    /* Set when the word is known to stay one argv entry: no part of it is
     * split into words or globbed. False for a word not built by the parser. */
    bool single;
    /* Set when an unquoted expansion or "$@" in it may split it into words
     * that do not share its literal parts, so any of them may be an option. */
    bool splits;
} ag_shell_word;

typedef enum ag_redirect_kind {
    AG_REDIRECT_READ,        /* <  */
    AG_REDIRECT_WRITE,       /* >, >|, &> */
    AG_REDIRECT_APPEND,      /* >>, &>> */
    AG_REDIRECT_READ_WRITE,  /* <> */
    AG_REDIRECT_DUPLICATE,   /* >&N, <&N, N>&-: copies or closes a descriptor */
    AG_REDIRECT_HEREDOC,     /* << and <<-: target is the delimiter, body in `body` */
    AG_REDIRECT_HERESTRING   /* <<< */
} ag_redirect_kind;

typedef struct ag_shell_redirect {
    ag_redirect_kind kind;
    int fd;                  /* the descriptor number written before the operator, or -1 */
    const char *op;          /* the operator as written: ">", ">>", "&>", "<<-", ... */
    ag_shell_word target;    /* file name, descriptor, heredoc delimiter or here-string */
    ag_shell_word body;      /* heredoc body after expansion marks; empty otherwise */
    bool body_expands;       /* heredoc with an unquoted delimiter: $(...) in it runs */
} ag_shell_redirect;

/* Where a command sits, as a bit set. */
enum {
    AG_CONTEXT_SUBSTITUTION = 1u << 0,  /* inside $(...) or backticks */
    AG_CONTEXT_PROCESS_SUBSTITUTION = 1u << 1, /* inside <(...) or >(...) */
    AG_CONTEXT_SUBSHELL = 1u << 2,      /* inside ( ... ) */
    AG_CONTEXT_FUNCTION = 1u << 3,      /* inside a function body */
    AG_CONTEXT_CONDITION = 1u << 4,     /* in the condition of if, while or until */
    AG_CONTEXT_LOOP = 1u << 5,          /* in the body of for, while or until */
    AG_CONTEXT_BACKGROUND = 1u << 6,    /* followed by & */
    AG_CONTEXT_NEGATED = 1u << 7,       /* after ! */
    AG_CONTEXT_HEREDOC = 1u << 8        /* inside an expanding heredoc body */
};

/*
 * One simple command. `words` is its argv: words[0] is the command name. A
 * command with no words (only assignments or redirections, such as `X=1` or
 * `> file`) has word_count 0.
 *
 * Redirections of a compound statement (`{ a; } > f`, `while ...; done < f`,
 * `(cd x) > y`, or those written after a function body) are listed as an
 * extra command with no words that carries them, followed by the commands of
 * the body. `[[ ]]`, `[ ]`, `(( ))`, declarations and `unset` are commands
 * whose words are their tokens, so `[[ -f x ]]` has the words "[[", "-f", "x",
 * "]]". Commands are sorted by start byte, an outer command before the
 * commands substituted inside it.
 */
typedef struct ag_shell_command {
    ag_shell_word *words;
    size_t word_count;
    ag_shell_word *assignments;     /* NAME=value prefixes, text as "NAME=value" */
    size_t assignment_count;
    ag_shell_redirect *redirects;
    size_t redirect_count;
    uint32_t start, end;            /* byte span of the command in the input */
    unsigned context;               /* AG_CONTEXT_* bits */
    unsigned depth;                 /* nesting depth of substitutions and subshells */
    uint32_t pipeline;              /* commands of one pipeline share this number */
    uint32_t pipeline_position;     /* 0 for the first command of its pipeline */
    uint32_t requires;              /* the pipeline that must have succeeded for this command
                                       to run, as `a` for `b` in `a && b`; 0 for none. The
                                       command with that pipeline number has its own. */
    const char *keyword;            /* NULL, or a declaration or test command kind: "declare", "[[", "((" ... */
    unsigned flags;                 /* AG_COMMAND_* bits, set by the evaluator after analysis */
    const char *wrapper;            /* for a command found behind a wrapper: the wrapper's name */
} ag_shell_command;

/*
 * What the evaluator learns about a command beyond its words. The analysis
 * leaves these 0; unwrapping (lib/eval/unwrap.c) sets them.
 */
enum {
    AG_COMMAND_WRAPPED = 1u << 0,        /* found behind a wrapper: sudo, env, xargs, bash -c, ... */
    AG_COMMAND_RUNS_CODE = 1u << 1,      /* an interpreter fed code (python -c, awk with system()):
                                            only an allow rule without `*` can allow it */
    AG_COMMAND_OPAQUE = 1u << 2,         /* runs something the analysis cannot see: at least ask */
    AG_COMMAND_EXTRA_ARGUMENTS = 1u << 3,/* gets more arguments at run time (xargs); a trailing
                                            dynamic word stands for them */
    AG_COMMAND_UNSAFE_ENVIRONMENT = 1u << 4, /* assigns a variable that changes what runs
                                            (PATH, LD_PRELOAD, BASH_ENV, ...): at least ask */
    AG_COMMAND_UNLISTED_ENVIRONMENT = 1u << 5, /* assigns a variable outside the harmless list:
                                            allow rules do not apply */
    AG_COMMAND_TRANSPARENT = 1u << 6,    /* a wrapper such as timeout or nice whose command was
                                            found: without a rule of its own, that command's
                                            check decides */
    AG_COMMAND_UNKNOWN_DIRECTORY = 1u << 7, /* runs in a directory known only at run time
                                            (find -execdir), and so do the commands behind it */
    AG_COMMAND_SUBCOMMAND_COPY = 1u << 8, /* the copy of a command without its global options
                                            (git -C d status as git status), for the rules;
                                            the same process as the command it copies */
    AG_COMMAND_STDIN_CODE = 1u << 9      /* with AG_COMMAND_RUNS_CODE: the interpreter may read
                                            its program from stdin (python with no script) */
};

/* Why an analysis is incomplete. Any of these bits forbids allowing the request. */
enum {
    AG_SHELL_PARSE_ERROR = 1u << 0,   /* tree-sitter produced an ERROR or MISSING node */
    AG_SHELL_UNKNOWN_NODE = 1u << 1,  /* a node type the walker does not know */
    AG_SHELL_LIMIT = 1u << 2,         /* a size, depth, count or time limit was reached */
    AG_SHELL_NOMEM = 1u << 3          /* memory ran out; the analysis is partial */
};

typedef struct ag_shell_limits {
    size_t max_input_bytes;   /* 0 means no limit */
    unsigned max_depth;       /* nesting depth of the syntax tree walked; 0 or above 1000 means 1000,
                                 because the walk recurses once per level */
    size_t max_commands;
    uint64_t timeout_micros;  /* parse time budget, 0 means none */
} ag_shell_limits;

/* Limits used when a policy sets none. */
#define AG_SHELL_DEFAULT_MAX_INPUT_BYTES (1024 * 1024)
#define AG_SHELL_DEFAULT_MAX_DEPTH 200
#define AG_SHELL_DEFAULT_MAX_COMMANDS 1000
#define AG_SHELL_DEFAULT_TIMEOUT_MICROS 1000000

/* A byte span of the input. */
typedef struct ag_shell_span {
    uint32_t start, end;
} ag_shell_span;

typedef struct ag_shell_analysis {
    ag_shell_command *commands;
    size_t command_count;
    unsigned incomplete;             /* AG_SHELL_* bits; 0 when complete */
    const char *problem;             /* first problem as a sentence, or NULL */
    uint32_t problem_start, problem_end;  /* byte span of the first problem */
    const ag_shell_span *error_pieces;    /* with a parse error: the pieces its ERROR nodes
                                             split the input into, and the text inside
                                             backticks that tree-sitter-bash left as text
                                             (ag_shell_analyze_lines()) */
    size_t error_piece_count;
    const ag_shell_span *unwalked;   /* the first AG_SHELL_MAX_UNWALKED nodes that the depth
                                        limit kept the walk out of */
    size_t unwalked_count;
    bool unparsed;                   /* the input or time limit stopped the parse itself,
                                        so no command was analysed */
} ag_shell_analysis;

/* Maximum number of nodes an analysis lists as kept out of the walk by the depth limit. */
#define AG_SHELL_MAX_UNWALKED 16

/* Owns a tree-sitter parser. One per thread. */
typedef struct ag_shell_analyzer ag_shell_analyzer;

ag_shell_analyzer *ag_shell_analyzer_new(void);
void ag_shell_analyzer_free(ag_shell_analyzer *analyzer);

/*
 * Analyses `length` bytes of `input`. Every allocation comes from `arena`.
 * Always fills *out: on any problem, including running out of memory, the
 * commands found so far are kept and `incomplete` says why the rest is
 * missing. Returns AG_OK, or AG_ERR_NOMEM when even the result could not be
 * stored.
 */
ag_status ag_shell_analyze(ag_shell_analyzer *analyzer, const char *input,
                           size_t length, const ag_shell_limits *limits,
                           ag_arena *arena, ag_shell_analysis *out);

/*
 * Analyses each line of `input` on its own, for a request whose own analysis
 * met a parse error: tree-sitter-bash's error recovery can drop a whole
 * command from the tree, and the line that contains it may still parse. A
 * newline escaped by a backslash joins two lines, and a carriage return
 * before a newline is left out. Stores the commands of every line in *out,
 * with spans in `input`, sorted by line. Parse errors of single lines are
 * not reported. `incomplete` gets AG_SHELL_LIMIT when the input limit, the
 * command limit or the time limit (a budget for all lines together, as large
 * as the one for the whole request) ended the work before the last line.
 *
 * NOTE: a line inside a heredoc or a multi-line quoted string is read as
 * commands too, which Bash never runs. Callers use these commands only to
 * make a request that already asks stricter.
 */
ag_status ag_shell_analyze_lines(ag_shell_analyzer *analyzer, const char *input,
                                 size_t length, const ag_shell_limits *limits,
                                 ag_arena *arena, ag_shell_analysis *out);

/*
 * Analyses what a limit kept out of `whole`, the analysis of `input`, for a
 * request that can then be denied by what it contains. When the input or
 * time limit stopped the parse (`whole->unparsed`), analyses the first
 * max_input_bytes of the input in chunks of a line, or of at most
 * AG_SHELL_CHUNK_BYTES cut after a ';', '&', '|' or blank, each alone. When
 * the depth limit kept the walk out of nodes (`whole->unwalked`), analyses
 * the text of each such node alone, and again the nodes that stay too deep
 * there, at most AG_SHELL_MAX_REPARSES times. The command and time budget
 * is the same as for ag_shell_analyze_lines(). Stores the commands in *out
 * with spans in `input`.
 *
 * NOTE: a chunk cut inside a quoted string or a heredoc reads its text as
 * commands, which Bash never runs, and the commands of a chunk or node are
 * read out of their context. Callers use them only to make a request that
 * already asks stricter.
 */
ag_status ag_shell_analyze_limited(ag_shell_analyzer *analyzer, const char *input,
                                   size_t length, const ag_shell_limits *limits,
                                   ag_arena *arena, const ag_shell_analysis *whole,
                                   ag_shell_analysis *out);

/* Maximum length of a chunk that ag_shell_analyze_limited() parses alone, in bytes. */
#define AG_SHELL_CHUNK_BYTES 4096

/* Maximum number of nodes that ag_shell_analyze_limited() parses again. */
#define AG_SHELL_MAX_REPARSES 64

/*
 * As ag_shell_analyze_lines(), for an input that `whole` is the analysis
 * of. An input of one line, or one without a parse error, is not parsed
 * again, because that parse is `whole`. Only its pieces are
 * (`error_pieces`).
 */
ag_status ag_shell_analyze_lines_after(ag_shell_analyzer *analyzer, const char *input,
                                       size_t length, const ag_shell_limits *limits,
                                       ag_arena *arena, const ag_shell_analysis *whole,
                                       ag_shell_analysis *out);

/* What a prefix that can run a builtin in the current shell does with its operand. */
typedef enum ag_prefix {
    AG_PREFIX_NONE,             /* the word is no such prefix */
    AG_PREFIX_RUNS,             /* the operand runs in the current shell */
    AG_PREFIX_NOTHING,          /* nothing runs: command -v */
    AG_PREFIX_UNSURE            /* an option this check does not know */
} ag_prefix;

/*
 * Reads the prefix at words[*index] and moves *index past its options.
 * `command` (with -p; -v and -V run nothing), `builtin`, a leading `time`
 * (a reserved word, with -p) and `jobs -x` run their operand in the current
 * shell, so a `cd` or an assignment behind them acts as if written alone.
 * The arithmetic checks and the directory tracker both read commands this
 * way.
 */
ag_prefix ag_shell_read_prefix(const ag_shell_word *words, size_t count, size_t *index);

/* The options and operands of a builtin that assigns the variables it names. */
typedef struct ag_name_syntax {
    const char *name;
    const char *values;          /* option letters that take a value that is no name */
    const char *names;           /* option letters whose value is a variable name */
    const char *flags;           /* other option letters; any letter not listed is unknown */
    bool operand_names;          /* the operands are variable names */
} ag_name_syntax;

/*
 * Returns the syntax of mapfile, printf, read, readarray, unset or wait, or
 * NULL for another name.
 */
const ag_name_syntax *ag_shell_find_name_syntax(const char *name);

/* The value of the first letter of an option cluster that takes one. */
typedef struct ag_option_value {
    char letter;          /* the letter that took the value or ended the scan */
    bool unknown;         /* `letter` is in no set, so the scan stopped at it */
    bool found;           /* a letter takes a value, and the value is there */
    bool is_name;         /* the value is a variable name */
    ag_shell_word word;   /* the value: the rest of the cluster word, or the next word */
    size_t words_used;    /* the words after the cluster that the value took: 0 or 1 */
} ag_option_value;

/*
 * Reads the option cluster words[index], such as `-ra NAME` or `-vNAME`:
 * the first letter of `values` or `names` ends it, and its value is the rest
 * of the word or, at the end of the word, the next word. A letter in no set
 * is a flag when `flags` is NULL and ends the scan as unknown otherwise.
 */
ag_option_value ag_shell_read_option_cluster(const ag_shell_word *words, size_t count,
                                             size_t index, const char *values,
                                             const char *names, const char *flags);

#endif
