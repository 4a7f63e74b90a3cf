"""A phonetic key that lets a name written in Urdu script meet the same name in Latin script.

Urdu script writes consonants and long vowels and usually leaves short vowels out, and Latin
spellings of the same name differ mostly in their vowels (Muhammad, Mohammad, Muhammed) and in
letters that sound alike (q/k, z/dh, w/v). So both scripts are reduced to a skeleton of
consonant classes: vowels (and the letters that act as vowels inside a word: و ی ے ا ع, w y
inside a Latin word) are dropped, letters that sound alike share a class (س ص ث s → S;
ز ذ ض ظ z → Z; ت ط ٹ t → T; ح ہ h → H), aspiration (ھ, "h" after a consonant) is dropped,
a final ہ / h that only marks a vowel ("Fatimah", "فاطمہ") is dropped, and doubled letters
collapse; a word that starts with a vowel keeps one mark for it (``A``). "محمد", "Muhammad"
and "Mohammed" all become ``MHMD``; "عائشہ" and "Ayesha" ``AS``; "علی" and "Ali" ``AL``…

Common abbreviations are expanded first (Md, Mohd, Muhd → Muhammad; Bux → Bakhsh). The
original spelling is never changed; the key is only compared.
"""

from __future__ import annotations

import re

from .search import normalize_name

# Urdu letters (after normalize_name has folded Arabic forms to Urdu ones) to classes.
_URDU = {
    "ب": "B",
    "پ": "P",
    "ت": "T",
    "ٹ": "T",
    "ط": "T",
    "ث": "S",
    "س": "S",
    "ص": "S",
    "ش": "S",
    "ج": "J",
    "چ": "C",
    "ح": "H",
    "ہ": "H",
    "خ": "X",
    "د": "D",
    "ڈ": "D",
    "ذ": "Z",
    "ز": "Z",
    "ژ": "Z",
    "ض": "Z",
    "ظ": "Z",
    "ر": "R",
    "ڑ": "R",
    "غ": "G",
    "گ": "G",
    "ف": "F",
    "ق": "K",
    "ک": "K",
    "ل": "L",
    "م": "M",
    "ن": "N",
    "ں": "N",
    "و": "W",
    "ی": "Y",
    "ے": "Y",
}
_URDU_SILENT = set("اآأإءئؤعھ")
_URDU_INITIAL_VOWELS = set("اآأإع")
VOWEL = "A"  # the mark of a word-initial vowel

# Latin digraphs first, then single letters.
_LATIN_DIGRAPHS = {
    "kh": "X",
    "gh": "G",
    "sh": "S",
    "ch": "C",
    "th": "T",
    "dh": "Z",
    "ph": "F",
    "bh": "B",
    "jh": "J",
    "zh": "Z",
}
_LATIN = {
    "b": "B",
    "p": "P",
    "t": "T",
    "s": "S",
    "c": "K",
    "j": "J",
    "h": "H",
    "x": "KS",
    "d": "D",
    "z": "Z",
    "r": "R",
    "g": "G",
    "f": "F",
    "q": "K",
    "k": "K",
    "l": "L",
    "m": "M",
    "n": "N",
    "w": "W",
    "v": "W",
    "y": "Y",
}
_VOWEL_LIKE = {"W", "Y"}

_ABBREVIATIONS = {
    "md": "muhammad",
    "mhd": "muhammad",
    "mohd": "muhammad",
    "muhd": "muhammad",
    "mohamad": "muhammad",
    "m": "muhammad",
    "bux": "bakhsh",
    "baksh": "bakhsh",
}
_URDU_LETTER = re.compile(r"[\u0600-\u06ff]")


def is_urdu(text: str) -> bool:
    """Whether a name is written (at least partly) in Urdu / Arabic script."""
    return bool(_URDU_LETTER.search(text or ""))


def split_by_script(text: str) -> tuple[str, str]:
    """A typed name as (its Latin-script words, its Urdu-script words), in order: a name typed
    in one field ("Ayesha", "عائشہ", or both spellings one after the other) is stored in the
    field of its script."""
    latin: list[str] = []
    urdu: list[str] = []
    for word in (text or "").split():
        (urdu if is_urdu(word) else latin).append(word)
    return " ".join(latin), " ".join(urdu)


def _skeleton(codes: list[str]) -> str:
    """Drop vowel-like letters inside the word, collapse doubles."""
    out: list[str] = []
    for i, code in enumerate(codes):
        if code in _VOWEL_LIKE and i > 0:
            continue
        if out and out[-1] == code:
            continue
        out.append(code)
    return "".join(out)


def _urdu_word(word: str) -> str:
    letters = [ch for ch in word if ch in _URDU or ch in _URDU_SILENT]
    # A final ہ after a consonant marks a vowel (فاطمہ = Fatima).
    if len(letters) > 1 and letters[-1] == "ہ":
        letters = letters[:-1]
    codes: list[str] = []
    # A word that starts with a vowel (alif, ain) keeps one mark for it: علی AL, not L.
    if letters and letters[0] in _URDU_INITIAL_VOWELS:
        codes.append(VOWEL)
        letters = letters[1:]
    codes += [_URDU[ch] for ch in letters if ch in _URDU]
    return _skeleton(codes)


def _latin_word(word: str) -> str:
    word = "".join(ch for ch in word if "a" <= ch <= "z")
    if len(word) > 1 and word.endswith("h") and word[-2] in "aeiou":
        word = word[:-1]  # Fatimah, Shah
    codes: list[str] = []
    if word[:1] in ("a", "e", "i", "o", "u"):
        codes.append(VOWEL)  # Ali AL, Usman ASMN, as in Urdu script
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in _LATIN_DIGRAPHS:
            codes.append(_LATIN_DIGRAPHS[pair])
            i += 2
            continue
        ch = word[i]
        if ch == "h" and i > 0 and word[i - 1] not in "aeiou":
            i += 1  # aspiration
            continue
        if ch in _LATIN:
            codes.extend(_LATIN[ch])
        i += 1
    return _skeleton(codes)


def word_key(word: str) -> str:
    """The key of one word of a name, in either script."""
    word = normalize_name(word)
    word = _ABBREVIATIONS.get(word, word)
    if is_urdu(word):
        return _urdu_word(word)
    return _latin_word(word)


def name_keys(*names: str) -> list[str]:
    """The keys of every word of the given names, in order, empty keys left out."""
    keys: list[str] = []
    for name in names:
        for word in normalize_name(name).split():
            key = word_key(word)
            if key:
                keys.append(key)
    return keys


def name_key(*names: str) -> str:
    return " ".join(name_keys(*names))
