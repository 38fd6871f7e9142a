#!/usr/bin/python3
"""The `words-v1` tokenizer of models/weights-format.md, byte for byte.

It works on bytes. A Python str (an e-mail's JSON "text") becomes bytes by
`text_bytes(text)` = text.encode("utf-8", errors="surrogatepass"): plain
UTF-8, with a lone surrogate (none occurs in the SpamAssassin corpus) kept
as its 3-byte encoding rather than failing. The C side is handed exactly
these bytes.

1. Headers. Lines end at b"\\n". If the first line begins with b"From " or
   with a field name (one or more of A-Z a-z 0-9 -) followed by b":", the
   text starts with a header block, which runs up to the first empty line
   (empty once one trailing b"\\r" is dropped) or to the end of the text.
   Of the block only the value of the first Subject field is kept: the rest
   of the first line of the block that begins with b"subject:" (matched
   case-insensitively), that one line without continuation lines. The body
   is everything after the empty line's b"\\n" (empty if there is none).
   Text without a header block is all body.
2. Words. The Subject value, then the body, are split into words
   separately: maximal runs of ASCII letters and digits, lowercased. Every
   other byte separates words.
3. Ids. PAD = 0, UNK = 1; a word in the vocabulary gets its id (2 + its
   index in the vocabulary list), any other word UNK.
4. Truncation. The first M words are kept; a text with no words gives [UNK].

Vocabulary: the V - 2 most frequent words (counting every occurrence)
over the truncated word sequences (first M words) of the training
documents, ties broken by ascending byte order of the word.
"""

import re
from collections import Counter

PAD = 0
UNK = 1
KIND = "words-v1"

_FIELD = re.compile(rb"[A-Za-z0-9-]+:")
_WORD = re.compile(rb"[A-Za-z0-9]+")


def text_bytes(text):
    """The bytes the tokenizer (and the C side) sees for a JSON text."""
    return text.encode("utf-8", errors="surrogatepass")


def _has_header(data):
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]
    return first.startswith(b"From ") or _FIELD.match(first) is not None


def split_header(data):
    """(subject bytes, body bytes) of `data` per rule 1."""
    if not _has_header(data):
        return b"", data
    subject = None
    pos = 0
    n = len(data)
    while pos < n:
        end = data.find(b"\n", pos)
        line = data[pos:] if end < 0 else data[pos:end]
        nxt = n if end < 0 else end + 1
        if line == b"" or line == b"\r":
            return subject or b"", data[nxt:]
        if subject is None and line[:8].lower() == b"subject:":
            subject = line[8:]
        pos = nxt
    return subject or b"", b""


def words(data):
    """All words of `data` (bytes) per rules 1 and 2, untruncated, as bytes."""
    subject, body = split_header(data)
    return [w.lower() for w in _WORD.findall(subject)] + \
           [w.lower() for w in _WORD.findall(body)]


def truncated_words(data, max_tokens):
    return words(data)[:max_tokens]


def build_vocab(word_lists, vocab_size):
    """The V - 2 most frequent words of `word_lists` (already truncated)."""
    counts = Counter()
    for ws in word_lists:
        counts.update(ws)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [w for w, _ in ranked[:vocab_size - 2]]


class Tokenizer:
    def __init__(self, vocab, max_tokens):
        """`vocab`: the words of ids 2, 3, ... (bytes or str, ASCII)."""
        self.vocab = [w.encode("ascii") if isinstance(w, str) else bytes(w) for w in vocab]
        self.max_tokens = int(max_tokens)
        self.index = {w: i + 2 for i, w in enumerate(self.vocab)}
        if len(self.index) != len(self.vocab):
            raise ValueError("duplicate word in vocabulary")
        for w in self.vocab:
            if not w or _WORD.fullmatch(w) is None or w.lower() != w:
                raise ValueError("not a words-v1 word: %r" % (w,))

    @property
    def vocab_size(self):
        return len(self.vocab) + 2

    def encode_bytes(self, data):
        ws = truncated_words(data, self.max_tokens)
        if not ws:
            return [UNK]
        get = self.index.get
        return [get(w, UNK) for w in ws]

    def encode(self, text):
        return self.encode_bytes(text_bytes(text))

    def metadata(self):
        return {
            "tokenizer.kind": KIND,
            "tokenizer.max_tokens": str(self.max_tokens),
            "tokenizer.vocab": "\n".join(w.decode("ascii") for w in self.vocab),
        }

    @classmethod
    def from_metadata(cls, md):
        if md.get("tokenizer.kind") != KIND:
            raise ValueError("tokenizer.kind is %r, not %r" % (md.get("tokenizer.kind"), KIND))
        text = md["tokenizer.vocab"]
        vocab = text.split("\n") if text else []
        return cls(vocab, int(md["tokenizer.max_tokens"]))


def fnv1a64_ids(ids):
    """FNV-1a 64 over the ids written as 8-byte little-endian int64 each."""
    h = 0xCBF29CE484222325
    for i in ids:
        for b in int(i).to_bytes(8, "little", signed=True):
            h ^= b
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h
