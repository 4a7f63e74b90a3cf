from cpmis.complaints import tracking


def test_a_new_code_reads_back_with_its_check_symbol() -> None:
    code = tracking.new_code()
    assert len(code) == tracking.LENGTH
    shown = tracking.display(code)
    assert shown.count("-") == 2
    assert tracking.canonical(shown) == code
    assert tracking.canonical(shown.lower().replace("-", " ")) == code


def test_every_single_mistyped_symbol_is_caught() -> None:
    code = tracking.new_code()
    for i in range(tracking.LENGTH):
        for ch in tracking.ALPHABET:
            if ch == code[i]:
                continue
            typo = code[:i] + ch + code[i + 1 :]
            assert tracking.canonical(typo) is None, typo


def test_swapped_neighbours_are_caught_but_0_and_z() -> None:
    missed = set()
    for a in tracking.ALPHABET:
        for b in tracking.ALPHABET:
            if a == b:
                continue
            body = "ABCD" + a + b + "EFGH"[:4]
            code = body + tracking.check_symbol(body)
            swapped = "ABCD" + b + a + code[6:]
            if tracking.canonical(swapped) is not None:
                missed.add(frozenset((a, b)))
    assert missed == {frozenset("0Z")}  # Luhn mod N's one blind spot, as documented


def test_look_alike_letters_and_urdu_digits_are_read_as_meant() -> None:
    body = "0123456789"
    code = body + tracking.check_symbol(body)
    assert tracking.canonical("O1234567" + "89" + code[-1]) == code
    urdu = "".join(chr(0x06F0 + int(d)) for d in body) + code[-1]
    assert tracking.canonical(urdu) == code


def test_malformed_input_is_refused_without_error() -> None:
    for bad in ("", "ABC", "A" * 200, "\x00" * 11, "<script>", None):
        assert tracking.canonical(bad) is None  # type: ignore[arg-type]


def test_only_a_keyed_hash_is_stored() -> None:
    code = tracking.new_code()
    digest = tracking.digest(code)
    assert code not in digest and len(digest) == 64
    assert digest in tracking.digests(code)
