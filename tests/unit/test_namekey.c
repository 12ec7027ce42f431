/*
** test_namekey.c -- the name key (src/analysis/namekey.c).
**
** Expectations come from how names are actually spelled in the news, not
** from the code: each group below lists spellings of one person or place
** that must share a key, and distinct names (and ordinary English words
** that differ by a letter the rules touch) must keep distinct keys.  Words
** are folded by ng__fold_word() first, as the tokenizer would.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ng_int.h"
#include "ng_test.h"
#include "analysis/namekey.h"

static size_t key_of(const char *raw, char *key, size_t cap, uint32_t *fired)
{
    char folded[256];
    size_t n = ng__fold_word(folded, sizeof folded, raw, strlen(raw));
    return ng__name_key_explain(folded, n, key, cap, fired);
}

/* Spellings of one name, NULL-terminated. */
static const char *const groups[][8] = {
    {"Zelensky", "Zelenskyy", "Zelenskiy", "Zelenskii", "Zelenskyi", "Зеленський", "Зеленский", NULL},
    {"Sergey", "Sergei", "Sergej", "Сергей", "SERGEY", NULL},
    {"Orbán", "Orban", NULL},
    {"Lavrov", "Лавров", "LAVROV", NULL},
    {"Dmitry", "Dmitri", "Dmitrij", "Dmitriy", "Дмитрий", NULL},
    {"Khodorkovsky", "Hodorkovsky", "Khodorkovskiy", "Ходорковский", NULL},
    {"Tchaikovsky", "Chaikovsky", "Tschaikowsky", "Чайковский", NULL},
    {"Yeltsin", "Ельцин", NULL},
    {"Sergeyev", "Sergeev", "Сергеев", NULL},
    {"Vasilyev", "Vasiliev", "Васильев", NULL},
    {"Dostoyevsky", "Dostoevsky", "Достоевский", NULL},
    {"Abramovich", "Abramovitch", "Abramowicz", "Abramović", "Абрамович", NULL},
    {"Rachmaninoff", "Rachmaninov", NULL},
    {"Alexei", "Aleksei", "Alexey", "Алексей", NULL},
    {"Kyiv", "Київ", NULL},
    {"Yanukovych", "Yanukovich", "Янукович", NULL},
    {"Kapitza", "Kapitsa", "Капица", NULL},
    {"Ilyich", "Ilich", "Ильич", NULL},
    {"Yuri", "Yury", "Yuriy", "Юрий", NULL},
    {"Putin", "Путин", NULL},
    {"Shoigu", "Шойгу", NULL},
    {"Peskov", "Песков", NULL},
    {"Khrushchev", "Hrushchev", "Хрущёв", "Хрущев", NULL},
    {"Yevgeny", "Yevgeniy", "Евгений", NULL},
    {"Nikolai", "Nikolay", "Nikolaj", "Николай", NULL},
};

/* Distinct names and words: no two may share a key. */
static const char *const distinct[] = {
    "Putin", "Lavrov", "Blinken", "Biden", "Orban", "Zelensky", "Macron", "Scholz", "Johnson",
    "Stoltenberg", "Shoigu", "Peskov", "Medvedev", "Navalny", "Kuleba", "Yermak", "Reznikov",
    "Lukashenko", "Klitschko", "Poroshenko", "Yanukovych", "Gorbachev", "Yeltsin", "Sergei",
    "Dmitri", "Alexei", "Vladimir", "Volodymyr", "Oleksandr", "Alexander", "Mikhail", "Boris",
    "Moscow", "Kyiv", "Kiev", "Minsk", "Donetsk", "Luhansk", "Kharkiv", "Mariupol", "Odesa",
    "Crimea", "Belarus", "Ukraine", "Russia", "Kremlin", "Washington", "Berlin", "Brussels",
    "Tchaikovsky", "Khodorkovsky", "Sergeyev", "Vasilyev", "Dostoevsky", "Abramovich",
    /* ordinary words that differ only where a rule looks */
    "later", "latter", "diner", "dinner", "match", "mach", "batch", "bach", "year", "ear",
    "yeast", "east", "yearn", "earn", "show", "shoff", "fellow", "fellov", "watch", "witch", "czar",
    "char", "walk", "talk", "yes", "tax", "tact", "khaki", "hacki", "vice", "wise",
};

static void test_namekey_groups(void)
{
    size_t g, i;
    for (g = 0; g < NG_ARRAY_LEN(groups); g++) {
        char first[128], key[128];
        CU_ASSERT(key_of(groups[g][0], first, sizeof first, NULL) >= 3);
        for (i = 1; groups[g][i]; i++) {
            key_of(groups[g][i], key, sizeof key, NULL);
            if (strcmp(first, key) != 0) fprintf(stderr, "\n  %s -> %s but %s -> %s", groups[g][0], first, groups[g][i], key);
            CU_ASSERT_STRING_EQUAL(first, key);
        }
    }
}

static void test_namekey_groups_apart(void)
{
    size_t a, b;
    for (a = 0; a < NG_ARRAY_LEN(groups); a++)
        for (b = a + 1; b < NG_ARRAY_LEN(groups); b++) {
            char ka[128], kb[128];
            key_of(groups[a][0], ka, sizeof ka, NULL);
            key_of(groups[b][0], kb, sizeof kb, NULL);
            CU_ASSERT(strcmp(ka, kb) != 0);
        }
}

static void test_namekey_distinct(void)
{
    size_t a, b;
    for (a = 0; a < NG_ARRAY_LEN(distinct); a++)
        for (b = a + 1; b < NG_ARRAY_LEN(distinct); b++) {
            char ka[128], kb[128];
            CU_ASSERT(key_of(distinct[a], ka, sizeof ka, NULL) > 0);
            CU_ASSERT(key_of(distinct[b], kb, sizeof kb, NULL) > 0);
            if (strcmp(ka, kb) == 0) fprintf(stderr, "\n  collision: %s %s -> %s", distinct[a], distinct[b], ka);
            CU_ASSERT(strcmp(ka, kb) != 0);
        }
}

static void test_namekey_no_key(void)
{
    static const char *const none[] = {"", "a", "ab", "Ли", "2022", "covid19", "b52", "Αθήνα", "東京", "x-y"};
    size_t i;
    for (i = 0; i < NG_ARRAY_LEN(none); i++) {
        char key[64];
        uint32_t fired = 123;
        CU_ASSERT_EQUAL(key_of(none[i], key, sizeof key, &fired), 0);
        CU_ASSERT_EQUAL(fired, 0);
        CU_ASSERT_STRING_EQUAL(key, "");
    }
    /* words a sentence may start with but that are never names */
    {
        static const char *const never[] = {"The", "THE", "However", "Which", "Although", "Yourselves",
                                            "March", "May", "Sunday", "About", "Would", "It's"};
        char key[64];
        for (i = 0; i < NG_ARRAY_LEN(never); i++) {
            uint32_t fired = 123;
            CU_ASSERT_EQUAL(key_of(never[i], key, sizeof key, &fired), 0);
            CU_ASSERT_EQUAL(fired, 0);
        }
        /* ... while a longer or shorter word that starts or ends alike keeps its key */
        CU_ASSERT(key_of("Thea", key, sizeof key, NULL) > 0);
        CU_ASSERT(key_of("Mayer", key, sizeof key, NULL) > 0);
        CU_ASSERT(key_of("Marches", key, sizeof key, NULL) > 0);
        CU_ASSERT(key_of("Whic", key, sizeof key, NULL) > 0);
        CU_ASSERT(key_of("Abou", key, sizeof key, NULL) > 0);
    }
    /* three letters are enough; an apostrophe is not a letter */
    {
        char key[64];
        CU_ASSERT_EQUAL(key_of("Lee", key, sizeof key, NULL), 3);
        CU_ASSERT_EQUAL(key_of("O'Brien", key, sizeof key, NULL), 6);
        CU_ASSERT_STRING_EQUAL(key, "obrien");
    }
}

/* Which rules explain a pair: the fired masks name them. */
static int rule_bit(const char *id)
{
    size_t n, i;
    const ng_name_rule *r = ng__name_rules(&n);
    for (i = 0; i < n; i++)
        if (strcmp(r[i].id, id) == 0) return (int)i;
    return -1;
}

static void test_namekey_explain(void)
{
    size_t n, i;
    const ng_name_rule *r = ng__name_rules(&n);
    char key[64];
    uint32_t fired;
    CU_ASSERT(n > 0 && n <= 32);
    for (i = 0; i < n; i++) {
        CU_ASSERT(r[i].id && *r[i].id && r[i].what && *r[i].what && r[i].example && *r[i].example);
        CU_ASSERT_EQUAL(rule_bit(r[i].id), (int)i); /* ids are unique */
    }
    /* "Lavrov" needs no rule; "Лавров" only transliteration */
    key_of("Lavrov", key, sizeof key, &fired);
    CU_ASSERT_EQUAL(fired, 0);
    key_of("Лавров", key, sizeof key, &fired);
    CU_ASSERT_EQUAL(fired, 1u << rule_bit("cyrillic"));
    /* Zelenskyy: y -> i then ii -> i */
    key_of("Zelenskyy", key, sizeof key, &fired);
    CU_ASSERT_EQUAL(fired, (1u << rule_bit("y-i")) | (1u << rule_bit("ii-i")));
    key_of("Khodorkovsky", key, sizeof key, &fired);
    CU_ASSERT(fired & (1u << rule_bit("kh-h")));
    key_of("Tchaikovsky", key, sizeof key, &fired);
    CU_ASSERT(fired & (1u << rule_bit("tch-ch")));
    /* the plain entry point agrees with the explaining one */
    {
        char a[64], b[64], f[64];
        size_t fl = ng__fold_word(f, sizeof f, "Зеленський", strlen("Зеленський"));
        CU_ASSERT_EQUAL(ng__name_key(f, fl, a, sizeof a), ng__name_key_explain(f, fl, b, sizeof b, NULL));
        CU_ASSERT_STRING_EQUAL(a, b);
    }
}

/* Robustness: random bytes and random Latin/Cyrillic words never overrun
** the output, which holds only a-z, and a small cap cuts the key. */
static void test_namekey_fuzz(void)
{
    static const char *const pieces[] = {"a", "y", "i", "j", "k", "h", "t", "s", "c", "h", "w", "x", "e",
                                         "щ", "ь", "е", "й", "и", "ї", "є", "ю", "ъ", "ы", "'", "1", "é"};
    uint64_t rs = 4242;
    int iter;
    for (iter = 0; iter < 20000; iter++) {
        char in[200], out[300], small[5];
        size_t n = 0, k, i, len = 1 + ng_test_rand(&rs) % 40;
        if (iter % 2) {
            for (i = 0; i < len; i++) in[n++] = (char)(ng_test_rand(&rs) & 0xff);
        } else {
            for (i = 0; i < len; i++) {
                const char *p = pieces[ng_test_rand(&rs) % NG_ARRAY_LEN(pieces)];
                memcpy(in + n, p, strlen(p));
                n += strlen(p);
            }
        }
        k = ng__name_key(in, n, out, sizeof out);
        CU_ASSERT(k < sizeof out);
        CU_ASSERT_EQUAL(strlen(out), k);
        for (i = 0; i < k; i++) CU_ASSERT(out[i] >= 'a' && out[i] <= 'z');
        if (k > 0) {
            CU_ASSERT_EQUAL(ng__name_key(in, n, small, sizeof small), k < 4 ? k : 4);
            CU_ASSERT(strncmp(small, out, 4) == 0);
        }
    }
}

static CU_TestInfo namekey_tests[] = {
    {"variant groups share a key", test_namekey_groups},
    {"different names differ", test_namekey_groups_apart},
    {"distinct names and words keep distinct keys", test_namekey_distinct},
    {"no key for digits, short words, other scripts, function words", test_namekey_no_key},
    {"rules fired explain the key", test_namekey_explain},
    {"random input stays in bounds", test_namekey_fuzz},
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo ng_test_suites[] = {
    {"namekey", NULL, NULL, NULL, NULL, namekey_tests},
    CU_SUITE_INFO_NULL,
};
