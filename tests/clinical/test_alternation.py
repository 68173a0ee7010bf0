"""Word lists regrouped by first letter find exactly the matches of the plain alternation."""

from __future__ import annotations

import re

import pytest

from cdi.clinical import knowledge, treatments, values
from cdi.clinical.alternation import by_first_char, split_top_level
from tests.clinical.notes import note

TEXTS = [
    note(
        hpi="Febrile with temperature of 101.8, BP 84/50, HR 118, SpO2 88% on room air. Lactate 4.1.",
        labs="WBC 15.2, Na 126, K 3.1, BUN/Cr 42/2.1, Hgb 6.9/Hct 21, BNP 1,450, EF 25% to 30%.",
        assessment="Sepsis due to pneumonia, acute on chronic systolic heart failure, AKI.",
        plan="Vancomycin and Zosyn, IV fluids, 2 units PRBC, BiPAP overnight, wound care to sacrum.",
    ),
    "t 38.9 T 101 k 3.2 K 3.2 sat 91% na 130 cpap CPAP bi-pap z-pak Z-PAK abx ABX hct 30 HCT 30",
    "Wound cultures grew Clostridium septicum, Clostridium species and E. cloacae; Gram stain gram-positive"
    " cocci in clusters; positive blood cultures, final identification pending; MRSA screen negative;"
    " C. diff toxin positive; Candida glabrata; GNR.",
    "",
]


def plain(body: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w])", re.IGNORECASE)


def matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict[str, str]]]:
    return [
        (m.span(), {k: v for k, v in m.groupdict().items() if v is not None}) for m in pattern.finditer(text)
    ]


@pytest.mark.parametrize(
    "body",
    [
        "abc|ab|a?bd|[xy]z|b\\s+c|\\bbd\\b|(?:ac|ad)|(?:ba|ca)|x{2}|1\\d|yz",
        "(?P<g_0>abc)|(?P<g_1>(?:ab|ac))|(?P<g_2>b[-\\s]?c)",
        "ab(?=c)|abc|a",
    ],
)
def test_regrouping_keeps_every_match_and_which_alternative_matched(body):
    texts = ["abc ab abd bd xz yz ac ad ba ca b c b-c xx 12 a", "AB ABC Bd A XZ", "ab abd b  c"]
    for text in texts:
        assert matches(plain(by_first_char(body)), text) == matches(plain(body), text)


def test_an_unnamed_capturing_group_leaves_the_alternation_as_it_was():
    assert by_first_char("a(b)|c") == "a(b)|c"


def test_alternatives_are_split_at_the_top_level_only():
    assert split_top_level(r"a|(?:b|c)|[|]|\||d") == ["a", "(?:b|c)", "[|]", r"\|", "d"]


def test_shipped_word_lists_match_as_they_did_before_regrouping():
    shipped = [(values._ANALYTE_RE, None)]
    shipped += [
        (compiled, plain(source))
        for kind, sources in treatments.TREATMENT_PATTERNS.items()
        for source, compiled in zip(sources, treatments._COMPILED[kind], strict=True)
    ]
    for item in knowledge.default_knowledge().conditions:
        for terms in (item.documenting_terms, item.specificity_terms):
            if terms:
                body = "|".join(t.replace(" ", r"\s+") for t in sorted(terms, key=len, reverse=True))
                shipped.append((knowledge.compile_terms(terms), plain(body)))
    shipped[0] = (values._ANALYTE_RE, values._build_analyte_regex(regroup=False))
    shipped.append((values._ORGANISM_RE, values._build_organism_regex(regroup=False)))
    assert values._ORGANISM_RE.pattern != shipped[-1][1].pattern  # the organism list is regrouped too
    regrouped = sum(fast.pattern != slow.pattern for fast, slow in shipped)
    assert regrouped > len(shipped) // 2
    for fast, slow in shipped:
        for text in TEXTS:
            assert matches(fast, text) == matches(slow, text)
