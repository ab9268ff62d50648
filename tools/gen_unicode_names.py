#!/usr/bin/python3
"""Generates lib/python/unicode_names.inc: the character names a \\N{...} escape accepts in a
CPython 3.11 str literal (Debian 12's /usr/bin/python3, Unicode 14.0), for
lib/python/unicode_names.cpp.

    /usr/bin/python3 tools/gen_unicode_names.py > lib/python/unicode_names.inc

What the interpreter accepts (measured, see tools/check_unicode_names.py):
  * every name unicodedata.name() gives, in any ASCII letter case, and every formal name alias
    (NameAliases.txt: corrections, controls, alternates, figments, abbreviations), also in any
    case; named sequences are refused;
  * CJK UNIFIED IDEOGRAPH-XXXX and HANGUL SYLLABLE ... are computed, not listed, and only in
    upper case (4 or 5 upper-case hex digits, a leading 0 allowed; the Hangul jamo matched
    longest first, as CPython does);
  * nothing else: no surrounding spaces, no doubled spaces, no empty name.

unicodedata cannot list the aliases, so their candidates come from Perl's copy of the Unicode
14.0 name list (perl-modules-5.36, the same Unicode version); a candidate is kept only when this
Python's \\N{} resolves it to the same code point, so the file only proposes names.

The table: names split into words at spaces and after hyphens; words in a dictionary, names as
word numbers, sorted, front-coded in blocks; every character of the encoded data is one of 91
printable ASCII characters, so the generated source is about as large as the data.
"""
import collections
import sys
import unicodedata

PERL_NAMES = "/usr/share/perl/5.36.0/unicore/Name.pl"
PERL_VERSION = "/usr/share/perl/5.36.0/unicore/version"

# 0x21..0x7E without '"', '\\' (no escapes needed) and '?' (no trigraph warnings).
ALPHABET = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in "\"\\?")
BASE = len(ALPHABET)
VARINT_FINAL = 45  # digits below this end a varint; the others carry BASE - VARINT_FINAL each
BLOCK = 32  # names per block: the block's first name is stored whole
CHUNK = 60000  # characters per string literal, under the 65536 -Woverlength-strings allows
END, SELF_HEX = 0, 1  # token numbers: end of name, the entry's own code point in hex
CJK_PREFIX = "CJK UNIFIED IDEOGRAPH-"
HANGUL_PREFIX = "HANGUL SYLLABLE "


def escape_ok(name):
    """The code point \\N{name} gives in a str literal, or None when the literal is refused."""
    try:
        value = eval(compile('"\\N{%s}"' % name, "m.py", "eval"))
    except SyntaxError:
        return None
    return ord(value) if len(value) == 1 else None


def perl_names():
    with open(PERL_VERSION) as f:
        version = f.read().strip()
    if version != unicodedata.unidata_version:
        sys.exit("%s is Unicode %s, this Python is %s" % (PERL_NAMES, version, unicodedata.unidata_version))
    with open(PERL_NAMES) as f:
        body = f.read().split("return <<'END';\n", 1)[1].split("\nEND\n", 1)[0]
    for entry in body.strip().split("\n\n"):
        code, name = entry.split("\n")
        if " " not in code:  # several code points: a named sequence
            yield int(code, 16), name


def collect():
    """name -> code point for everything the table lists, plus the algorithmic pieces."""
    names = {}
    cjk = []
    for cp in range(0x110000):
        name = unicodedata.name(chr(cp), None)
        if name is None or name.startswith(HANGUL_PREFIX):
            continue
        if name.startswith(CJK_PREFIX):
            if cjk and cjk[-1][1] == cp - 1:
                cjk[-1][1] = cp
            else:
                cjk.append([cp, cp])
            continue
        names[name] = cp
    for cp, name in perl_names():
        if name not in names and unicodedata.name(chr(cp), None) != name and escape_ok(name) == cp:
            names[name] = cp  # an alias
    for name in names:
        assert name.startswith(CJK_PREFIX) is False and name.startswith(HANGUL_PREFIX) is False
        assert name == name.upper() and name.isascii()
    return names, cjk


def hangul_jamo():
    """The short jamo names (leading, vowel, trailing), read back from the syllable names."""
    base = 0xAC00

    def rest(cp):
        return unicodedata.name(chr(cp))[len(HANGUL_PREFIX):]

    vowels = [rest(base + 11 * 21 * 28 + v * 28) for v in range(21)]  # 11: the silent leading jamo
    leads = [rest(base + l * 21 * 28)[: -len(vowels[0])] for l in range(19)]
    trails = [rest(base + 11 * 21 * 28 + t)[len(vowels[0]):] for t in range(28)]
    return leads, vowels, trails


def tokens_of(name, cp):
    out = []
    for word in name.split(" "):
        parts = word.split("-")
        out += [p + "-" for p in parts[:-1]] + [parts[-1]]
    # "BKA- SHOG": the empty word after a hyphen that ends a word brings the space back.
    if out[-1] == "%04X" % cp:
        out[-1] = SELF_HEX
    return out


def join(tokens, cp):
    text, prev = "", None
    for t in tokens:
        word = "%04X" % cp if t == SELF_HEX else t
        if prev is not None and not prev.endswith("-"):
            text += " "
        text += word
        prev = word
    return text


def digits_of_varint(z):
    out = []
    while z >= VARINT_FINAL:
        out.append(VARINT_FINAL + z % (BASE - VARINT_FINAL))
        z //= BASE - VARINT_FINAL
    out.append(z)
    return out


def best_tiers(counts):
    """Token numbers below T1 take one digit, below T1 + (T2 - T1) * BASE two, the rest three."""
    ranked = sorted(counts.values(), reverse=True)
    best = None
    for t1 in range(BASE):
        for t2 in range(t1, BASE):
            two = t1 + (t2 - t1) * BASE
            if two + (BASE - t2) * BASE * BASE < len(ranked):
                continue
            cost = sum(ranked[:t1]) + 2 * sum(ranked[t1:two]) + 3 * sum(ranked[two:])
            if best is None or cost < best[0]:
                best = (cost, t1, t2)
    return best[1], best[2]


def token_digits(number, t1, t2):
    if number < t1:
        return [number]
    number -= t1
    if number < (t2 - t1) * BASE:
        return [t1 + number // BASE, number % BASE]
    number -= (t2 - t1) * BASE
    return [t2 + number // (BASE * BASE), number // BASE % BASE, number % BASE]


def c_string(digits):
    return "".join(ALPHABET[d] for d in digits)


def main():
    names, cjk = collect()
    tokens = {n: tokens_of(n, cp) for n, cp in names.items()}
    for n, cp in names.items():
        assert join(tokens[n], cp) == n, n
    counts = collections.Counter(t for ts in tokens.values() for t in ts if t != SELF_HEX)
    selfhex = sum(1 for ts in tokens.values() if SELF_HEX in ts)
    freq = {END: len(names), SELF_HEX: selfhex}
    freq.update({w: c for w, c in counts.items()})
    t1, t2 = best_tiers(freq)
    # Within a tier only the count of digits matters, so words there are sorted by length and a
    # word's place in the dictionary follows from its number (no table of offsets).
    order = sorted(freq, key=lambda w: -freq[w])
    two = t1 + (t2 - t1) * BASE
    specials = [END, SELF_HEX]
    words = [w for w in order if w not in specials]
    tier_one = words[: t1 - 2]
    tier_two = words[t1 - 2 : two - 2]
    tier_three = words[two - 2 :]
    words = sorted(tier_one, key=lambda w: (len(w), w)) + sorted(tier_two, key=lambda w: (len(w), w))
    words += sorted(tier_three, key=lambda w: (len(w), w))
    number = {w: i + 2 for i, w in enumerate(words)}
    number[END], number[SELF_HEX] = END, SELF_HEX
    groups = []  # (first number, offset of first word, length)
    offset = 0
    for i, w in enumerate(words):
        if not groups or groups[-1][2] != len(w):
            groups.append((i + 2, offset, len(w)))
        offset += len(w)
    dictionary = "".join(words)
    assert len(dictionary) <= 65535, "split the dictionary: -Woverlength-strings"

    chunks, blocks = [""], []
    ordered = sorted(names)
    for b in range(0, len(ordered), BLOCK):
        text = ""
        prev_tokens, prev_cp = [], 0
        for n in ordered[b : b + BLOCK]:
            ts, cp = tokens[n], names[n]
            shared = 0
            while shared < min(len(ts), len(prev_tokens)) and ts[shared] == prev_tokens[shared]:
                shared += 1
            digits = [shared]
            for t in ts[shared:] + [END]:
                digits += token_digits(number[t], t1, t2)
            delta = cp - prev_cp
            digits += digits_of_varint(2 * delta if delta >= 0 else -2 * delta - 1)
            text += c_string(digits)
            prev_tokens, prev_cp = ts, cp
        if len(chunks[-1]) + len(text) > CHUNK:
            chunks.append("")
        blocks.append((len(chunks) - 1, len(chunks[-1])))
        chunks[-1] += text

    leads, vowels, trails = hangul_jamo()
    out = []
    w = out.append
    w("// Generated by tools/gen_unicode_names.py from CPython %s (Unicode %s); do not edit."
      % (sys.version.split()[0], unicodedata.unidata_version))
    aliases = sum(1 for n, cp in names.items() if unicodedata.name(chr(cp), None) != n)
    w("// %d listed names: %d character names (%d end in their own code point in hex) and %d aliases;"
      % (len(names), len(names) - aliases, selfhex, aliases))
    w("// %d dictionary words (%d characters); %d blocks of %d names in %d characters."
      % (len(words), len(dictionary), len(blocks), BLOCK, sum(len(c) for c in chunks)))
    w("// NOLINTBEGIN")
    w('constexpr std::string_view kAlphabet = "%s";' % ALPHABET)
    w("constexpr unsigned kVarintFinal = %d;" % VARINT_FINAL)
    w("constexpr unsigned kTierOne = %d;" % t1)
    w("constexpr unsigned kTierTwo = %d;" % t2)
    w("constexpr unsigned kEndToken = %d;" % END)
    w("constexpr unsigned kSelfHexToken = %d;" % SELF_HEX)
    w("constexpr size_t kLongestName = %d;" % max(len(n) for n in names))
    w("constexpr size_t kBlockSize = %d;" % BLOCK)
    w("constexpr size_t kNameCount = %d;" % len(names))
    w("constexpr size_t kMostTokens = %d;" % max(len(t) for t in tokens.values()))
    w("constexpr WordGroup kWordGroups[] = {")
    for g in groups:
        w("    {%d, %d, %d}," % g)
    w("};")
    w("constexpr std::string_view kDictionary =")
    for i in range(0, len(dictionary), 100):
        w('    "%s"' % dictionary[i : i + 100])
    w("    ;")
    w("// Literals of at most %d characters each: a block never straddles two." % CHUNK)
    for i, c in enumerate(chunks):
        w("constexpr char kNames%d[] =" % i)
        for j in range(0, len(c), 100):
            w('    "%s"' % c[j : j + 100])
        w("    ;")
    w("constexpr std::string_view kNameChunks[] = {")
    for i in range(len(chunks)):
        w("    {kNames%d, sizeof kNames%d - 1}," % (i, i))
    w("};")
    w("constexpr BlockStart kBlocks[] = {")
    for i in range(0, len(blocks), 6):
        w("    " + " ".join("{%d, %d}," % b for b in blocks[i : i + 6]))
    w("};")
    w("constexpr CodeRange kCjkUnified[] = {")
    for first, last in cjk:
        w("    {0x%X, 0x%X}," % (first, last))
    w("};")
    for var, jamo in (("kHangulLeading", leads), ("kHangulVowel", vowels), ("kHangulTrailing", trails)):
        w("constexpr std::string_view %s[] = {" % var)
        w("    " + " ".join('"%s",' % j for j in jamo))
        w("};")
    w("// NOLINTEND")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
