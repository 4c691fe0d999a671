// libedit (BSD editline), the line editor psql uses. el_set, el_get and history are variadic,
// which Swift cannot call: these wrappers give each use its own typed signature.
#include <errno.h>
#include <histedit.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

typedef char *(*procure_el_prompt_fn)(EditLine *);
typedef unsigned char (*procure_el_command_fn)(EditLine *, int);

static inline int procure_el_set_prompt(EditLine *el, procure_el_prompt_fn prompt) {
    return el_set(el, EL_PROMPT, prompt);
}

static inline int procure_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

static inline int procure_el_set_signal(EditLine *el, int handle) {
    return el_set(el, EL_SIGNAL, handle);
}

static inline int procure_el_set_history(EditLine *el, History *lines) {
    return el_set(el, EL_HIST, history, lines);
}

static inline int procure_el_add_function(EditLine *el, const char *name, const char *help, procure_el_command_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}

static inline int procure_el_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, (const char *)NULL);
}

static inline int procure_history_set_size(History *h, HistEvent *ev, int size) {
    return history(h, ev, H_SETSIZE, size);
}

static inline int procure_history_set_unique(History *h, HistEvent *ev, int unique) {
    return history(h, ev, H_SETUNIQUE, unique);
}

static inline int procure_history_enter(History *h, HistEvent *ev, const char *line) {
    return history(h, ev, H_ENTER, line);
}

static inline int procure_history_load(History *h, HistEvent *ev, const char *path) {
    return history(h, ev, H_LOAD, path);
}

static inline int procure_history_save(History *h, HistEvent *ev, const char *path) {
    return history(h, ev, H_SAVE, path);
}

static inline int procure_el_set_client_data(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *procure_el_client_data(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}

// Ctrl-C while a line is being edited cancels that line, not the shell: the handler only notes
// the signal (installed without SA_RESTART, so a wait in progress returns EINTR), and the read
// function below then ends the line with an error, which el_gets reports as no line.
// (A function's own static: Swift emits the functions of this header, not its variables.)
static inline volatile sig_atomic_t *procure_interrupted(void) {
    static volatile sig_atomic_t interrupted;
    return &interrupted;
}

static void procure_note_interrupt(int signal_number) {
    (void)signal_number;
    *procure_interrupted() = 1;
}

static inline int procure_catch_interrupts(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = procure_note_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    return sigaction(SIGINT, &action, NULL);
}

/// Ctrl-C as it was: it ends the process (while a command runs, outside the line editor).
static inline int procure_default_interrupts(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGINT, &action, NULL);
}

/// Whether Ctrl-C was pressed since the last call; clears the note.
static inline int procure_take_interrupt(void) {
    int seen = *procure_interrupted();
    *procure_interrupted() = 0;
    return seen;
}

/// libedit's character reader, replaced so that an interrupt ends the line: one character from
/// standard input, UTF-8 (the locale's encoding) decoded; 1 = a character, 0 = end of input,
/// -1 = interrupted or a read error. A byte that is not valid UTF-8 reads as U+FFFD.
static int procure_el_read_char(EditLine *el, wchar_t *character) {
    (void)el;
    mbstate_t state;
    memset(&state, 0, sizeof state);
    for (;;) {
        // The note is looked at before every wait and at least every 100 ms: a Ctrl-C that
        // lands between two reads (not during one, so no EINTR) still ends the line.
        if (*procure_interrupted()) return -1;
        struct pollfd input = { STDIN_FILENO, POLLIN, 0 };
        int ready = poll(&input, 1, 100);
        if (ready == 0) continue;
        if (ready < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        char byte;
        ssize_t count = read(STDIN_FILENO, &byte, 1);
        if (count == 1) {
            size_t used = mbrtowc(character, &byte, 1, &state);
            if (used == (size_t)-2) continue;
            if (used == (size_t)-1) {
                *character = 0xFFFD;
            }
            return 1;
        }
        if (count == 0) return 0;
        if (errno == EINTR) continue;
        return -1;
    }
}

static inline int procure_el_read_with_interrupts(EditLine *el) {
    return el_set(el, EL_GETCFN, procure_el_read_char);
}
