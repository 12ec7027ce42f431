// bench-xapian.cc -- the Xapian side of tools/bench.
//
//   bench-xapian index DB FILE.jsonl...   build DB from JSON Lines articles
//   bench-xapian query DB QUERYFILE       time each query, top 10 by BM25
//
// Indexing: TermGenerator with the English (Snowball) stemmer, positions on,
// title then body as free text; the id as a unique "Q" term; the JSON line
// as document data (every engine of the benchmark keeps the documents).
// Querying: QueryParser with the English stemmer (STEM_SOME), default
// operator AND, BM25 (Xapian's default weighting), the top 10.  A query
// file has one query a line, "TYPE<TAB>word word...", TYPE one of term,
// and, or, phrase; every query is run once to warm the caches, then once
// timed, and "TYPE<TAB>milliseconds<TAB>hits" is printed per query.
//
//   c++ -O2 tools/bench-xapian.cc $(pkg-config --cflags --libs xapian-core) -o bench-xapian
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string &what, const std::string &why)
{
    std::cerr << "bench-xapian: " << what << ": " << why << "\n";
    std::exit(2);
}

void put_utf8(std::string &out, unsigned long cp)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | cp >> 6);
        out += char(0x80 | (cp & 63));
    } else if (cp < 0x10000) {
        out += char(0xE0 | cp >> 12);
        out += char(0x80 | (cp >> 6 & 63));
        out += char(0x80 | (cp & 63));
    } else {
        out += char(0xF0 | cp >> 18);
        out += char(0x80 | (cp >> 12 & 63));
        out += char(0x80 | (cp >> 6 & 63));
        out += char(0x80 | (cp & 63));
    }
}

unsigned long hex4(const std::string &s, size_t i)
{
    return std::stoul(s.substr(i, 4), nullptr, 16);
}

// Decode the JSON string whose opening quote is at s[i - 1]; i ends after
// the closing quote.  Returns false on a malformed string.
bool json_string(const std::string &s, size_t &i, std::string &out)
{
    out.clear();
    while (i < s.size() && s[i] != '"') {
        size_t run = s.find_first_of("\"\\", i);
        if (run == std::string::npos) return false;
        out.append(s, i, run - i);
        i = run;
        if (s[i] != '\\') break;
        if (i + 1 >= s.size()) return false;
        char c = s[i + 1];
        i += 2;
        switch (c) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
            if (i + 4 > s.size()) return false;
            unsigned long cp = hex4(s, i);
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u') {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(s, i + 2) - 0xDC00);
                i += 6;
            }
            put_utf8(out, cp);
            break;
        }
        default: out += c; break;
        }
    }
    if (i >= s.size()) return false;
    i++;
    return true;
}

struct Article {
    std::string id, title, body;
};

// Fill a from one JSON Lines object; false when it has no string body.
bool parse_article(const std::string &line, Article &a)
{
    std::string key, value;
    bool have_body = false;
    a.id.clear();
    a.title.clear();
    size_t i = line.find('{');
    if (i == std::string::npos) return false;
    for (i++; i < line.size();) {
        while (i < line.size() && (line[i] == ' ' || line[i] == ',' || line[i] == '\t')) i++;
        if (i >= line.size() || line[i] == '}') break;
        if (line[i++] != '"' || !json_string(line, i, key)) return false;
        while (i < line.size() && (line[i] == ' ' || line[i] == ':')) i++;
        if (i < line.size() && line[i] == '"') {
            i++;
            if (!json_string(line, i, value)) return false;
            if (key == "id") a.id = value;
            else if (key == "title") a.title = value;
            else if (key == "body") { a.body = value; have_body = true; }
        } else {
            while (i < line.size() && line[i] != ',' && line[i] != '}') i++;
        }
    }
    return have_body;
}

int cmd_index(const std::string &path, int nfiles, char **files)
{
    Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    Article a;
    std::string line;
    long docs = 0, bad = 0;
    for (int f = 0; f < nfiles; f++) {
        std::ifstream in(files[f]);
        if (!in) die(files[f], "cannot open");
        while (std::getline(in, line)) {
            if (!parse_article(line, a)) { bad++; continue; }
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(a.title);
            tg.increase_termpos();
            tg.index_text(a.body);
            doc.add_boolean_term("Q" + a.id);
            doc.set_data(line);
            db.add_document(doc);
            docs++;
        }
    }
    db.commit();
    std::cerr << "bench-xapian: indexed " << docs << " documents (" << bad << " bad lines)\n";
    return 0;
}

// The QueryParser text of a typed query.
std::string query_text(const std::string &type, const std::string &words)
{
    if (type == "phrase") return "\"" + words + "\"";
    if (type != "or") return words; // the default operator is AND
    std::string out;
    size_t start = 0;
    while (start < words.size()) {
        size_t end = words.find(' ', start);
        if (end == std::string::npos) end = words.size();
        if (!out.empty()) out += " OR ";
        out.append(words, start, end - start);
        start = end + 1;
    }
    return out;
}

int run_query(Xapian::Enquire &enquire, Xapian::QueryParser &qp, const std::string &text)
{
    enquire.set_query(qp.parse_query(text));
    Xapian::MSet mset = enquire.get_mset(0, 10);
    int hits = 0;
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
        volatile Xapian::docid id = *it;
        (void)id;
        hits++;
    }
    return hits;
}

int cmd_query(const std::string &path, const std::string &qfile)
{
    std::ifstream in(qfile);
    if (!in) die(qfile, "cannot open");
    std::vector<std::string> types, texts;
    std::string line;
    while (std::getline(in, line)) {
        size_t tab = line.find('\t');
        if (tab == std::string::npos) continue;
        types.push_back(line.substr(0, tab));
        texts.push_back(query_text(types.back(), line.substr(tab + 1)));
    }
    Xapian::Database db(path);
    Xapian::Enquire enquire(db);
    enquire.set_weighting_scheme(Xapian::BM25Weight());
    Xapian::QueryParser qp;
    qp.set_stemmer(Xapian::Stem("english"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_database(db);
    qp.set_default_op(Xapian::Query::OP_AND);
    for (const std::string &t : texts) run_query(enquire, qp, t); // warm the caches
    for (size_t i = 0; i < texts.size(); i++) {
        auto t0 = std::chrono::steady_clock::now();
        int hits = run_query(enquire, qp, texts[i]);
        std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - t0;
        std::printf("%s\t%.4f\t%d\n", types[i].c_str(), ms.count(), hits);
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    try {
        std::string cmd = argc > 1 ? argv[1] : "";
        if (argc >= 4 && cmd == "index") return cmd_index(argv[2], argc - 3, argv + 3);
        if (argc == 4 && cmd == "query") return cmd_query(argv[2], argv[3]);
    } catch (const Xapian::Error &e) {
        die("xapian", e.get_description());
    }
    std::cerr << "usage: bench-xapian index DB FILE.jsonl...\n"
                 "       bench-xapian query DB QUERYFILE\n";
    return 2;
}
