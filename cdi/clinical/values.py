"""Lab and vital values with units, dates and trends; cultures and organisms.

Every result keeps the exact character span it came from so that evidence can be
highlighted in the note. Values outside a plausible range for the analyte are
dropped: that is what stops "potassium 20 mEq daily" (a medication dose) or
"magnesium oxide 400" from reading as lab results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cdi.clinical.alternation import by_first_char
from cdi.clinical.organisms import (
    EPITHETS,
    GENERA,
    GRAM_STAIN,
    IDENTIFICATION_PENDING,
    UNIDENTIFIED_CULTURE,
    UNNAMED_SPECIES,
)

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"


@dataclass(frozen=True)
class Analyte:
    name: str
    aliases: tuple[str, ...]
    unit: str
    low: float  # plausible range, after scaling
    high: float
    thousands: bool = False  # counts written as 231,000 are scaled to 231 (x10^9/L)


ANALYTES: tuple[Analyte, ...] = (
    Analyte("sodium", ("sodium", "serum sodium", "na", "na+"), "mmol/L", 95, 190),
    Analyte("potassium", ("potassium", "serum potassium", "k", "k+"), "mmol/L", 1.5, 9.5),
    Analyte("magnesium", ("magnesium", "mag", "mg level", "serum magnesium"), "mg/dL", 0.4, 6),
    Analyte("creatinine", ("creatinine", "serum creatinine", "creat", "cr"), "mg/dL", 0.1, 25),
    Analyte("bun", ("bun", "blood urea nitrogen", "urea nitrogen"), "mg/dL", 1, 250),
    Analyte("hemoglobin", ("hemoglobin", "haemoglobin", "hgb", "hb", "h&h", "h and h", "h/h"), "g/dL", 2, 25),
    Analyte("hematocrit", ("hematocrit", "hct"), "%", 8, 70),
    Analyte(
        "wbc",
        (
            "wbc",
            "white count",
            "white blood cell count",
            "white cell count",
            "white blood count",
            "white blood cells",
            "leukocyte count",
            "wbc count",
            "white blood cell",
            "leukocytosis of",
            "leukocytosis to",
        ),
        "x10^9/L",
        0.1,
        150,
        thousands=True,
    ),
    Analyte(
        "platelets", ("platelets", "platelet count", "platelet", "plt", "plts"), "x10^9/L", 1, 1500, True
    ),
    Analyte("lactate", ("lactate", "lactic acid", "lactic acid level", "serum lactate"), "mmol/L", 0.2, 30),
    Analyte("albumin", ("albumin", "serum albumin"), "g/dL", 0.8, 6),
    Analyte("gfr", ("gfr", "egfr", "glomerular filtration rate", "creatinine clearance"), "mL/min", 1, 200),
    Analyte(
        "bnp",
        (
            "bnp",
            "b-natriuretic peptide",
            "brain natriuretic peptide",
            "pro-bnp",
            "probnp",
            "nt-probnp",
            "b-type natriuretic peptide",
            "pro bnp",
        ),
        "pg/mL",
        1,
        80000,
    ),
    Analyte(
        "ef",
        ("ejection fraction", "ef", "lvef", "lv ejection fraction", "left ventricular ejection fraction"),
        "%",
        5,
        85,
    ),
    Analyte(
        "spo2",
        (
            "spo2",
            "o2 sat",
            "o2 sats",
            "o2 saturation",
            "oxygen saturation",
            "oxygen saturations",
            "saturation",
            "saturations",
            "sats",
            "sat",
            "saturating",
            "pulse ox",
            "pulse oximetry",
            "sating",
            "satting",
            "sao2",
            "o2sat",
            "pulse oximeter",
            "desaturated",
            "desaturating",
            "desaturation",
            "desaturations",
            "desatted",
            "desatting",
            "hypoxic",
            "hypoxemic",
        ),
        "%",
        40,
        100,
    ),
    Analyte("pao2", ("pao2", "po2", "p02", "pa02"), "mmHg", 20, 600),
    # SOFA's respiration and CNS components: FiO2 (a percent or a fraction), the PaO2/FiO2 ratio
    # as stated, and the Glasgow Coma Scale.
    Analyte("fio2", ("fio2", "fi02", "fio 2"), "%", 0.21, 100),
    Analyte(
        "pf_ratio",
        ("p/f ratio", "pf ratio", "p:f ratio", "pao2/fio2 ratio", "pao2/fio2", "pao2:fio2", "p/f"),
        "mmHg",
        20,
        700,
    ),
    Analyte(
        "gcs",
        (
            "gcs",
            "glasgow coma scale",
            "glasgow coma score",
            "glasgow coma scale score",
            "gcs score",
            "glasgow",
        ),
        "",
        3,
        15,
    ),
    Analyte("paco2", ("paco2", "pco2", "pc02"), "mmHg", 10, 150),
    Analyte("ph", ("ph", "arterial ph"), "", 6.6, 7.8),
    Analyte("bicarbonate", ("bicarbonate", "bicarb", "hco3", "co2"), "mmol/L", 3, 50),
    Analyte("bmi", ("bmi", "body mass index"), "kg/m2", 10, 90),
    Analyte(
        "temperature",
        (
            "temperature",
            "temp",
            "t-max",
            "tmax",
            "t max",
            "t",
            "febrile to",
            "fever of",
            "fever to",
            "fever up to",
            "temperatures",
            "temperature max",
            "maximum temperature",
            "febrile with temperature of",
            "febrile",
            "spiked a fever",
            "spiked a temperature",
            "spiked",
        ),
        "",
        30,
        110,
    ),
    Analyte(
        "heart_rate",
        (
            "heart rate",
            "hr",
            "pulse",
            "pulse rate",
            "tachycardic to",
            "tachycardia to",
            "tachycardic",
            "p",
        ),
        "/min",
        20,
        250,
    ),
    Analyte(
        "respiratory_rate",
        ("respiratory rate", "respirations", "rr", "resp", "respiration", "tachypneic to", "r"),
        "/min",
        4,
        70,
    ),
    Analyte(
        "sbp",
        (
            "systolic blood pressure",
            "systolic pressure",
            "systolic pressures",
            "systolics",
            "systolic",
            "sbp",
        ),
        "mmHg",
        40,
        260,
    ),
    Analyte("map", ("mean arterial pressure", "mean arterial pressures", "map", "maps"), "mmHg", 20, 200),
    Analyte("ammonia", ("ammonia", "ammonia level", "nh3"), "umol/L", 5, 500),
    Analyte("lipase", ("lipase",), "U/L", 1, 20000),
    Analyte("glucose", ("glucose", "blood sugar", "blood glucose"), "mg/dL", 10, 2000),
    Analyte("bilirubin", ("bilirubin", "total bilirubin", "bili"), "mg/dL", 0.1, 60),
    Analyte("inr", ("inr",), "", 0.5, 15),
    Analyte("troponin", ("troponin", "troponin i", "troponin t"), "ng/mL", 0, 500),
)
_BY_NAME = {analyte.name: analyte for analyte in ANALYTES}

# Short aliases that are ordinary words or letters only count when followed closely
# by the number (no filler words), which is how vitals are dictated ("T 101.2, P 112").
_TERSE = {"t", "p", "r", "k", "na", "cr", "hb", "mag", "sat", "ph", "co2", "bili", "resp"}
_TERSE |= {"map", "maps", "sbp"}
# Aliases that are themselves a change or an abnormal state: "to" after them introduces the value
# ("desaturated to 82%", "spiked to 39.4", "tachycardic to 130"), never a target.
_STATE_ALIASES = re.compile(
    r"^(?:febrile|spiked(?:\s+a\s+(?:fever|temperature))?|tachycardic|desat\w*|hypox\w*)$", re.IGNORECASE
)

_FILLER = (
    r"(?:[\s:=,(-]|\b(?:level|levels|count|value|was|is|are|were|of|at|has been|had been|today|"
    r"this morning|on admission|at admission|initially|initial|now|of about|approximately|about|has|"
    r"around|up to|down to|from|went|gone|has gone|came back|returned|measured|noted|found|dropped|fell|"
    r"decreased|increased|rose|risen|climbed|declined|trended|trending|drifted|spiked|spiking|had|slightly|mildly|markedly|"
    r"elevated|elevated at|low|high|as high as|as low as|only|still|currently|yesterday|by|"
    r"estimated|estimated at|calculated|documented|checked|drawn|upon admission|in the|range|"
    r"to be|be|with|of only|mmol/l|meq/l|further|to|(?:down|up)(?=\s+\d)|"
    # a relative clause between the analyte and its value ("a potassium, which was elevated at 5.9")
    r"which|that)\b)*?"
)
# "to" before the number only after a verb of change ("had risen slightly to 5.5"), never a target
# ("replete potassium to 4").
_VERB_TO = re.compile(
    r"\b(?:rose|risen|increased|decreased|dropped|fell|fallen|climbed|declined|improved|worsened|trended|"
    r"up|down|went|gone|came|come|bumped|drifted|estimated|calculated|measured|spiked|spiking)\b[^\d]*\bto\b",
    re.IGNORECASE,
)
# A trend named before the analyte: "a drop in the ejection fraction to 30%".
_TREND_BEFORE = re.compile(
    r"\b(?:decrease|increase|drop|rise|decline|fall|reduction|improvement|worsening|elevation)\s+(?:in|of)\s+"
    r"(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_UNIT = (
    r"(?:\s*(?P<unit>mmol/l|meq/l|mg/dl|g/dl|g/l|pg/ml|ng/ml|mmhg|mm hg|u/l|units/l|ml/min(?:/1\.73\s*m2)?|"
    r"kg/m2|kg/m\^2|%|percent|k/ul|k/mm3|x\s?10\^?9/l|/mm3|/ul|umol/l|mcmol/l|degrees\s*(?:f|c|fahrenheit|celsius)|"
    r"°\s*[fc]|f\b|c\b|bpm|beats per minute|breaths per minute|per minute|/min|thousand|k\b))?"
)
_TREND_FROM = re.compile(
    rf"^(?:\s*[,;]?\s*(?:this\s+is\s+|which\s+is\s+|it\s+is\s+|and\s+)?(?:now\s+)?)"
    rf"(?:down|up|decreased|increased|improved|dropped|rose|risen|elevated|worsened|improving|climbed|fallen|fell|"
    rf"trending\s+(?:down|up))\s+(?:\w+\s+){{0,2}}?from\s+(?:a\s+|an\s+)?(?:\w+\s+){{0,2}}?(?P<prev>{_NUM})",
    re.IGNORECASE,
)
_TREND_TO = re.compile(
    rf"^\s*(?:,\s*)?(?:→|->|-->|=>|\bto\b|\bthen\b|,\s*(?:then|and then|subsequently)|(?:,\s*)?(?:and\s+)?"
    rf"(?:subsequently\s+|later\s+|then\s+)?(?:dropped|decreased|fell|went\s+down|went\s+up|increased|rose|"
    rf"climbed|came\s+down|improved|trended\s+(?:down|up)|worsened|bumped)\s+(?:up\s+|down\s+)?to)\s*(?P<next>{_NUM})",
    re.IGNORECASE,
)
# A value restated in the next clause: "Creatinine of 1.4. During the stay it was decreased to 0.8".
_TREND_PRONOUN = re.compile(
    rf"^\s*[.,;]?\s*(?:[A-Za-z,]+\s+){{0,5}}?(?:it|this|which)\s+(?:has\s+|had\s+)?(?:was\s+|is\s+)?"
    rf"(?:\w+\s+)?(?:decreased|dropped|fell|fallen|improved|increased|rose|risen|climbed|came\s+down|"
    rf"went\s+(?:up|down)|trended\s+(?:up|down)|worsened)\s+(?:down\s+|up\s+|back\s+)?to\s+(?P<next>{_NUM})",
    re.IGNORECASE,
)
# "down 10.9 from 17.3": the verb came before the number, so a bare "from" gives the earlier value.
_BARE_FROM = re.compile(
    rf"^\s*,?\s*from\s+(?:a\s+|an\s+)?(?P<prev>{_NUM})(?!\s*(?:days?|weeks?|months?|years?|hours?|hrs?|h)\b)",
    re.IGNORECASE,
)
_AND_NEXT = re.compile(
    rf"^\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*(?:→|->|-->))\s*(?P<next>{_NUM})(?!\s*(?:mg|mcg|units|tablet))",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}"
    r"(?:,\s*\d{4})?|\d{4}-\d{2}-\d{2}|yesterday|today|this morning|on admission|at admission|on discharge)\b",
    re.IGNORECASE,
)
_QUALIFIER_ROOM_AIR = re.compile(r"^[^.;\n]{0,25}?\b(?:on\s+)?(?:room\s+air|RA)\b", re.IGNORECASE)
_QUALIFIER_OXYGEN = re.compile(
    r"^[^.;\n]{0,30}?\b(?:on\s+\d+(?:\.\d+)?\s*(?:l|liters?|lpm)|nasal\s+cannula|\bnc\b|bipap|cpap|fio2|"
    r"non-?rebreather|face\s*mask|high[- ]flow|ventilator|oxygen|o2)\b",
    re.IGNORECASE,
)
# Medication context: "potassium chloride 20 mEq", "magnesium oxide 400 mg" are doses.
_DOSE_AFTER = re.compile(
    r"^\s*(?:mg|mcg|meq|units?|tablets?|tabs?|capsules?|ml|cc|grams?|g)\b(?!/)"
    r"|^\s*(?:meq|mg)\s*(?:daily|b\.?i\.?d|t\.?i\.?d|q\.?d|p\.?o|iv|x)",
    re.IGNORECASE,
)
_MED_WORD_BEFORE = re.compile(
    r"\b(?:chloride|oxide|sulfate|citrate|gluconate|phosphate|supplement|replacement|replace|bolus|dose|"
    r"given|gave|receive[ds]?|k-dur|kcl|klor|slow[- ]mag|mag-ox)\b[^.\n]{0,12}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Measurement:
    name: str
    value: float  # the latest value stated in this mention
    unit: str
    start: int
    end: int
    text: str
    series: tuple[float, ...] = ()  # oldest first where the note gives a trend
    date: str | None = None
    qualifier: str | None = None  # "room air" / "oxygen" / "nadir" (a desaturation) for saturations
    sources: tuple[tuple[int, int], ...] = ()  # a calculated value: the spans it was calculated from
    derivation: str | None = None  # a calculated value: how ("calculated from height ... and weight ...")

    @property
    def first(self) -> float:
        return self.series[0] if self.series else self.value

    @property
    def change(self) -> float:
        """Latest minus earliest value stated in this mention (rounded: 1.4 - 1.1 is 0.3)."""
        return round(self.value - self.first, 3)

    @property
    def celsius(self) -> float:
        """Temperatures are dictated in either scale; above 50 can only be Fahrenheit."""
        if self.name != "temperature":
            return self.value
        return (self.value - 32) * 5 / 9 if self.value > 50 else self.value


def _alias_pattern(alias: str) -> str:
    escaped = re.escape(alias).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]?")
    return escaped


def _build_analyte_regex(regroup: bool = True) -> re.Pattern[str]:
    parts = []
    for analyte in ANALYTES:
        for alias in sorted(analyte.aliases, key=len, reverse=True):
            group = f"a_{analyte.name}"
            parts.append((alias, group))
    parts.sort(key=lambda item: len(item[0]), reverse=True)
    body = "|".join(
        f"(?P<{group}_{index}>{_alias_pattern(alias)})" for index, (alias, group) in enumerate(parts)
    )
    body = by_first_char(body) if regroup else body
    return re.compile(rf"(?<![\w/-])(?:{body})(?![\w])", re.IGNORECASE)


_ANALYTE_RE = _build_analyte_regex()
_NUMBER_AFTER = re.compile(rf"^{_FILLER}(?P<num>{_NUM})(?![\d/])", re.IGNORECASE)
_NUMBER_TERSE = re.compile(
    rf"^\s*(?:[:=]\s*|of\s+|is\s+|was\s+|(?:rose|dropped|fell|increased|decreased|went|climbed)\s+from\s+)?"
    rf"(?P<num>{_NUM})(?![\d/])",
    re.IGNORECASE,
)
# "BUN and creatinine 35 and 1.5", "BUN/creatinine of 26/1.2"
_BUN_CREAT = re.compile(
    rf"\bbun\s*(?:and|/)\s*creatinine(?:\s*(?:of|are|were|is|was|:))*\s*(?P<bun>{_NUM})\s*(?:and|/)\s*(?P<cr>{_NUM})",
    re.IGNORECASE,
)
# "H&H 10.2/30.1", "hemoglobin and hematocrit 9.1 and 27"
_HH = re.compile(
    rf"\b(?:h\s*&\s*h|h\s+and\s+h|h/h|hemoglobin\s+and\s+hematocrit|hgb/hct)\s*(?:of|is|was|were|stayed\s+at|remained|:)?\s*(?P<hb>{_NUM})\s*(?:and|/|,)\s*(?P<hct>{_NUM})",
    re.IGNORECASE,
)
# Saturations are often dictated number-first: "86% on room air", "98% O2Sat".
_SAT_NUMBER_FIRST = re.compile(
    r"(?<![\d.])(?P<num>\d{2,3})\s*%\s*(?:(?P<ra>on\s+(?:room\s+air|ra)\b)|(?:o2\s*sat|saturation|on\s+\d+(?:\.\d+)?\s*(?:l|liters?)))",
    re.IGNORECASE,
)
# "saturation went down to the 80s": a decade, read as its middle.
_SAT_DECADE = re.compile(
    r"\b(?:(?:o2|oxygen)\s+)?(?:saturations?|sats?|pulse\s+ox(?:imetry)?|spo2|desaturat\w*|desatt\w*|hypox\w*)\s+"
    r"(?:went\s+|was\s+|were\s+|remained\s+|stayed\s+)?(?:down\s+|dropped\s+|fell\s+|decreased\s+)?"
    r"(?:to\s+|in\s+|into\s+)?the\s+(?:(?P<part>low|mid|high|upper)[- ]?)?(?P<decade>[4-8]0)s\b",
    re.IGNORECASE,
)
_DECADE_PART = {"low": 2, "mid": 5, "high": 8, "upper": 8}
# Values dictated before their analyte: "15.7 for WBC", "128 for the sodium", and counts
# written in thousands before the count's name ("a 15,000 white count", "a 90K platelet count").
# A bare small number before "WBC" is a urine or CSF cell count ("2 RBC, 1 WBC"), never read.
_LAB_FIRST_NAMES = {
    "wbc": r"white\s+(?:blood\s+)?(?:cell\s+)?count|wbc(?:\s+count)?|white\s+cells",
    "platelets": r"platelets?(?:\s+count)?|plts?",
    "sodium": r"(?:serum\s+)?sodium|na",
    "potassium": r"(?:serum\s+)?potassium|k",
    "hemoglobin": r"hemoglobin|hgb",
    "hematocrit": r"hematocrit|hct",
    "creatinine": r"creatinine|cr",
    "magnesium": r"magnesium|mg",
    "lactate": r"lactate|lactic\s+acid",
}
_LAB_FOR = re.compile(
    rf"(?<![\w.,/-])(?P<num>{_NUM})\s+for\s+(?:the\s+|a\s+|his\s+|her\s+)?(?:"
    + "|".join(f"(?P<f_{name}>{pattern})" for name, pattern in _LAB_FIRST_NAMES.items())
    + r")\b(?!\s*(?:/|per\b|hpf))",
    re.IGNORECASE,
)
_COUNT_FIRST = re.compile(
    r"(?<![\w.,/-])(?P<num>\d{1,3}(?:,\d{3})|\d{1,3}(?:\.\d)?\s*(?:k|thousand))\s+"
    rf"(?:(?P<c_wbc>{_LAB_FIRST_NAMES['wbc']})|(?P<c_platelets>{_LAB_FIRST_NAMES['platelets']}))\b"
    r"(?!\s*(?:/|per\b|hpf))",
    re.IGNORECASE,
)
# A blood pressure as systolic/diastolic: "BP 84/46", "blood pressure was as low as 78/40".
_BLOOD_PRESSURE = re.compile(
    r"\b(?:bp|b/p|blood\s+pressures?)\s*(?:[:=,]\s*|of\s+|was\s+|is\s+|were\s+|at\s+|(?:dropped|fell|decreased|went)"
    r"\s+(?:down\s+)?to\s+|(?:as\s+low\s+as|down\s+to)\s+|(?:initially|on\s+arrival|on\s+admission)\s+)*"
    r"(?P<sys>\d{2,3})\s*/\s*(?P<dia>\d{2,3})(?!\s*/|\d)",
    re.IGNORECASE,
)
# A blood gas dictated as pH/PaCO2/PaO2 (the conventional order), optionally /HCO3/saturation:
# "ABG: 7.28/48/46 on admission", "arterial blood gas 7.31/62/58/30".
_ABG_TRIPLET = re.compile(
    r"\b(?:abgs?|arterial\s+blood\s+gas(?:es)?|blood\s+gas(?:es)?)\b[^\d\n]{0,25}?"
    r"(?P<ph>[67]\.\d{1,2})\s*/\s*(?P<paco2>\d{2,3}(?:\.\d)?)\s*/\s*(?P<pao2>\d{2,3}(?:\.\d)?)(?![\d.])",
    re.IGNORECASE,
)
# A temperature before the word fever: "a 102.5 fever", "a 39.4-degree fever".
_FEVER_FIRST = re.compile(
    r"(?<![\w.,/-])(?P<num>\d{2,3}(?:\.\d{1,2})?)\s*(?:-?\s*degrees?|°)?\s*(?:f|c|fahrenheit|celsius)?\s*"
    r"(?:-\s*)?(?:fever|temperature|temp)\b",
    re.IGNORECASE,
)

# A hemoglobin restated without its name in a sentence about anemia or the blood count:
# "some anemia initially and he had dropped down in to the low 9". Only a value that a
# trend word introduces, in the plausible range, with no unit of another quantity after it.
_HB_CONTEXT = re.compile(
    r"\banemi\w*|\bblood\s+counts?\b|\bh\s*&\s*h\b|\bhemoglobin\b|\bhgb\b", re.IGNORECASE
)
_HB_RESTATED = re.compile(
    r"\b(?:dropped|drifted|fell|fallen|decreased|declined|trended|went|came|down|nadir(?:ed)?|bottomed\s+out|"
    r"lowest)\b(?:\s+(?:down|to|in|into|at|of|as\s+low\s+as|the|a))*\s+(?:(?:low|mid|high|upper|lower)[- ])?"
    r"(?P<num>\d{1,2}(?:\.\d)?)(?!\.?\d)s?\b(?!\s*(?:%|mg|mcg|g\b|gm|grams?|units?|days?|weeks?|months?|"
    r"years?|hours?|hrs?|minutes?|times|points?|pounds?|lbs?|kg|/|:|-|,\d|percent|mm|cm|ml))",
    re.IGNORECASE,
)
_HB_SENTENCE_END = re.compile(r"\.\s|\n\s*\n")


# Amounts of weight dictated in words ("a twenty-pound weight loss", "lost thirty-five pounds").
_UNITS_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS_WORDS = {
    w: 10 * i
    for i, w in enumerate(
        ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
}
_NUM_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?:one|two|three|four|five|six|"
    r"seven|eight|nine))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
    r"five|six|seven|eight|nine)"
)


def word_number(raw: str) -> float | None:
    """The value of a number written in words (5 to 99), or None."""
    parts = re.split(r"[-\s]+", raw.strip().lower())
    if len(parts) == 1:
        value = _UNITS_WORDS.get(parts[0], _TENS_WORDS.get(parts[0]))
    elif len(parts) == 2 and parts[0] in _TENS_WORDS and parts[1] in _UNITS_WORDS:
        value = _TENS_WORDS[parts[0]] + _UNITS_WORDS[parts[1]]
    else:
        value = None
    return float(value) if value is not None else None


_WEIGHT_LOSS = re.compile(
    rf"\b(?:lost|loss\s+of|weight\s+loss\s+of|down)\s+(?:about\s+|approximately\s+|around\s+|over\s+|nearly\s+)?(?P<num>{_NUM}|{_NUM_WORD})"
    rf"(?:\s*(?:to|-)\s*{_NUM})?\s*(?P<unit>pounds|lbs?|kg|kilograms|kilos)\b"
    rf"|\b(?P<num2>{_NUM}|{_NUM_WORD})[-\s]*(?P<unit2>pound|lb|kg)\s+(?:unintentional\s+|unintended\s+)?weight\s+loss\b"
    rf"|\bweight\s+loss\b[^.;]{{0,50}}?\b(?P<num3>\d{{1,2}}(?:\.\d)?)\s*(?P<unit3>%)"
    rf"|\b(?P<num4>\d{{1,2}}(?:\.\d)?)\s*(?P<unit4>%)\s+(?:\w+\s+){{0,2}}weight\s+loss\b",
    re.IGNORECASE,
)


def _to_float(raw: str) -> float:
    return float(raw.replace(",", ""))


def _scale(analyte: Analyte, value: float, raw: str) -> float:
    if analyte.thousands and ("," in raw or value >= 1000):
        return value / 1000
    return value


def _plausible(analyte: Analyte, value: float) -> bool:
    return analyte.low <= value <= analyte.high


def _date_near(text: str, start: int, end: int) -> str | None:
    window_start = max(text.rfind("\n\n", 0, start), text.rfind(". ", 0, start), start - 80, 0)
    window = text[window_start : min(len(text), end + 15)]
    found = [m.group(0) for m in _DATE.finditer(window)]
    return found[-1] if found else None


def _trend(
    analyte: Analyte, text: str, number_end: int, value: float, verb_before: bool = False
) -> tuple[tuple[float, ...], float, int]:
    """Read a stated trend after the number; returns (series oldest first, latest value, span end)."""
    tail = text[number_end : number_end + 80]
    match = _TREND_FROM.match(tail) or (_BARE_FROM.match(tail) if verb_before else None)
    if match:
        prev = _scale(analyte, _to_float(match.group("prev")), match.group("prev"))
        if _plausible(analyte, prev):
            return (prev, value), value, number_end + match.end()
    series = [value]
    end = number_end
    while True:
        tail = text[end : end + 80]
        match = _TREND_TO.match(tail) or (_AND_NEXT.match(tail) if len(series) > 1 else None)
        if not match and len(series) == 1:
            match = _TREND_PRONOUN.match(text[end : end + 120])
        if not match:
            break
        nxt = _scale(analyte, _to_float(match.group("next")), match.group("next"))
        if not _plausible(analyte, nxt):
            break
        series.append(nxt)
        end += match.end()
    if len(series) > 1:
        return tuple(series), series[-1], end
    return (), value, number_end


def _read_unit(text: str, end: int) -> tuple[str | None, int]:
    match = re.compile(_UNIT, re.IGNORECASE).match(text, end)
    if match and match.group("unit"):
        return match.group("unit"), match.end()
    return None, end


def extract_measurements(text: str) -> list[Measurement]:
    """All lab and vital values in the note, in document order."""
    results: list[Measurement] = []
    taken: list[tuple[int, int]] = []

    def add(m: Measurement) -> None:
        results.append(m)
        taken.append((m.start, m.end))

    for match in _BUN_CREAT.finditer(text):
        bun, cr = _to_float(match.group("bun")), _to_float(match.group("cr"))
        if _plausible(_BY_NAME["creatinine"], cr):
            span = text[match.start() : match.end()]
            date = _date_near(text, match.start(), match.end())
            add(Measurement("bun", bun, "mg/dL", match.start(), match.end(), span, date=date))
            add(Measurement("creatinine", cr, "mg/dL", match.start(), match.end(), span, date=date))
    for match in _HH.finditer(text):
        hb, hct = _to_float(match.group("hb")), _to_float(match.group("hct"))
        if _plausible(_BY_NAME["hemoglobin"], hb):
            span = text[match.start() : match.end()]
            date = _date_near(text, match.start(), match.end())
            add(Measurement("hemoglobin", hb, "g/dL", match.start(), match.end(), span, date=date))
            if _plausible(_BY_NAME["hematocrit"], hct):
                add(Measurement("hematocrit", hct, "%", match.start(), match.end(), span, date=date))

    for match in _ANALYTE_RE.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        group = next(name for name, value in match.groupdict().items() if value is not None)
        analyte_name = group[2 : group.rindex("_")]
        analyte = _BY_NAME[analyte_name]
        alias = match.group(0).lower()
        terse = re.sub(r"\s+", " ", alias) in _TERSE
        rest = text[match.end() : match.end() + 90]
        number = (_NUMBER_TERSE if terse else _NUMBER_AFTER).match(rest)
        if not number:
            continue
        # A terse alias must be upper-case in the note ("K 3.2", "T 101"), not "p 5" in prose.
        if terse and len(alias) == 1 and not match.group(0).isupper():
            continue
        filler = rest[: number.start("num")]
        if (
            re.search(r"\bto\b", filler, re.IGNORECASE)
            and not _VERB_TO.search(filler)
            and not _STATE_ALIASES.match(alias)
            and not _TREND_BEFORE.search(text[max(0, match.start() - 50) : match.start()])
        ):
            continue
        raw = number.group("num")
        number_start = match.end() + number.start("num")
        number_end = match.end() + number.end("num")
        if _MED_WORD_BEFORE.search(text[max(0, match.start() - 30) : match.end() + number.start("num")]):
            continue
        if _DOSE_AFTER.match(text[number_end : number_end + 20]):
            continue
        value = _scale(analyte, _to_float(raw), raw)
        if analyte.name == "ef":
            # "EF of 25% to 30%" / "30-35%": the lower bound is what thresholds read.
            rng = re.match(rf"^\s*%?\s*(?:-|to)\s*({_NUM})\s*%", text[number_end : number_end + 15])
            if rng:
                number_end += rng.end()
        if analyte.name == "temperature" and not (34 <= value <= 43 or 93 <= value <= 109):
            continue
        if alias == "spiked" and _ANALYTE_RE.search(text[max(0, match.start() - 25) : match.start()]):
            continue  # "heart rate spiked to 105": the value belongs to the analyte named before
        if (
            _STATE_ALIASES.match(alias)
            and analyte.name == "spo2"
            and not re.match(r"\s*(?:%|percent)", text[number_end : number_end + 10], re.IGNORECASE)
        ):
            continue  # "hypoxic, 2 L" or "desaturation 3 times": a saturation needs its percent sign
        if not _plausible(analyte, value):
            continue
        unit, unit_end = _read_unit(text, number_end)
        verb_before = bool(re.search(r"\b(?:down|up|dropped|fell|decreased|increased|rose)\b", filler, re.I))
        series, latest, trend_end = _trend(analyte, text, max(unit_end, number_end), value, verb_before)
        end = max(unit_end, trend_end)
        qualifier = None
        if analyte.name == "spo2":
            after = text[number_end : number_end + 40]
            if _QUALIFIER_ROOM_AIR.match(after):
                qualifier = "room air"
            elif _QUALIFIER_OXYGEN.match(after):
                qualifier = "oxygen"
            elif _STATE_ALIASES.match(alias):
                qualifier = "nadir"  # "desaturated to 88%" in sleep or on exertion: not a resting value
        out_unit = unit or analyte.unit
        if analyte.name == "temperature" and not unit:
            out_unit = "F" if value > 50 else "C"
        del number_start
        add(
            Measurement(
                analyte.name,
                latest,
                out_unit,
                match.start(),
                end,
                text[match.start() : end],
                series=series,
                date=_date_near(text, match.start(), end),
                qualifier=qualifier,
            )
        )

    for match in _SAT_NUMBER_FIRST.finditer(text):
        if any(s <= match.start() < e or s < match.end() <= e for s, e in taken):
            continue
        value = float(match.group("num"))
        if not 40 <= value <= 100:
            continue
        add(
            Measurement(
                "spo2",
                value,
                "%",
                match.start(),
                match.end(),
                match.group(0),
                date=_date_near(text, match.start(), match.end()),
                qualifier="room air" if match.group("ra") else "oxygen",
            )
        )
    for match in _SAT_DECADE.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        after = text[match.end() : match.end() + 40]
        qualifier = (
            "room air"
            if _QUALIFIER_ROOM_AIR.match(after)
            else "oxygen"
            if _QUALIFIER_OXYGEN.match(after)
            else "nadir"
            if re.match(r"desat|hypox", match.group(0), re.IGNORECASE)
            else None
        )
        add(
            Measurement(
                "spo2",
                float(match.group("decade")) + _DECADE_PART.get((match.group("part") or "mid").lower(), 5),
                "%",
                match.start(),
                match.end(),
                match.group(0),
                date=_date_near(text, match.start(), match.end()),
                qualifier=qualifier,
            )
        )
    for match in [*_LAB_FOR.finditer(text), *_COUNT_FIRST.finditer(text)]:
        if any(s <= match.start() < e or s < match.end() <= e for s, e in taken):
            continue
        name = next(key[2:] for key, value in match.groupdict().items() if value and key[:2] in ("f_", "c_"))
        analyte = _BY_NAME[name]
        raw = re.sub(r"\s*(?:k|thousand)$", "", match.group("num"), flags=re.IGNORECASE)
        # "15K" and "15 thousand" are already in thousands; "15,000" is scaled like any count.
        value = _to_float(raw) if raw != match.group("num") else _scale(analyte, _to_float(raw), raw)
        if not _plausible(analyte, value):
            continue
        add(
            Measurement(
                name,
                value,
                analyte.unit,
                match.start(),
                match.end(),
                match.group(0),
                date=_date_near(text, match.start(), match.end()),
            )
        )
    for match in _ABG_TRIPLET.finditer(text):
        ph, paco2, pao2 = (_to_float(match.group(g)) for g in ("ph", "paco2", "pao2"))
        if not (_plausible(_BY_NAME["ph"], ph) and _plausible(_BY_NAME["paco2"], paco2)):
            continue
        start = match.start("ph")
        date = _date_near(text, start, match.end())
        for name, value in (("ph", ph), ("paco2", paco2), ("pao2", pao2)):
            if _plausible(_BY_NAME[name], value):
                add(
                    Measurement(
                        name,
                        value,
                        _BY_NAME[name].unit,
                        start,
                        match.end(),
                        text[start : match.end()],
                        date=date,
                    )
                )
    for match in _BLOOD_PRESSURE.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        systolic = _to_float(match.group("sys"))
        if not 40 <= systolic <= 260 or _to_float(match.group("dia")) >= systolic:
            continue
        add(
            Measurement(
                "sbp",
                systolic,
                "mmHg",
                match.start(),
                match.end(),
                match.group(0),
                date=_date_near(text, match.start(), match.end()),
            )
        )
    for match in _FEVER_FIRST.finditer(text):
        if any(s <= match.start() < e or s < match.end() <= e for s, e in taken):
            continue
        value = _to_float(match.group("num"))
        if not (34 <= value <= 43 or 93 <= value <= 109):
            continue
        add(
            Measurement(
                "temperature",
                value,
                "F" if value > 50 else "C",
                match.start(),
                match.end(),
                match.group(0),
                date=_date_near(text, match.start(), match.end()),
            )
        )
    for match in _WEIGHT_LOSS.finditer(text):
        raw = match.group("num") or match.group("num2") or match.group("num3") or match.group("num4")
        unit = (
            match.group("unit") or match.group("unit2") or match.group("unit3") or match.group("unit4")
        ).lower()
        value = word_number(raw) if raw[:1].isalpha() else _to_float(raw)
        if value is None:
            continue
        if value <= 0 or value > 300:
            continue
        add(
            Measurement(
                "weight_loss",
                value,
                "%" if unit == "%" else "kg" if unit.startswith("k") else "lb",
                match.start(),
                match.end(),
                match.group(0),
                date=_date_near(text, match.start(), match.end()),
            )
        )
    for anchor in _HB_CONTEXT.finditer(text):
        stop = _HB_SENTENCE_END.search(text, anchor.end())
        limit = min(anchor.end() + 160, stop.start() if stop else len(text))
        for match in _HB_RESTATED.finditer(text, anchor.end(), limit):
            start, end = match.start(), match.end()
            if any(s <= start < e or s < end <= e or start <= s < end for s, e in taken):
                continue
            value = _to_float(match.group("num"))
            if not 4 <= value <= 17:
                continue
            add(
                Measurement(
                    "hemoglobin",
                    value,
                    "g/dL",
                    start,
                    end,
                    text[start:end],
                    date=_date_near(text, start, end),
                )
            )
    results.sort(key=lambda m: (m.start, m.name))
    return results


# --- organisms -------------------------------------------------------------------------

ORGANISMS: dict[str, tuple[str, ...]] = {
    "mrsa": (
        "mrsa",
        "methicillin-resistant staphylococcus aureus",
        "methicillin resistant staph aureus",
        "methicillin-resistant staph",
        "methicillin resistant staphylococcus",
    ),
    "mssa": (
        "mssa",
        "methicillin-sensitive staphylococcus aureus",
        "methicillin sensitive staph aureus",
        "methicillin-susceptible staphylococcus aureus",
    ),
    "staphylococcus_aureus": (
        "staphylococcus aureus",
        "staph aureus",
        "s. aureus",
        "s aureus",
        "staph. aureus",
    ),
    "staphylococcus_epidermidis": (
        "staphylococcus epidermidis",
        "staph epidermidis",
        "s. epidermidis",
        "coagulase-negative staph",
        "coagulase negative staphylococcus",
        "coag-negative staph",
        "coagulase-negative staphylococcus",
    ),
    "staphylococcus": ("staphylococcus", "staph", "staphylococci", "staphylococcal"),
    "streptococcus_pneumoniae": (
        "streptococcus pneumoniae",
        "strep pneumoniae",
        "s. pneumoniae",
        "pneumococcus",
        "pneumococcal",
        "strep pneumo",
    ),
    "streptococcus_group_a": (
        "group a strep",
        "group a streptococcus",
        "group a beta-hemolytic streptococcus",
        "streptococcus pyogenes",
        "gas",
    ),
    "streptococcus_group_b": ("group b strep", "group b streptococcus", "gbs", "streptococcus agalactiae"),
    "streptococcus": ("streptococcus", "strep", "streptococci", "streptococcal", "viridans streptococci"),
    "enterococcus": (
        "enterococcus",
        "enterococci",
        "enterococcal",
        "e. faecalis",
        "enterococcus faecalis",
        "e. faecium",
        "enterococcus faecium",
    ),
    "vre": ("vre", "vancomycin-resistant enterococcus", "vancomycin resistant enterococcus"),
    "e_coli": ("e. coli", "e coli", "escherichia coli", "e.coli"),
    "klebsiella": ("klebsiella", "klebsiella pneumoniae", "k. pneumoniae"),
    "pseudomonas": ("pseudomonas", "pseudomonas aeruginosa", "p. aeruginosa"),
    "proteus": ("proteus", "proteus mirabilis"),
    "enterobacter": ("enterobacter", "enterobacter cloacae"),
    "serratia": ("serratia", "serratia marcescens"),
    "acinetobacter": ("acinetobacter", "acinetobacter baumannii"),
    "citrobacter": ("citrobacter",),
    "haemophilus": (
        "haemophilus influenzae",
        "h. influenzae",
        "hemophilus influenzae",
        "h flu",
        "h. flu",
        "haemophilus",
    ),
    "legionella": ("legionella",),
    "mycoplasma": ("mycoplasma", "mycoplasma pneumoniae"),
    "clostridioides_difficile": (
        "c. diff",
        "c diff",
        "c. difficile",
        "clostridium difficile",
        "clostridioides difficile",
        "c-diff",
        "c.diff",
    ),
    "candida": ("candida", "candida albicans", "yeast", "candidemia"),
    "influenza": ("influenza", "influenza a", "influenza b", "flu a", "flu b"),
    "covid19": ("covid-19", "covid", "sars-cov-2", "coronavirus"),
    "rsv": ("rsv", "respiratory syncytial virus"),
    "bacteroides": ("bacteroides", "bacteroides fragilis"),
    # Gram-stain results in words are matched by organisms.GRAM_STAIN.
    "gram_negative": ("gnr",),
    "gram_positive": ("gpc",),
    "mycobacterium": ("mycobacterium tuberculosis", "tuberculosis", "mycobacterium", "afb positive"),
    "anaerobes": ("anaerobes", "anaerobic bacteria", "anaerobic organisms"),
    "moraxella": ("moraxella", "moraxella catarrhalis"),
}
_SKIP_ALONE = {"gas", "yeast", "staph", "strep", "influenza", "covid", "tuberculosis", "haemophilus"}


def _organism_patterns() -> list[tuple[str, str]]:
    """(regular expression, key) in the order tried: stains and culture results, binomials,
    the named aliases longest first, then any genus of the data list ("Clostridium species")."""
    stains = [
        (GRAM_STAIN.replace("(?P<stain>negative|positive|variable)", stain), f"gram_{stain}")
        for stain in ("negative", "positive", "variable")
    ]
    cultures = [(pattern, "unidentified") for pattern in UNIDENTIFIED_CULTURE]
    aliases = [(alias, key) for key, aliases in ORGANISMS.items() for alias in aliases]
    aliases.sort(key=lambda item: len(item[0]), reverse=True)
    named = [(_alias_pattern(alias), key) for alias, key in aliases]
    binomials = [
        (rf"(?:{genus}|{genus[0]}\.)\s?{epithet}", genus) for epithet, genus in sorted(EPITHETS.items())
    ]
    genera = [(rf"{genus}(?:\s+{UNNAMED_SPECIES})?", genus) for genus in GENERA]
    return stains + cultures + binomials + named + genera


def _build_organism_regex(regroup: bool = True) -> re.Pattern[str]:
    body = "|".join(
        f"(?P<o_{key}_{index}>{pattern})" for index, (pattern, key) in enumerate(_organism_patterns())
    )
    body = by_first_char(body) if regroup else body
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


_ORGANISM_RE = _build_organism_regex()
_CULTURE_CUE = re.compile(
    r"\b(?:cultures?|cx|grew|grown|growing|grows|positive\s+for|isolated|gram\s+stain|pcr|antigen|serolog\w*|"
    r"sensitive|susceptib\w*|resistant|speciated|bacteremia|colonies|swab|titer|toxin|assay|identification|"
    r"speciation|microbiolog\w*)\b",
    re.IGNORECASE,
)
_IDENTIFICATION_PENDING = re.compile(IDENTIFICATION_PENDING, re.IGNORECASE)
_GRAM_WORDS = re.compile(r"\bgram[-\s]?(?:negative|positive|variable)\b", re.IGNORECASE)
_COVERAGE_CUE = re.compile(
    r"\b(?:coverage|cover|covering|to\s+treat|directed|targeting|for\s+possible|against|"
    r"empiric(?:al(?:ly)?)?\s+for|for\s+(?:presumed|suspected))\b",
    re.IGNORECASE,
)
_NEGATIVE_RESULT = re.compile(
    r"\b(?:negative|no\s+growth|not\s+(?:grow|isolated|detected)|ruled\s+out|pending|no\s+evidence|"
    r"screen\w*\s+negative|was\s+negative|were\s+negative|rule\s+out|r/o|if|contact\s+precautions)\b",
    re.IGNORECASE,
)
_SPECIMEN = re.compile(
    r"\b(?P<specimen>blood|urine|urinary|sputum|wound|tracheal|bronchial|bal|csf|stool|fluid|tissue|bone|"
    r"abscess|catheter|line|throat|nasal|pleural|joint|nares|aspirat(?:e|ed|ion)|arthrocentesis|synovial)\b",
    re.IGNORECASE,
)
# A fluid drawn by needle ("the knee was aspirated", "joint aspirate", "arthrocentesis") is a body
# fluid, not urine or sputum: its culture names the organism of the infection at that site.
_SPECIMEN_ALIASES = {"aspirate": "fluid", "aspirated": "fluid", "aspiration": "fluid", "arthrocentesis": "joint",
                     "synovial": "joint"}  # fmt: skip


def _specimen_name(word: str) -> str:
    word = word.lower()
    return _SPECIMEN_ALIASES.get(word, word)


@dataclass(frozen=True)
class OrganismMention:
    organism: str
    start: int
    end: int
    text: str
    kind: str  # "culture" (a result), "coverage" (therapy aimed at it) or "mention"
    specimen: str | None = None
    negative: bool = False  # "MRSA screen negative", "no growth"
    sentence: tuple[int, int] = field(default=(0, 0))
    specimens: tuple[str, ...] = ()  # every specimen named around it ("blood ... as well as urine")


def extract_organisms(text: str, sentence_bounds=None) -> list[OrganismMention]:
    """Organisms named in the note with how they are named (result, coverage, mention)."""
    found: list[OrganismMention] = []
    for match in _ORGANISM_RE.finditer(text):
        group = next(name for name, value in match.groupdict().items() if value is not None)
        key = group[2 : group.rindex("_")]
        alias = match.group(0).lower()
        if alias in ("gas",) and not match.group(0).isupper():
            continue
        if sentence_bounds is not None:
            start, end = sentence_bounds(match.start())
        else:
            start = max(text.rfind(".", 0, match.start()) + 1, text.rfind("\n\n", 0, match.start()) + 1, 0)
            end_dot = text.find(".", match.end())
            end = end_dot if end_dot != -1 else len(text)
        sentence = text[start:end]
        rel = match.start() - start
        window = sentence[max(0, rel - 80) : rel + len(match.group(0)) + 60]
        kind = "mention"
        if _CULTURE_CUE.search(window):
            kind = "culture"
        elif _COVERAGE_CUE.search(window):
            kind = "coverage"
        if alias in _SKIP_ALONE and kind == "mention":
            continue
        specimen_match = _SPECIMEN.search(window)
        specimens = tuple(
            dict.fromkeys(_specimen_name(m.group("specimen")) for m in _SPECIMEN.finditer(window))
        )
        # The stain's own "Gram-negative" and an identification still "pending" are not a negative result.
        probe = _IDENTIFICATION_PENDING.sub(" ", _GRAM_WORDS.sub(" ", window))
        negative = bool(_NEGATIVE_RESULT.search(probe))
        found.append(
            OrganismMention(
                key,
                match.start(),
                match.end(),
                match.group(0),
                kind,
                _specimen_name(specimen_match.group("specimen")) if specimen_match else None,
                negative,
                (start, end),
                specimens,
            )
        )
    return found


_FIO2_FIRST = re.compile(r"\b(?P<num>\d{2,3})\s*%\s*(?:fio2|fi02)\b", re.IGNORECASE)
_ROOM_AIR_IN_SENTENCE = re.compile(r"\broom\s+air\b", re.IGNORECASE)


def calculated_pf_ratios(text: str, found: list[Measurement], sentence) -> list[Measurement]:
    """PaO2/FiO2 ratios from a PaO2 and the FiO2 stated in the same sentence (a percent or a
    fraction; "room air" is 0.21), for SOFA's respiration component. Each is kept with its two
    spans and its derivation."""
    out = []
    fio2 = [m for m in found if m.name == "fio2" and m.start >= 0]
    for pao2 in [m for m in found if m.name == "pao2" and m.start >= 0]:
        start, end = sentence(pao2.start)
        same = [m for m in fio2 if start <= m.start < end]
        before = _FIO2_FIRST.search(text, start, end)
        if same:
            f = same[0]
            fraction = f.value / 100 if f.value > 1 else f.value
            source, shown = (f.start, f.end), f"{fraction:g}"
        elif before:
            fraction = float(before.group("num")) / 100
            source, shown = (before.start(), before.end()), f"{fraction:g}"
        else:
            air = _ROOM_AIR_IN_SENTENCE.search(text, start, end)
            if not air:
                continue
            fraction, source, shown = 0.21, (air.start(), air.end()), "room air (0.21)"
        if not 0.21 <= fraction <= 1.0:
            continue
        ratio = round(pao2.value / fraction)
        first, last = sorted([(pao2.start, pao2.end), source])
        out.append(
            Measurement(
                "pf_ratio",
                ratio,
                "mmHg",
                first[0],
                last[1],
                text[first[0] : last[1]],
                sources=((pao2.start, pao2.end), source),
                derivation=f"calculated from PaO2 {pao2.value:g} and FiO2 {shown}",
            )
        )
    return out
