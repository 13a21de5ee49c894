"""Phrase lists the dataset generator composes its Swedish texts from.

The words are those real medborgarlöften use (trygghetsvandringar, SIG-möten, ANDTS,
langning…), so generated pages read, search and wrap like real ones.
"""

PLACES = [
    "centrum", "stationsområdet", "resecentrum", "torget", "hamnen", "stadsparken",
    "idrottsplatsen", "köpcentrumet", "busstorget", "skolområdet vid {school}",
    "norra bostadsområdet", "södra bostadsområdet", "västra industriområdet",
    "friluftsområdet vid sjön", "gågatan", "biblioteket och kulturhuset",
]
SCHOOLS = ["Centralskolan", "Västerskolan", "Österskolan", "Norrskolan", "Sörgårdsskolan"]

# Focus areas: (name, description).
FOCUS_AREAS = [
    ("Trygghet i offentlig miljö",
     "Platser som invånarna pekar ut som otrygga, särskilt under dygnets mörka timmar."),
    ("Droger", "Narkotika, langning av alkohol till unga och den handel som följer med den."),
    ("Ungdomsbrottslighet",
     "Unga som riskerar att dras in i kriminalitet och de miljöer där det sker."),
    ("Våld i nära relationer",
     "Våld som sker i hemmet och som sällan syns i den offentliga statistiken."),
    ("Skadegörelse och klotter",
     "Klotter, nedskräpning och förstörelse som gör att ett område upplevs som otryggt."),
    ("Trafik", "Buskörning, fortkörning och otrygga trafikmiljöer kring skolor."),
    ("Bedrägerier mot äldre", "Telefonbedrägerier och andra brott som riktar sig mot äldre."),
    ("Organiserad brottslighet",
     "Kriminella nätverk och deras rekrytering av barn och unga."),
]

PRIORITIES = [
    "Öka tryggheten i {place} under kvälls- och nattetid.",
    "Minska antalet unga som använder eller säljer narkotika.",
    "Förebygga att barn och unga rekryteras till kriminella nätverk.",
    "Minska skadegörelse och klotter i offentlig miljö.",
    "Stärka samverkan med föreningar, skolor och fastighetsägare.",
    "Öka invånarnas delaktighet i det brottsförebyggande arbetet.",
    "Minska langning av alkohol till ungdomar under 18 år.",
]

INTRODUCTIONS = [
    "Medborgarlöftet är en del av polisens och kommunens samverkansöverenskommelse om "
    "lokalt trygghetsskapande och brottsförebyggande arbete i {municipality}.",
    "Polisen och {municipality} kommun lovar invånarna att tillsammans arbeta för en "
    "tryggare kommun. Löftena bygger på en gemensam lägesbild.",
]
SITUATIONS = [
    "Trygghetsmätningen visar att de flesta invånare känner sig trygga, men att otryggheten "
    "är större i {place} efter mörkrets inbrott.",
    "Den anmälda brottsligheten har minskat något, men skadegörelse och klotter i {place} "
    "har ökat och narkotikabrotten bland unga ligger kvar på samma nivå.",
    "Medborgardialoger och polisens lägesbild pekar ut {place} som en plats där unga samlas "
    "kvällstid och där vuxna upplever otrygghet.",
]
CITIZEN_EXPERIENCES = [
    "Invånarna beskriver otrygghet i {place} och efterfrågar bättre belysning och fler "
    "vuxna ute på kvällarna.",
    "I dialogerna lyfter invånarna oro för ungdomsgäng, nedskräpning och trafik i {place}.",
]
EFFECTS = [
    "Fler invånare ska känna sig trygga i sitt närområde.",
    "Färre unga ska börja använda narkotika eller begå brott.",
    "Den anmälda skadegörelsen ska minska jämfört med föregående år.",
]
FOLLOWUP_DESCRIPTIONS = [
    "Arbetet följs upp varje tertial i det lokala brottsförebyggande rådet och redovisas "
    "på kommunens webbplats.",
    "Polisen och kommunen stämmer av arbetet varje tertial och återkopplar till "
    "medborgarna i slutet av året.",
]

PROMISES = {
    "police": [
        "Polisen lovar att öka närvaron i {place} både dagtid och kvällstid.",
        "Polisen lovar att genomföra riktade insatser mot platser och personer som hanterar "
        "eller brukar narkotika.",
        "Polisen lovar att områdespolisen regelbundet besöker skolor och fritidsgårdar.",
        "Polisen lovar att genomföra trafikkontroller vid skolorna under terminsstarten.",
        "Polisen lovar att genomföra hundsök i skolor i förebyggande syfte.",
        "Polisen lovar att hålla medborgardialoger i {place} minst två gånger per år.",
        "Polisen lovar att prioritera ärenden om langning av alkohol till unga.",
    ],
    "municipality": [
        "Kommunen lovar att förbättra belysningen i {place}.",
        "Kommunen lovar att sanera klotter inom 24 timmar på kommunens fastigheter.",
        "Kommunen lovar att utveckla arbetet med sociala insatsgrupper (SIG).",
        "Kommunen lovar att fältassistenterna är ute i {place} på fredags- och lördagskvällar.",
        "Kommunen lovar att arbeta med ANDTS-förebyggande insatser i skolorna.",
        "Kommunen lovar att genomföra antilangningskampanjer inför riskhelger.",
        "Kommunen lovar att erbjuda föräldrautbildning för föräldrar till tonåringar.",
        "Kommunen lovar att hålla fritidsgårdarna öppna längre under sommarlovet.",
    ],
    "joint": [
        "Polisen och kommunen lovar att tillsammans genomföra trygghetsvandringar i {place}.",
        "Polisen och kommunen lovar att gemensamt genomföra orossamtal med unga i riskzon.",
        "Polisen och kommunen lovar att tillsammans stödja föräldravandringar i {place}.",
        "Polisen och kommunen lovar att ha veckovisa avstämningar om lägesbilden.",
        "Polisen och kommunen lovar att gemensamt arbeta för en drogfri skolmiljö.",
        "Polisen och kommunen lovar att stödja den som vill lämna en kriminell livsstil.",
    ],
}
FOLLOWUP_METHODS = [
    "Antal genomförda insatser redovisas varje tertial.",
    "Följs upp i SIG-möten och i det brottsförebyggande rådet.",
    "Följs upp med trygghetsmätningen och polisens statistik.",
    "",
]

# Activities: (text, unit for a numeric target or "", target in words).
ACTIVITIES = [
    ("Genomföra trygghetsvandringar i {place}", "trygghetsvandringar", "minst {n} per år"),
    ("Stödja föräldravandringar på fredagskvällar", "föräldravandringar", "minst {n} per termin"),
    ("Hålla SIG-möten med socialtjänst och polis", "SIG-möten", "minst ett i månaden"),
    ("Områdespolisen besöker fritidsgårdar", "besök", "minst {n} per tertial"),
    ("Fältassistenter rör sig i {place} kvällstid", "kvällspass", "{n} kvällar per tertial"),
    ("Se över och förbättra belysningen i {place}", "", "Åtgärdat före vintern"),
    ("Genomföra ANDTS-lektioner i årskurs 7–9", "lektioner", "{n} lektioner per läsår"),
    ("Kampanj mot langning inför valborg och skolavslutning", "", "Två kampanjer per år"),
    ("Sanera klotter på kommunens fastigheter", "", "Inom 24 timmar"),
    ("Orossamtal med unga i riskzon tillsammans med socialtjänsten", "orossamtal", ""),
    ("Tillsyn av serveringsställen tillsammans med polisen", "tillsynsbesök",
     "minst {n} per år"),
    ("Trafikkontroller vid skolor", "kontroller", "minst {n} per termin"),
    ("Medborgardialog på torget", "dialoger", "två per år"),
    ("Spaning och ingripanden mot narkotikaförsäljning", "", ""),
    ("Informationsträffar om bedrägerier för pensionärsföreningar", "träffar",
     "minst {n} per år"),
]

INDICATORS = [
    ("Andel invånare som känner sig trygga utomhus på kvällen", "procent", 70, 90),
    ("Antal anmälda fall av skadegörelse och klotter", "anmälningar", 20, 180),
    ("Antal genomförda trygghetsvandringar", "st", 1, 8),
    ("Antal anmälda narkotikabrott", "anmälningar", 10, 220),
    ("Antal orosanmälningar som rör unga", "anmälningar", 5, 90),
    ("Antal ungdomar som nåtts av ANDTS-insatser", "ungdomar", 50, 600),
]

ACCOUNTS = {
    "not_started": [
        "Arbetet har inte kommit i gång under tertialet.",
        "Planeras till nästa tertial på grund av personalbrist.",
    ],
    "ongoing": [
        "Arbetet pågår enligt plan.",
        "{n} tillfällen genomfördes under tertialet i {place}.",
        "Områdespolisen och fältassistenterna har varit ute i {place} flera kvällar i veckan.",
        "SIG-möten har hållits varje månad; arbetet bedöms som framgångsrikt.",
    ],
    "done_continuing": [
        "Utfört och pågår. {n} tillfällen genomfördes under tertialet.",
        "Trygghetsvandringen i {place} genomfördes; protokoll är upprättat och bristerna "
        "är under åtgärd.",
        "Föräldravandringar genomfördes {n} fredagar; fältassistenterna deltog.",
        "Kampanjen mot langning genomfördes inför helgen tillsammans med handlarna.",
    ],
    "completed": [
        "Genomfört. Belysningen i {place} är utbytt och upplevs som bättre.",
        "Aktiviteten är genomförd och avslutad.",
        "Genomfört enligt plan; {n} deltagare.",
    ],
    "postponed": [
        "Skjuts upp till nästa tertial i samråd med skolan.",
        "Uppskjutet på grund av andra prioriterade insatser.",
    ],
}
INTERNAL_NOTES = [
    "Två namngivna ungdomar följs upp i SIG.",
    "Kontakt med fastighetsägaren pågår, ej för publicering.",
    "Ärendet hanteras vidare av socialtjänsten.",
]
REPORT_SUMMARIES = [
    "Arbetet med medborgarlöftet fortgår enligt plan. De flesta aktiviteter är genomförda.",
    "Tertialen präglades av insatser i {place}; klottret har minskat.",
    "Flera aktiviteter har genomförts tillsammans med skolor och föreningar. Några har "
    "skjutits upp till nästa tertial.",
]
YEAR_END_COMMENTS = [
    "Löftet har hållits under året och arbetet fortsätter.",
    "Arbetet har genomförts i de flesta delar; belysningen återstår.",
    "Samverkan har fungerat väl och resultatet syns i trygghetsmätningen.",
]

SIGNATORY_TITLES = {
    "police": ["Lokalpolisområdeschef", "Kommunpolis"],
    "municipality": ["Kommunstyrelsens ordförande", "Kommundirektör"],
}
FIRST_NAMES = [
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Anders", "Emma", "Per",
    "Elin", "Mikael", "Lena", "Fredrik", "Sofia", "Ahmed", "Leila", "Jonas", "Ingrid",
]
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Lindberg", "Holm", "Berg", "Hassan", "Lund",
]

# Numbers promises themselves name: (comparison, value, unit, span).
PROMISE_TARGETS = [
    ("at_least", 2, "trygghetsvandringar", "year"),
    ("at_least", 100, "kvällar med nattvandring", "year"),
    ("at_least", 4, "dialogmöten", "year"),
    ("at_least", 10, "riktade insatser", "period"),
    ("at_most", 10, "anmälda bostadsinbrott per tertial", "tertial"),
]
