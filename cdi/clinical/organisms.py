"""Organism vocabulary as data: genera, species epithets, Gram-stain and culture phrasing.

`values.extract_organisms` names an organism from the aliases in `values.ORGANISMS` (the
common pathogens with their abbreviations) and, beyond them, from these classes:

- any genus of `GENERA` (clinically relevant bacteria and fungi), alone or as a binomial
  ("Clostridium septicum", "Clostridium species", "species of Clostridium");
- a binomial abbreviated to the genus initial ("E. cloacae", "C. glabrata") for the
  epithets of `EPITHETS`;
- a Gram-stain result ("gram-negative rod", "gram-positive cocci in clusters"): a class
  of organism, which specifies no diagnosis;
- a culture reported positive without an organism, or an organism still being identified
  ("positive blood cultures", "final identification pending"): per the spec, a culture
  result is an indicator a query can cite even before the organism is known.
"""

from __future__ import annotations

# Clinically relevant bacterial and fungal genera (Manual of Clinical Microbiology, 12th ed.,
# and the IDSA guidelines' pathogens), lower case. Genera already named with their own key in
# values.ORGANISMS (staphylococcus, streptococcus, enterococcus, klebsiella, pseudomonas,
# proteus, enterobacter, serratia, acinetobacter, citrobacter, haemophilus, legionella,
# mycoplasma, candida, bacteroides, mycobacterium, moraxella) are left to those keys.
# Left out on purpose: genera that are also ordinary clinical words ("bacillus").
GENERA: tuple[str, ...] = (
    "achromobacter",
    "actinomyces",
    "aerococcus",
    "aeromonas",
    "aspergillus",
    "bartonella",
    "blastomyces",
    "bordetella",
    "borrelia",
    "brucella",
    "burkholderia",
    "campylobacter",
    "capnocytophaga",
    "chlamydia",
    "chlamydophila",
    "chryseobacterium",
    "clostridium",
    "clostridioides",
    "coccidioides",
    "corynebacterium",
    "cronobacter",
    "cryptococcus",
    "cutibacterium",
    "eikenella",
    "elizabethkingia",
    "enterobacteriaceae",
    "escherichia",
    "finegoldia",
    "fusarium",
    "fusobacterium",
    "gardnerella",
    "gemella",
    "granulicatella",
    "hafnia",
    "helicobacter",
    "histoplasma",
    "kingella",
    "lactobacillus",
    "listeria",
    "morganella",
    "mucor",
    "neisseria",
    "nocardia",
    "pantoea",
    "parvimonas",
    "pasteurella",
    "peptostreptococcus",
    "pneumocystis",
    "porphyromonas",
    "prevotella",
    "propionibacterium",
    "providencia",
    "raoultella",
    "rhizopus",
    "rickettsia",
    "rothia",
    "salmonella",
    "scedosporium",
    "shigella",
    "stenotrophomonas",
    "treponema",
    "ureaplasma",
    "veillonella",
    "vibrio",
    "yersinia",
)

# Species epithets that are written after a genus initial ("E. cloacae"), with the genus
# they belong to. The genus key is the one `extract_organisms` reports.
EPITHETS: dict[str, str] = {
    "aerogenes": "enterobacter",
    "cloacae": "enterobacter",
    "oxytoca": "klebsiella",
    "mirabilis": "proteus",
    "vulgaris": "proteus",
    "marcescens": "serratia",
    "fragilis": "bacteroides",
    "septicum": "clostridium",
    "perfringens": "clostridium",
    "glabrata": "candida",
    "albicans": "candida",
    "tropicalis": "candida",
    "parapsilosis": "candida",
    "krusei": "candida",
    "auris": "candida",
    "lugdunensis": "staphylococcus",
    "maltophilia": "stenotrophomonas",
    "baumannii": "acinetobacter",
    "freundii": "citrobacter",
    "koseri": "citrobacter",
    "morganii": "morganella",
    "multocida": "pasteurella",
    "monocytogenes": "listeria",
    "meningitidis": "neisseria",
    "gonorrhoeae": "neisseria",
    "jejuni": "campylobacter",
    "fumigatus": "aspergillus",
    "neoformans": "cryptococcus",
    "jirovecii": "pneumocystis",
    "cepacia": "burkholderia",
    "anginosus": "streptococcus",
    "intermedius": "streptococcus",
    "dysgalactiae": "streptococcus",
}

# Written after a genus: a species not yet named ("Clostridium species", "Candida spp.").
UNNAMED_SPECIES = r"(?:species|spp\.?|sp\.)"

# A Gram-stain result: the stain, an optional oxygen requirement, a shape and an arrangement.
GRAM_STAIN = (
    r"gram[-\s]?(?P<stain>negative|positive|variable)\s+(?:(?:an)?aerobic\s+)?"
    r"(?:rods?|bacilli|bacillus|cocci|coccus|coccobacill(?:i|us)|diplococc(?:i|us)|organisms?|bacteria)"
    r"(?:\s+in\s+(?:clusters|chains|pairs))?"
)

# A culture reported positive with no organism named, or an organism still being identified.
# Written one alternative per first word, so that alternation.by_first_char can group them.
_SPECIMENS = (
    "blood", "urine", "wound", "sputum", "tissue", "abscess", "bone", "csf", "fluid", "pleural", "joint",
    "catheter", "line",
)  # fmt: skip
_REPORTED = r"(?:were|was|are|is|came\s+back|returned|turned)\s+(?:\w+\s+)?positive"
_STILL_PENDING = (
    r"(?:\s+and\s+(?:susceptibilit\w*|sensitivit\w*))?\s+(?:(?:is|are|still|remains?|was|were)\s+)*pending"
)
UNIDENTIFIED_CULTURE: tuple[str, ...] = (
    rf"positive\s+(?:(?:{'|'.join(_SPECIMENS)})\s+)?cultures?",
    *(rf"{specimen}\s+cultures?\s+{_REPORTED}" for specimen in _SPECIMENS),
    rf"cultures?\s+{_REPORTED}",
    *(
        rf"{final}{word}{_STILL_PENDING}"
        for final in (r"final\s+", "")
        for word in ("identification", "speciation")
    ),
)

# "pending" about the identification of a grown organism is not a pending (negative) culture.
IDENTIFICATION_PENDING = (
    r"(?:identification|speciation|susceptibilit\w*|sensitivit\w*)(?:\s+and\s+\w+)?"
    r"\s+(?:(?:is|are|still|remains?|was|were)\s+)*pending"
)
