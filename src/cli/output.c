/*
 * output.c -- terminal-safe and JSON-safe text, colour, snippet wrapping.
 *
 * Text that comes from documents or from the command line is never written
 * raw: on the terminal C0 controls are shown in caret notation (ESC as "^[",
 * TAB as "^I"), DEL as "^?", C1 controls and invalid UTF-8 as U+FFFD; in
 * JSON they are \u escapes and invalid UTF-8 is U+FFFD.  The only escape
 * sequences the program writes are its own SGR colour codes.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

size_t cli_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned int c = s[0];
    size_t n, i;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        goto bad;
    }
    if (len < n)
        goto bad;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto bad;
        v = (v << 6) | (uint32_t)(s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        goto bad;
    *cp = v;
    return n;
bad:
    *cp = CLI_UTF8_BAD;
    return 1;
}

/* Columns taken by a printable code point: 0 for combining marks and
 * zero-width characters, 2 for East Asian wide ones, else 1.  A small
 * locale-independent table; exactness is not needed for wrapping. */
static int cp_width(uint32_t cp)
{
    static const uint32_t zero[][2] = {
        {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
        {0x064B, 0x065F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
        {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
        {0xFEFF, 0xFEFF},
    };
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
    };
    size_t i;
    if (cp < 0x300)
        return 1;
    for (i = 0; i < sizeof zero / sizeof zero[0]; i++)
        if (cp >= zero[i][0] && cp <= zero[i][1])
            return 0;
    for (i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    return 1;
}

/* The terminal form of the character at s: fills out (at most 4 bytes),
 * *olen and *width; returns the bytes of s consumed. */
static size_t term_char(const unsigned char *s, size_t len, char out[4], size_t *olen, int *width)
{
    uint32_t cp;
    size_t n = cli_utf8_decode(s, len, &cp);
    if (cp == CLI_UTF8_BAD || (cp >= 0x80 && cp <= 0x9F)) {
        memcpy(out, REPLACEMENT, 3);
        *olen = 3;
        *width = 1;
    } else if (cp < 0x20 || cp == 0x7F) {
        out[0] = '^';
        out[1] = cp == 0x7F ? '?' : (char)(cp + 0x40);
        *olen = 2;
        *width = 2;
    } else {
        memcpy(out, s, n);
        *olen = n;
        *width = cp_width(cp);
    }
    return n;
}

void out_term(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    if (s == NULL)
        return;
    while (i < len) {
        /* copy runs of plain printable ASCII at once */
        size_t j = i;
        while (j < len && p[j] >= 0x20 && p[j] < 0x7F)
            j++;
        if (j > i) {
            fwrite(p + i, 1, j - i, f);
            i = j;
        } else {
            char buf[4];
            size_t olen;
            int w;
            i += term_char(p + i, len - i, buf, &olen, &w);
            fwrite(buf, 1, olen, f);
        }
    }
}

void out_term_str(FILE *f, const char *s)
{
    if (s != NULL)
        out_term(f, s, strlen(s));
}

size_t out_term_width(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, cols = 0;
    while (i < len) {
        char buf[4];
        size_t olen;
        int w;
        i += term_char(p + i, len - i, buf, &olen, &w);
        cols += (size_t)w;
    }
    return cols;
}

void out_json_str(FILE *f, const char *s, size_t len, size_t *map)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, d = 0; /* d: offset in the decoded string */
    fputc('"', f);
    while (i < len) {
        uint32_t cp;
        size_t n = cli_utf8_decode(p + i, len - i, &cp), k;
        if (map != NULL)
            for (k = 0; k < n; k++)
                map[i + k] = d + (cp == CLI_UTF8_BAD ? 0 : k);
        if (cp == CLI_UTF8_BAD) {
            fputs("\\ufffd", f);
            d += 3;
        } else if (cp == '"' || cp == '\\') {
            fputc('\\', f);
            fputc((int)cp, f);
            d += 1;
        } else if (cp == '\n') {
            fputs("\\n", f);
            d += 1;
        } else if (cp == '\t') {
            fputs("\\t", f);
            d += 1;
        } else if (cp == '\r') {
            fputs("\\r", f);
            d += 1;
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
            fputs("\\u", f);
            fputc(hex[(cp >> 12) & 0xF], f);
            fputc(hex[(cp >> 8) & 0xF], f);
            fputc(hex[(cp >> 4) & 0xF], f);
            fputc(hex[cp & 0xF], f);
            d += n;
        } else {
            fwrite(p + i, 1, n, f);
            d += n;
        }
        i += n;
    }
    if (map != NULL)
        map[len] = d;
    fputc('"', f);
}

int out_term_columns(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

int out_color_mode(const char *s)
{
    if (strcmp(s, "auto") == 0)
        return CLI_COLOR_AUTO;
    if (strcmp(s, "always") == 0)
        return CLI_COLOR_ALWAYS;
    if (strcmp(s, "never") == 0)
        return CLI_COLOR_NEVER;
    return -1;
}

int out_color_wanted(int mode)
{
    const char *nc;
    if (mode == CLI_COLOR_ALWAYS)
        return 1;
    if (mode == CLI_COLOR_NEVER)
        return 0;
    nc = getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Wrapping state. */
typedef struct wrap {
    FILE *f;
    int color, width, indent;
    int col;     /* current column */
    int lit;     /* highlight on */
    int started; /* something is on the current line */
} wrap;

static void set_lit(wrap *w, int on)
{
    if (!w->color || on == w->lit)
        return;
    fputs(on ? CLI_SGR_MATCH : CLI_SGR_RESET, w->f);
    w->lit = on;
}

static void new_line(wrap *w)
{
    int i;
    set_lit(w, 0);
    fputc('\n', w->f);
    for (i = 0; i < w->indent; i++)
        fputc(' ', w->f);
    w->col = w->indent;
    w->started = 0;
}

void out_snippet(FILE *f, const char *s, size_t len, const ng_range *ranges, size_t n_ranges,
                 int color, int width, int indent)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char *mask = NULL;
    wrap w;
    size_t i, r;
    int k;

    if (s == NULL)
        len = 0;
    if (indent < 0)
        indent = 0;
    if (width < indent + 10)
        width = indent + 10;
    if (color && len > 0 && n_ranges > 0) {
        mask = calloc(len, 1);
        for (r = 0; mask != NULL && r < n_ranges; r++) {
            size_t a = ranges[r].start, b = ranges[r].end;
            if (b > len)
                b = len;
            for (i = a; i < b; i++)
                mask[i] = 1;
        }
    }
    w.f = f;
    w.color = color && mask != NULL;
    w.width = width;
    w.indent = indent;
    w.col = indent;
    w.lit = 0;
    w.started = 0;
    for (k = 0; k < indent; k++)
        fputc(' ', f);

    i = 0;
    while (i < len) {
        size_t gap = i, ws, we, j;
        int ww;
        while (i < len && is_space(p[i]))
            i++;
        if (i >= len)
            break;
        ws = i;
        while (i < len && !is_space(p[i]))
            i++;
        we = i;
        ww = (int)out_term_width(s + ws, we - ws);
        if (w.started) {
            if (w.col + 1 + ww <= w.width) {
                set_lit(&w, mask != NULL && mask[gap]);
                fputc(' ', f);
                w.col++;
            } else {
                new_line(&w);
            }
        }
        for (j = ws; j < we;) {
            char buf[4];
            size_t olen, n;
            int cw;
            n = term_char(p + j, we - j, buf, &olen, &cw);
            if (w.started && w.col + cw > w.width)
                new_line(&w); /* a word longer than a line: break between characters */
            set_lit(&w, mask != NULL && mask[j]);
            fwrite(buf, 1, olen, f);
            w.col += cw;
            w.started = 1;
            j += n;
        }
    }
    set_lit(&w, 0);
    fputc('\n', f);
    free(mask);
}

/* ---- --format templates ------------------------------------------------
 *
 * A template is compiled once into a list of parts (literal text or a
 * placeholder), so that printing a hit is a walk over the parts with no
 * parsing and no allocation. */

enum { FMT_LITERAL = -1 };

static const char *const fmt_names[CLI_FMT_COUNT] = {
    "rank", "score", "id", "title", "date", "url", "snippet",
};

typedef struct fmt_part {
    int kind;         /* FMT_LITERAL or a CLI_FMT_* placeholder */
    size_t lit_start; /* literal: bytes [lit_start, lit_start + lit_len) of text */
    size_t lit_len;
} fmt_part;

struct cli_format {
    char *text; /* the literal bytes, escapes already decoded */
    fmt_part *parts;
    size_t n_parts;
    unsigned int fields; /* bit (1 << CLI_FMT_*) for each placeholder used */
};

void out_format_free(cli_format *fmt)
{
    if (fmt == NULL)
        return;
    free(fmt->text);
    free(fmt->parts);
    free(fmt);
}

/* Append a literal byte, extending the last part when it is a literal. */
static void fmt_add_byte(cli_format *fmt, size_t *used, char c)
{
    fmt_part *last = fmt->n_parts > 0 ? &fmt->parts[fmt->n_parts - 1] : NULL;
    fmt->text[*used] = c;
    if (last != NULL && last->kind == FMT_LITERAL && last->lit_start + last->lit_len == *used) {
        last->lit_len++;
    } else {
        fmt->parts[fmt->n_parts].kind = FMT_LITERAL;
        fmt->parts[fmt->n_parts].lit_start = *used;
        fmt->parts[fmt->n_parts].lit_len = 1;
        fmt->n_parts++;
    }
    (*used)++;
}

static int fmt_lookup(const char *name, size_t len)
{
    int k;
    for (k = 0; k < CLI_FMT_COUNT; k++)
        if (strlen(fmt_names[k]) == len && memcmp(fmt_names[k], name, len) == 0)
            return k;
    return -1;
}

/* Positions in messages are 1-based byte offsets into the template. */
static int fmt_escape(cli_format *fmt, size_t *used, const char *t, size_t *i)
{
    char c = t[*i + 1];
    switch (c) {
    case 't': fmt_add_byte(fmt, used, '\t'); break;
    case 'n': fmt_add_byte(fmt, used, '\n'); break;
    case '\\': case '{': case '}': fmt_add_byte(fmt, used, c); break;
    case '\0':
        cli_usage_error("--format: '\\' at the end of the template (position %zu)", *i + 1);
        return -1;
    default:
        cli_usage_error("--format: unknown escape '\\%c' at position %zu (known: \\t \\n \\\\ \\{ \\})",
                        c, *i + 1);
        return -1;
    }
    *i += 2;
    return 0;
}

static int fmt_placeholder(cli_format *fmt, const char *t, size_t *i)
{
    const char *name = t + *i + 1, *close = strchr(name, '}');
    size_t len;
    int kind;
    if (close == NULL) {
        cli_usage_error("--format: '{' at position %zu is not closed by '}'", *i + 1);
        return -1;
    }
    len = (size_t)(close - name);
    kind = fmt_lookup(name, len);
    if (kind < 0) {
        cli_usage_error("--format: unknown placeholder '{%.*s}' at position %zu (known: {rank} "
                        "{score} {id} {title} {date} {url} {snippet})",
                        len > 40 ? 40 : (int)len, name, *i + 1);
        return -1;
    }
    fmt->parts[fmt->n_parts].kind = kind;
    fmt->n_parts++;
    fmt->fields |= 1u << kind;
    *i += len + 2;
    return 0;
}

cli_format *out_format_compile(const char *tmpl)
{
    size_t len = strlen(tmpl), used = 0, i = 0;
    cli_format *fmt = calloc(1, sizeof *fmt);
    if (fmt != NULL) {
        fmt->text = malloc(len + 1);
        fmt->parts = malloc((len + 1) * sizeof *fmt->parts); /* at most a part per byte */
    }
    if (fmt == NULL || fmt->text == NULL || fmt->parts == NULL) {
        out_format_free(fmt);
        cli_error("out of memory");
        return NULL;
    }
    while (i < len) {
        int r = 0;
        if (tmpl[i] == '\\')
            r = fmt_escape(fmt, &used, tmpl, &i);
        else if (tmpl[i] == '{')
            r = fmt_placeholder(fmt, tmpl, &i);
        else
            fmt_add_byte(fmt, &used, tmpl[i++]);
        if (r != 0) {
            out_format_free(fmt);
            return NULL;
        }
    }
    return fmt;
}

unsigned int out_format_fields(const cli_format *fmt)
{
    return fmt != NULL ? fmt->fields : 0;
}

/* A field value on one line: runs of white space (TAB and newlines
 * included) become one space and other controls are made terminal-safe, so
 * that the template's own \t and \n stay reliable separators.  Bytes inside
 * ranges are wrapped in the highlight colour when color is set. */
static void fmt_field(FILE *f, const ng_buf *b, const ng_range *ranges, size_t n_ranges, int color)
{
    const char *s = b != NULL && b->ptr != NULL ? b->ptr : "";
    size_t len = b != NULL && b->ptr != NULL ? b->size : 0, i = 0, r = 0;
    int lit = 0;
    while (i < len) {
        size_t j = i;
        int want;
        while (r < n_ranges && ranges[r].end <= i)
            r++;
        want = color && r < n_ranges && ranges[r].start <= i;
        if (want != lit) {
            fputs(want ? CLI_SGR_MATCH : CLI_SGR_RESET, f);
            lit = want;
        }
        if (is_space((unsigned char)s[i])) {
            while (j < len && is_space((unsigned char)s[j]))
                j++;
            fputc(' ', f);
        } else {
            /* up to the next space or range boundary */
            size_t stop = len;
            if (r < n_ranges)
                stop = lit ? ranges[r].end : ranges[r].start;
            if (stop > len || stop <= i)
                stop = len;
            while (j < stop && !is_space((unsigned char)s[j]))
                j++;
            out_term(f, s + i, j - i);
        }
        i = j;
    }
    if (lit)
        fputs(CLI_SGR_RESET, f);
}

void out_format_hit(FILE *f, const cli_format *fmt, const cli_hit *hit, int color)
{
    size_t k;
    for (k = 0; k < fmt->n_parts; k++) {
        const fmt_part *p = &fmt->parts[k];
        switch (p->kind) {
        case FMT_LITERAL: fwrite(fmt->text + p->lit_start, 1, p->lit_len, f); break;
        case CLI_FMT_RANK: fprintf(f, "%zu", hit->rank); break;
        case CLI_FMT_SCORE: fprintf(f, "%.4f", hit->score); break;
        case CLI_FMT_ID: fmt_field(f, hit->id, NULL, 0, 0); break;
        case CLI_FMT_TITLE: fmt_field(f, hit->title, NULL, 0, 0); break;
        case CLI_FMT_DATE: fmt_field(f, hit->date, NULL, 0, 0); break;
        case CLI_FMT_URL: fmt_field(f, hit->url, NULL, 0, 0); break;
        case CLI_FMT_SNIPPET:
            fmt_field(f, hit->snippet, hit->ranges, hit->n_ranges, color);
            break;
        default: break;
        }
    }
    fputc('\n', f);
}
