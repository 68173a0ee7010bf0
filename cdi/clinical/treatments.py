"""Medications and treatments, grouped by what they tell a CDI reviewer.

Each class is a list of regular expressions; a match carries its span and its
assertion context (a negated "no transfusion" or a hypothetical "if needed" does
not show that an abnormal value mattered).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdi.clinical.alternation import by_first_char

_ANTIBIOTICS = (
    r"antibiotics?|antibiotic\s+therapy|abx|vancomycin|vanc|zosyn|piperacillin|tazobactam|cefepime|ceftriaxone|"
    r"rocephin|cefazolin|ancef|keflex|cephalexin|levaquin|levofloxacin|ciprofloxacin|cipro|moxifloxacin|avelox|"
    r"azithromycin|zithromax|z-pak|doxycycline|bactrim|septra|sulfamethoxazole|nitrofurantoin|macrobid|"
    r"meropenem|imipenem|ertapenem|invanz|primaxin|merrem|linezolid|zyvox|daptomycin|clindamycin|cleocin|"
    r"metronidazole|flagyl|gentamicin|tobramycin|amikacin|unasyn|ampicillin|amoxicillin|augmentin|penicillin|"
    r"nafcillin|oxacillin|aztreonam|tigecycline|fluconazole|micafungin|caspofungin|tamiflu|oseltamivir|"
    r"ceftazidime|fortaz|cefuroxime|ceftin|rifampin|timentin|clarithromycin|biaxin|"
    # the rest of the class: other cephalosporins, penicillins, macrolides, tetracyclines,
    # quinolones, glycopeptides and lipoglycopeptides, polymyxins, and systemic antifungals
    r"ceftaroline|teflaro|cefoxitin|cefotetan|cefotaxime|claforan|avycaz|zerbaxa|ceftolozane|cefdinir|omnicef|"
    r"cefpodoxime|cefixime|suprax|cefaclor|cefadroxil|duricef|cefiderocol|dicloxacillin|amoxil|pip[-/]tazo|"
    r"erythromycin|minocycline|tetracycline|vibramycin|trimethoprim|colistin|polymyxin|fosfomycin|monurol|"
    r"tinidazole|vancocin|dalbavancin|oritavancin|telavancin|ofloxacin|norfloxacin|gatifloxacin|gemifloxacin|"
    r"azactam|tedizolid|voriconazole|posaconazole|amphotericin|ambisome|anidulafungin"
)

# Tube and parenteral feeding, and the tubes placed for it.
_NUTRITION_ROUTES = (
    r"\btpn\b|\bppn\b|(?:total\s+|peripheral\s+)?parenteral\s+nutrition|hyperalimentation|"
    r"tube\s+feed\w*|(?:feeding|peg|g|j|gastrostomy|jejunostomy|nasogastric|ng|dobhoff|dobbhoff|nasoduodenal)"
    r"[- ]tubes?\s+(?:feed\w*|supplement\w*|nutrition)|feeding\s+tubes?|"
    # Placing a feeding route (an NG tube placed is mostly for decompression, so not here).
    r"(?:peg|g|j|gastrostomy|jejunostomy|dobhoff|dobbhoff|nasoduodenal)[- ]tubes?\s+(?:placement|placed|inserted)|"
    r"enteral\s+(?:feeds?|feeding|nutrition)|(?:ng|nasogastric|peg|g-tube|j-tube)\s+feeds?"
)

# An enteral formula given at an hourly rate is tube feeding run by a pump (ASPEN Enteral Nutrition
# Practice Recommendations, Boullata et al. 2017: continuous feeding is ordered in mL/h): a named
# enteral formula or a tube/continuous feed with a rate in mL/h. Formula names that are ordinary
# words (Promote, Impact, Replete, Compleat) and infant formulas fed by the ounce per feed (Similac,
# Enfamil) are left out; "Modulon" is the transcribed spelling of Modulen, the Crohn's formula.
ENTERAL_FORMULAS = (
    r"modul[eo]n(?:\s+ibd)?|peptamen|vivonex|osmolite|jevity|nepro|glucerna|isosource|nutren|pulmocare|"
    r"two\s*cal(?:\s+hn)?|fibersource|novasource|vital\s+(?:af|hp|1\.[25])|tolerex|peptinex|elecare|neocate|"
    r"pediasure(?:\s+peptide)?|kate\s+farms|(?:enteral|elemental|semi-?elemental|polymeric)\s+formula|"
    r"(?:tube|enteral|continuous|ng|nasogastric|g-?tube|j-?tube|peg|gt)\s+feed(?:s|ings?)?"
)
_HOURLY_RATE = r"\d+(?:\.\d+)?\s*(?:ml|mls|cc|cc's|ccs)\s*(?:/\s*|per\s+|an?\s+)(?:h|hr|hrs|hour)\b"
_ENTERAL_AT_RATE = rf"(?:{ENTERAL_FORMULAS})\b(?:[^.;]|(?<=\d)\.(?=\d)){{0,40}}?\b{_HOURLY_RATE}"

# Operations and injuries that lose blood (the spec's "bleeding or surgery"): fixation and
# replacement of bones and joints, open cardiac, abdominal and aortic operations, long-bone
# and pelvic fractures, multiple trauma.
OPERATIONS_AND_INJURIES = (
    r"orif|open\s+reduction|internal\s+fixation|intramedullary\s+(?:rod|nail)\w*|arthroplasty|"
    r"(?:hip|knee|shoulder)\s+replacement|exploratory\s+laparotomy|cabg|coronary\s+artery\s+bypass|"
    r"aortic\s+(?:aneurysm\s+)?repair|"
    r"multiple\s+fractures|(?:hip|femur|femoral|pelvic|pelvis|acetabular|tibial?|tibial\s+plateau|humer\w*)"
    r"\s+(?:shaft\s+|neck\s+)?fractures?|multiple\s+trauma|polytrauma"
)

TREATMENT_PATTERNS: dict[str, tuple[str, ...]] = {
    "iv_diuretic": (
        r"(?:iv|intravenous|intravenously)\s+(?:lasix|furosemide|bumex|bumetanide|torsemide|diuretics?|diuresis)",
        r"(?:lasix|furosemide|bumex|bumetanide)\s+(?:\d+\s*mg\s+)?(?:iv|intravenous(?:ly)?|i\.v\.)\b",
        r"(?:lasix|furosemide|bumex|bumetanide)\s+(?:drip|infusion)|lasix\s+drip|diuresed|diuresis|aggressive(?:ly)?\s+diures\w*|lasix\s+(?:iv\s+)?push",
    ),
    "diuretic": (
        r"lasix|furosemide|bumex|bumetanide|torsemide|demadex|diuretics?|aldactone|spironolactone|metolazone|"
        r"hydrochlorothiazide|hctz|zaroxolyn",
    ),
    "diuretic_change": (
        r"(?:increase|increased|increasing|double|doubled|adjust|adjusted|change|changed|titrate|titrated|uptitrate)\w*\s+"
        r"(?:\w+\s+){0,3}(?:lasix|furosemide|bumex|diuretics?|torsemide)",
        r"(?:lasix|furosemide|bumex|diuretics?|torsemide)\s+(?:\w+\s+){0,3}(?:increased|doubled|adjusted|changed|titrated)",
    ),
    "echo": (r"echocardiogram|echocardiography|\becho\b|transthoracic|tte\b|tee\b|2-d echo|2d echo|muga",),
    "fluid_restriction": (
        r"fluid\s+restrict\w*|free\s+water\s+restrict\w*|restrict\w*\s+(?:free\s+)?(?:water|fluids?)",
    ),
    "saline": (
        r"normal\s+saline|\bns\b|0\.9%?\s*(?:sodium\s+chloride|saline|ns)|hypertonic\s+saline|3%\s+saline|"
        r"salt\s+tablets?|sodium\s+chloride\s+tablets?",
    ),
    "iv_fluids": (
        r"iv\s+fluids?|intravenous\s+fluids?|ivf|hydration|hydrated|rehydrat\w*|fluid\s+bolus\w*|boluse?s?\s+of\s+"
        r"(?:fluid|saline|ns)|fluid\s+resuscitation|volume\s+resuscitation|fluid\s+replet\w*|fluid\s+boluses|"
        r"liters?\s+of\s+(?:fluids?|ns|normal\s+saline|lactated\s+ringer)|lactated\s+ringer\w*|\blr\b|"
        r"normal\s+saline|fluids?\s+(?:were|was)\s+(?:given|started)|aggressive(?:ly)?\s+(?:\w+\s+)?fluid",
    ),
    "hypotonic_fluids": (
        r"d5w|d5\s*water|free\s+water|half[- ]normal\s+saline|1/2\s*ns|0\.45%?\s*(?:saline|ns|sodium)|"
        r"hypotonic\s+(?:fluids?|saline)|d5\s*1/2|d5\s*0\.45|water\s+flushes",
    ),
    "tolvaptan": (r"tolvaptan|samsca|conivaptan|vaprisol|demeclocycline|urea\s+tablets",),
    "potassium_replacement": (
        r"potassium\s+(?:chloride|replacement|supplement\w*|repletion|replete\w*|replaced|was\s+replaced|"
        r"was\s+replete\w*|protocol)|kcl|k-dur|klor-con|k-tab|micro-k|replace\w*\s+(?:\w+\s+){0,2}potassium|"
        r"replet\w*\s+(?:\w+\s+){0,2}potassium|potassium\s+\d+\s*meq|supplement\w*\s+(?:\w+\s+){0,2}potassium|"
        r"(?:continue|continued)\s+supplementation|oral\s+potassium|iv\s+potassium|"
        r"(?:potassium|k\+?)\s*riders?|k-?lyte|kaon|effer-?k|klor-con\s+m\d+",
    ),
    "magnesium_replacement": (
        r"magnesium\s+(?:sulfate|oxide|replacement|supplement\w*|repletion|replete\w*|replaced|chloride|gluconate)|"
        r"mag-ox|mag\s+ox|mag\s+(?:sulfate|oxide|replacement|supplement\w*)|mag[- ]?tab|slow[- ]mag|mgso4|replace\w*\s+(?:\w+\s+){0,2}magnesium|replet\w*\s+(?:\w+\s+){0,2}magnesium|"
        r"magnesium\s+\d+\s*(?:g|gm|grams|mg)",
    ),
    "transfusion": (
        r"transfus\w*|prbcs?|packed\s+red\s+(?:blood\s+)?cells|units?\s+of\s+(?:packed\s+)?(?:red\s+)?blood|"
        r"units?\s+of\s+prbc|blood\s+products|received\s+(?:\w+\s+)?units?\s+of",
    ),
    "platelet_transfusion": (
        r"platelet\s+transfusion|transfus\w*\s+(?:\w+\s+){0,3}platelets|units?\s+of\s+platelets",
    ),
    "hold_anticoagulation": (
        r"(?:hold|held|holding|stop|stopped|discontinue\w*|d/c)\s+(?:\w+\s+){0,3}(?:heparin|lovenox|enoxaparin|"
        r"coumadin|warfarin|anticoagula\w*|aspirin|plavix|xarelto|eliquis|apixaban|rivaroxaban)",
        r"(?:heparin|lovenox|coumadin|anticoagula\w*)\s+(?:\w+\s+){0,3}(?:held|stopped|discontinued)",
        r"\bhit\s+(?:panel|antibod\w*|assay|work-?up)|heparin-induced",
    ),
    "bipap": (r"bipap|bi-pap|cpap|non-?invasive\s+(?:positive\s+pressure\s+)?ventilation|\bniv\b|\bnippv\b",),
    "intubation": (
        r"intubat\w*|mechanical(?:ly)?\s+ventilat\w*|ventilator|\bvent\b|endotracheal|tracheostomy|trach\b|"
        r"ventilatory[- ]dependent",
    ),
    "high_flow_oxygen": (
        r"\bhfnc\b|\bhfno\b|optiflow|vapotherm|airvo|venturi\s+mask|venti[- ]?mask|non-?rebreather|nrb|100%\s+(?:fio2|face\s*mask|non-?rebreather)|fio2\s+(?:of\s+)?(?:[4-9]\d|100)%",
    ),
    "oxygen": (
        r"\d+(?:\.\d+)?\s*(?:l|liters?|lpm)\s+(?:of\s+)?(?:oxygen|o2|nasal\s+cannula|nc|via)|nasal\s+cannula|"
        r"supplemental\s+oxygen|oxygen\s+(?:therapy|requirement|supplementation)|home\s+(?:oxygen|o2)|"
        r"on\s+\d+(?:\.\d+)?\s*(?:l|liters?)\b|o2\s+requirement|requiring\s+oxygen|face\s*mask",
    ),
    "kayexalate": (r"kayexalate|sodium\s+polystyrene|veltassa|patiromer|lokelma|zirconium",),
    "insulin_dextrose": (
        r"insulin\s+(?:and|with|plus|\+)\s+(?:d50|dextrose|glucose)|(?:d50|dextrose)\s+(?:and|with|plus|\+)\s+insulin",
    ),
    "calcium": (r"calcium\s+gluconate|calcium\s+chloride",),
    "hyperkalemia_management": (
        r"(?:hold|held|stop|stopped|discontinue\w*|d/c)\s+(?:\w+\s+){0,3}(?:ace\s+inhibitor|arb|lisinopril|"
        r"losartan|micardis|telmisartan|valsartan|diovan|cozaar|benazepril|enalapril|spironolactone|"
        r"aldactone|potassium|k-dur|kcl|bactrim|trimethoprim)",
        r"low[- ]potassium\s+diet|potassium[- ]restrict\w*|(?:repeat|recheck|follow)\w*\s+(?:\w+\s+){0,3}potassium",
        r"(?:micardis|losartan|lisinopril|telmisartan|arb|ace\s+inhibitor|spironolactone)\s+(?:\w+\s+){0,3}"
        r"(?:discontinued|held|stopped)",
    ),
    "dialysis": (
        r"hemodialysis|dialysis|\bhd\b|cvvhd\w*|crrt|cvvh\b|ultrafiltration|peritoneal\s+dialysis|\bpd\b\s+catheter",
    ),
    "antibiotic": (_ANTIBIOTICS,),
    # "Blood pressor" is "blood pressure" as transcribed, not a vasopressor ("control blood pressor
    # with Lopressor").
    "vasopressor": (
        r"vasopressors?|pressor(?<!blood\spressor)s?|pressure\s+support|dopamine|dobutamine|norepinephrine|levophed|neo-?synephrine|"
        r"phenylephrine|vasopressin|epinephrine\s+drip",
    ),
    # Tube and parenteral feeding: the routes of nutrition support (ASPEN).
    "nutrition_route": (_NUTRITION_ROUTES,),
    "nutrition_support": (
        _NUTRITION_ROUTES,
        _ENTERAL_AT_RATE,
        r"nutrition(?:al)?\s+support|nutritional\s+supplementation|supplemental\s+nutrition|"
        r"(?:achieve|provide|optimi[sz]e|improve)\s+(?:\w+\s+){0,2}nutrition(?:al\s+status)?",
        r"\btpn\b|total\s+parenteral\s+nutrition|parenteral\s+nutrition|tube\s+feed\w*|enteral\s+(?:feeds?|"
        r"feeding|nutrition)|peg\s+tube|ng\s+feeds|nutritional\s+supplements?|oral\s+supplements?|"
        r"boost\s+(?:plus|t\.?i\.?d|b\.?i\.?d|supplement\w*|daily)|glucerna|jevity|nepro|"
        r"calorie\s+counts?|Ensure\s+(?:plus|t\.?i\.?d|b\.?i\.?d|supplement\w*|daily|with)|nutrition\s+consult\w*|dietitian|dietician|nutritionist|"
        r"dietary\s+consult\w*|nutrition\s+(?:service|team|evaluation|assessment)|supplements?\s+t\.?i\.?d|"
        r"high[- ]protein|protein\s+supplement\w*",
    ),
    # Appetite stimulants treat anorexia (a symptom): they show that a malnutrition picture mattered
    # only beside a second ASPEN characteristic, not beside poor appetite or intake alone.
    "appetite_stimulant": (
        r"megace|megestrol|marinol|dronabinol|appetite\s+stimulants?|"
        r"(?:remeron|mirtazapine)(?=[^.;]{0,80}\bappetite)",
    ),
    # A work-up of the note's abnormal labs named as such ("abnormalities in her lab work ... admitted
    # for observation and further investigation", "electrolyte abnormalities will be corrected"):
    # the spec's "further work-up" for an out-of-range electrolyte the provider did not name.
    "lab_workup": (
        r"(?:(?:lab(?:oratory)?|electrolyte|metabolic)\s+abnormalit(?:y|ies)|abnormal\s+(?:labs|lab(?:oratory)?\s+"
        r"(?:work|values|results|tests|studies)|electrolytes)|abnormalit(?:y|ies)\s+(?:in|on|of)\s+(?:\w+\s+){0,2}"
        r"(?:lab(?:oratory)?\s+(?:work|values|results|tests|studies)|labs|electrolytes|chemistr(?:y|ies))|"
        r"electrolyte\s+(?:derangements?|disturbances?|imbalances?))"
        r"(?=[^.;]{0,120}\b(?:admit\w*|investigat\w*|work[- ]?up|evaluat\w*|recheck\w*|repeat\w*|monitor\w*|"
        r"correct\w*|replac\w*|observation))",
    ),
    "wound_care": (
        r"wound\s+care|wound\s+vac|wound\s+nurse|wound\s+consult\w*|debrid\w*|dressing\s+changes?|"
        r"pressure\s+(?:relief|off-?loading|redistribution)|off-?loading|turn(?:ing)?\s+(?:every|q)\s*\d|"
        r"air\s+mattress|specialty\s+(?:bed|mattress)|wet[- ]to[- ]dry|santyl|duoderm|mepilex",
    ),
    "lactulose": (r"lactulose|rifaximin|xifaxan",),
    "thiamine": (r"thiamine|banana\s+bag",),
    "antipsychotic": (
        r"haldol|haloperidol|zyprexa|olanzapine|seroquel|quetiapine|risperdal|risperidone|precedex",
    ),
    "bicarbonate_therapy": (
        r"(?:iv|intravenous)\s+bicarbonate|sodium\s+bicarbonate|bicarbonate\s+(?:drip|infusion|therapy)|"
        r"bicarb\s+drip|amps?\s+of\s+bicarb\w*|d5w\s+with\s+(?:\d+\s+)?(?:amps?\s+of\s+)?bicarbonate",
    ),
    "nephrology": (r"nephrology|nephrologist|renal\s+consult\w*|kidney\s+specialist",),
    "renal_workup": (
        r"renal\s+(?:ultrasound|sonogram|us)|urine\s+(?:sodium|electrolytes|osmolality|studies)|fena|"
        r"fractional\s+excretion|avoid\s+nephrotoxi\w*|hold\s+(?:\w+\s+){0,2}(?:nsaids?|metformin|ace|arb)|"
        r"renally\s+dose\w*|(?:follow|monitor|recheck|repeat|trend)\w*\s+(?:\w+\s+){0,3}(?:renal\s+function|"
        r"creatinine|bun|chemistr\w*|bmp|labs)",
        r"(?:improve|increase|maintain|monitor)\w*\s+(?:his\s+|her\s+|the\s+)?urine\s+output",
    ),
    "monitoring": (
        r"(?:follow|monitor|recheck|repeat|trend|check|serial|daily|watch)\w*\s+(?:\w+\s+){0,4}(?:labs?|levels?|"
        r"sodium|potassium|electrolytes|lytes|chemistr\w*|bmp|cbc|h\s*&\s*h|hemoglobin|hematocrit|platelets?|"
        r"counts?|magnesium|creatinine|renal\s+function|white\s+count|wbc|lactate|cultures?)",
        r"q\d+h?\s+(?:h\s*&\s*h|labs|lytes|electrolytes|cbc)|serial\s+\w+",
    ),
    "weight_management": (
        r"bariatric|gastric\s+bypass|sleeve\s+gastrectomy|lap(?:aroscopic)?[- ]band|roux-en-y|weight\s+loss\s+"
        r"(?:surgery|program|counsel\w*|medication)|weight\s+reduction|diet\s+and\s+exercise|dietary\s+counsel\w*|"
        r"nutrition(?:al)?\s+counsel\w*|phentermine|orlistat|semaglutide|wegovy|liraglutide",
    ),
    "iron_therapy": (
        r"feosol|ferrous\s+(?:sulfate|gluconate|fumarate)|iron\s+(?:sulfate|supplement\w*|sucrose|therapy|infusion)|iv\s+iron|venofer|infed|feraheme",
        # The class as prescribed in prose: a dose, a form or a course of iron, other iron salts.
        r"iron\s+(?:\d+\s*(?:mg|milligrams?)|tablets?|pills?|treatment|replacement|supplementation|repletion|"
        r"p\.?o\.?\b|t\.?i\.?d|b\.?i\.?d|daily)|(?:started|placed|continued|discharged)\s+on\s+(?:oral\s+)?iron|"
        r"ferric\s+(?:carboxymaltose|gluconate)|injectafer|ferrlecit|iron\s+dextran|slow\s+fe|niferex|"
        r"polysaccharide\s+iron|carbonyl\s+iron|fergon",
    ),
    "glucose_therapy": (
        r"d50|dextrose|glucose\s+(?:supplement\w*|tablets?|gel|infusion)|glucagon|amp\s+of\s+d50",
    ),
    "cause_treatment": (
        r"(?:treat\w*|correct\w*|manage\w*|management)\s+(?:of\s+)?(?:her|his|the)?\s*(?:hyponatremia|hypoglycemia|"
        r"hypercapnia|hypercarbia|sepsis|infection|uremia|hepatic\s+encephalopathy|hyperammonemia|alcohol\s+withdrawal)",
    ),
    "hf_medication": (
        r"coreg|carvedilol|metoprolol\s+succinate|toprol(?:\s+xl)?|bisoprolol|entresto|sacubitril|lisinopril|enalapril|"
        r"losartan|valsartan|spironolactone|aldactone|eplerenone|digoxin|lanoxin|hydralazine|isosorbide",
    ),
    "hf_medication_change": (
        r"(?:reduce|reduced|reducing|decrease|decreased|decreasing|increase|increased|increasing|titrat\w*|"
        r"uptitrat\w*|held|hold|holding|adjust\w*|restart\w*)\s+(?:\w+\s+){0,3}(?:coreg|carvedilol|metoprolol|"
        r"toprol|bisoprolol|beta[- ]blockers?|lisinopril|enalapril|ace\s+inhibitors?|losartan|valsartan|entresto|"
        r"spironolactone|aldactone|digoxin|lanoxin|hydralazine|isosorbide)",
        r"(?:coreg|carvedilol|metoprolol|toprol|beta[- ]blockers?|lisinopril|enalapril|ace\s+inhibitors?|losartan|"
        r"valsartan|entresto|digoxin)\s+(?:had\s+been\s+|has\s+been\s+|was\s+|were\s+)?(?:held|reduced|"
        r"decreased|increased|titrated|uptitrated|adjusted)",
    ),
    "reversal_agent": (r"narcan|naloxone|flumazenil|romazicon",),
    "steroid": (
        r"prednisone|solu-?medrol|methylprednisolone|iv\s+steroids?|steroids?\s+(?:taper|burst)|dexamethasone|"
        r"decadron|hydrocortisone|medrol",
        r"prednisolone|orapred|(?:systemic|oral|intravenous|iv)\s+(?:cortico)?steroids?|corticosteroids?\s+"
        r"(?:taper|burst|course)|(?:started|placed|treated)\s+(?:\w+\s+){0,2}(?:on|with)\s+(?:cortico)?steroids?",
    ),
    # Inhaled bronchodilators as a class: the named agents and the way they are given.
    "bronchodilator": (
        r"albuterol|proventil|ventolin|levalbuterol|xopenex|ipratropium|atrovent|duoneb|combivent|"
        r"nebuli[sz]\w*|nebs\b|neb\s+treatments?|breathing\s+treatments?|bronchodilators?",
    ),
    # Treatment of the gallbladder itself: removal, drainage or decompression of the biliary tree.
    "biliary_intervention": (
        r"(?:laparoscopic\s+|open\s+)?cholecystectomy|cholecystostomy|\bercp\b|"
        r"endoscopic\s+retrograde\s+cholangiopancreatography|biliary\s+(?:drain\w*|stent\w*)",
    ),
    "surgery_or_bleeding": (
        r"gi\s+bleed\w*|gastrointestinal\s+(?:bleed\w*|hemorrhage)|hemorrhag\w*|bleeding|melena|hematemesis|"
        r"hematochezia|blood\s+loss|bloody\s+stools?|coffee[- ]ground|bled\b|hemoptysis|"
        r"estimated\s+blood\s+loss|ebl|post-?operative(?:ly)?|postop\w*|guaiac[- ]positive|occult\s+blood|ob\s+positive|"
        r"(?:gross\s+)?hematuria|epistaxis|hematoma",
        OPERATIONS_AND_INJURIES,
    ),
}

_COMPILED = {
    name: tuple(
        re.compile(rf"(?<![\w-])(?:{by_first_char(pattern)})(?![\w])", re.IGNORECASE) for pattern in patterns
    )
    for name, patterns in TREATMENT_PATTERNS.items()
}


@dataclass(frozen=True)
class Treatment:
    kind: str
    start: int
    end: int
    text: str


def extract_treatments(text: str) -> list[Treatment]:
    """Every treatment-class match, in document order (a span may belong to several classes)."""
    found: list[Treatment] = []
    for kind, patterns in _COMPILED.items():
        seen: set[tuple[int, int]] = set()
        for pattern in patterns:
            for match in pattern.finditer(text):
                span = (match.start(), match.end())
                if span in seen:
                    continue
                seen.add(span)
                found.append(Treatment(kind, match.start(), match.end(), match.group(0)))
    found.sort(key=lambda t: (t.start, t.kind))
    return found
