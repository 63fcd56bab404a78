"""Voucher codes: unguessable, readable, found however they are typed, never kept in clear."""

from __future__ import annotations

import math
import re

from trade_in.domain.voucher_codes import ALPHABET, LENGTH, code_hash, code_hint, new_code, normalised


def test_a_code_is_grouped_like_trd_and_four_groups_of_four() -> None:
    assert re.fullmatch(r"TRD(-[2-9A-HJ-NP-Z]{4}){4}", new_code())


def test_a_code_carries_at_least_80_bits_from_an_alphabet_without_look_alikes() -> None:
    assert LENGTH * math.log2(len(ALPHABET)) >= 80
    assert not set("0O1I") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET)


def test_ten_thousand_codes_never_repeat() -> None:
    assert len({new_code() for _ in range(10_000)}) == 10_000


def test_case_dashes_spaces_and_the_prefix_do_not_change_which_voucher_a_code_finds() -> None:
    code = "TRD-7KQ2-ABCD-EFGH-JK9M"
    assert code_hash(code) == code_hash("trd 7kq2 abcd efgh jk9m") == code_hash("7KQ2ABCDEFGHJK9M")
    assert normalised(code) == "7KQ2ABCDEFGHJK9M"


def test_what_is_kept_is_a_sha256_and_the_last_four_characters_never_the_code() -> None:
    code = new_code()
    digest = code_hash(code)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert normalised(code) not in digest
    assert code_hint(code) == code[-4:]


def test_two_different_codes_hash_differently() -> None:
    assert code_hash("TRD-2222-2222-2222-2222") != code_hash("TRD-2222-2222-2222-2223")
