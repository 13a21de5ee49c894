"""The real Katrineholm documents (2018 follow-up, 2020 news item, 2022–2023 promise),
as structured demo content. Texts are kept exactly as published, typos included."""

MUNICIPALITY_CODE = "0483"
POLICE_AREA = {
    "name": "Lokalpolisområde Katrineholm",
    "district_name": "Polisområde Sörmland",
    "police_region": "Region Öst",
}

FOLLOWUP_2018 = (
    "Polisens och kommuns arbete med medborgarlöften följs upp tertialsvis."
)

# The 2018 follow-up table: activity, then tertial 1, 2 and 3 as (status, account).
DONE_AND_ONGOING = "Utfört och pågår"

PERIOD_2018 = {
    "title": "Lokala medborgarlöften i Katrineholms kommun år 2018",
    "valid_from": "2018-01-01",
    "valid_to": "2018-12-31",
    "followup_description": FOLLOWUP_2018,
    "signatories": [],
    "focus_areas": [],
    "promises": [
        {
            "party": "municipality",
            "text": (
                "Kommunen kommer att följa upp de fall av narkotikabruk av ungdomar under 18 "
                "som polisen upptäcker."
            ),
            "year_end_comment": (
                "Kommunen följer upp alla anmälningar, orosanmälningar eller liknande som "
                "inkommer till socialtjänsten. Förutom samtal så erbjuds stöd och behandling "
                "av ungdomsenheten samt social insatsgrupp då den är användbar."
            ),
            "activities": [
                {
                    "text": "Spangrupp & IGV fokus på ungdomar som missbrukar narkotika",
                    "responsible_party": "police",
                    "followups": [
                        ("done_continuing", DONE_AND_ONGOING),
                        (
                            "done_continuing",
                            "158 narkotikabrott har rapporteras. Det finns 12 misstänkta i "
                            "åldern 15-17 år och 53 misstänkta i åldern 18-25 år.",
                        ),
                        (
                            "done_continuing",
                            "221 narkotikabrott har rapporterats under 2018. 64 st misstänkta "
                            "i åldern 18-25 år 12 st misstänkta i åldern 15-17 år.",
                        ),
                    ],
                },
            ],
        },
        {
            "party": "municipality",
            "text": (
                "Katrineholms kommun kommer stödja och hjälpa de som vill stiga av den "
                "kriminella banan. En del i detta är att utveckla arbetet med social "
                "insatsgrupper."
            ),
            "year_end_comment": (
                "Kommunen arbetar hela året med social insatsgrupp och även utvecklat den för "
                "att kunna hantera ungdomar med svårare problematik."
            ),
            "activities": [
                {
                    "text": "Arbeta i SIG grupper",
                    "responsible_party": "joint",
                    "followups": [
                        ("done_continuing", DONE_AND_ONGOING),
                        (
                            "done_continuing",
                            "Socialen och polisen träffas minst en gång i månaden och har s.k "
                            "SIG möten. Arbetet bedöms som framgångsrikt.",
                        ),
                        (
                            "done_continuing",
                            "Socialen och polisen träffas minst en gång i månaden och har s.k "
                            "SIG möten. Arbetet bedöms som framgångsrikt.",
                        ),
                    ],
                },
            ],
        },
        {
            "party": "joint",
            "text": (
                "Polisen och kommunen kommer tillsammans genomföra s.k. orosamtal med de "
                "ungdomar som bedöms vara på glid."
            ),
            "year_end_comment": (
                "Detta har genomösts tillsammans med polisen kontinuerligt under året med "
                "ungdomsbehandlare från socialtjänsten."
            ),
            "activities": [
                {
                    "text": "Orosamtal med ungdomar i riskzon. Görs tillsammans med socialen",
                    "responsible_party": "joint",
                    "followups": [
                        ("done_continuing", DONE_AND_ONGOING),
                        ("done_continuing", "Områdespolisen tillsammans med socialförvaltningen"),
                        ("done_continuing", "Områdespolisen tillsammans med socialförvaltningen"),
                    ],
                },
            ],
        },
        {
            "party": "municipality",
            "text": (
                "Kommunen fortätter arbetet med mötesplatser för ungdomar så som ”lyckliga "
                "gatan” & ”summer camp” m.m."
            ),
            "year_end_comment": (
                "Lyckliga gatan har genomförts vid tre tillfällen under året i Nävertorp, på "
                "norr samt i Valla. och ”summer camp” genomfördes under sommaren som en del av "
                "lyckliga gatan-projektet."
            ),
            "activities": [
                {
                    "text": "Ökad närvaro på platser där ungdomar befinner sig",
                    "responsible_party": "police",
                    "followups": [
                        ("done_continuing", DONE_AND_ONGOING),
                        (
                            "done_continuing",
                            "Områdespolisen besöker fritidsgårdar frekvent. Mc Donalds i city "
                            "är en sk hot spot när det gäller ungdomars ”häng” och därav "
                            "polisär närvaro varje helg, fredag och lördag. Förebyggande "
                            "arbete våld och droger. Ett problem område har varit ”Nyhem under "
                            "våren med. Flertalet möten med boende mm, vilket lett till att "
                            "lugnt området. Arbetet fortsätter tillsammans med socialen, skola "
                            "och polisen.",
                        ),
                        (
                            "done_continuing",
                            "Områdespolisen och fältassistenter har under hösten varit aktiva "
                            "på skolorna. Ingripande poliserna är på fritidsgårdar, hot spots "
                            "och där unga hänger.",
                        ),
                    ],
                },
            ],
        },
        {
            "party": "joint",
            "text": (
                "Kommunen och polisen kommer vid minst två tillfällen genomföra "
                "trygghetsvandringar i centrum med särskilt fokus på miljöer där ungdomar "
                "vistas. Kommunen ansvarar för att arrangera trygghetsvandringarna och "
                "samtidigt bjuda in samverkanspartners och ungdomar. Varje vandring genomförs "
                "både på dagtid och kvälltid."
            ),
            "year_end_comment": (
                "Kommunen har med hjälp av KfV marknadsföring genomfört två Trygghetsvandringar "
                "i centrala Katrineholm, Varje vandring genomförs dag- och kvälltid. Även "
                "Trygghetsvandring har genomförts Vid lokstallarna och området runt "
                "Trädgårdsgatan och Sandbäcksskolan"
            ),
            "activities": [
                {
                    "text": "Två trygghetsvandringar",
                    "responsible_party": "joint",
                    "target_value": "2",
                    "target_unit": "trygghetsvandringar",
                    "target_text": "minst två tillfällen",
                    "followups": [
                        ("completed", "Genomförda"),
                        (
                            "completed",
                            "Protokoll upprättade och de ”brister” som hittades är under "
                            "åtgärd.",
                        ),
                        (
                            "completed",
                            "Två trygghetsvandringar gjorda och åtgärder att fixa brister "
                            "pågår",
                        ),
                    ],
                },
            ],
        },
    ],
    "tertial_reports": [
        {"year": 2018, "tertial": 1, "summary": ""},
        {"year": 2018, "tertial": 2, "summary": ""},
        {
            "year": 2018,
            "tertial": 3,
            "summary": (
                "Den anmälda brottsligheten har minskat med 181 brott sedan 2017. Det är en "
                "minskning med 20%."
            ),
        },
    ],
}

PERIOD_2020 = {
    "title": "Medborgarlöfte 2020",
    "valid_from": "2020-01-01",
    "valid_to": "2020-12-31",
    "introduction": (
        "Kommunen tillsammans med Polisen har som mål att öka den generella känslan av "
        "trygghet hos medborgarna. Medborgar- och trygghetsundersökningar samt tillgänglig "
        "statistik har använts för att ta fram en lägesbild för Katrineholms kommun. Utifrån "
        "denna gemensamma lägesbild har kontraktet Medborgarlöftet tagits fram."
    ),
    "signatories": [
        {
            "party": "police",
            "name": "Liselotte Jergard",
            "title": "Chef lokalpolisområde Katrineholm",
        },
        {
            "party": "municipality",
            "name": "Göran Dahlström (S)",
            "title": "Kommunstyrelsens ordförande",
        },
    ],
    "focus_areas": [],
    "promises": [
        {"party": "police", "text": text}
        for text in [
            "Öka närvaron i centrala delen av Katrineholm både dagtid och kvällstid",
            "Utföra hundsök i skolor i förebyggande syfte för att skapa förutsättningar för en "
            "drogfri miljö för barn och ungdomar",
            "Genomföra riktade insatser mot platser och individer som hanterar eller brukar "
            "narkotika",
        ]
    ]
    + [
        {"party": "municipality", "text": text}
        for text in [
            "Stödja och hjälpa de som vill stiga av den kriminella banan. En del i detta är att "
            "utveckla arbetet med social insatsgrupper (SIG)",
            "Fortsätta arbetet med mötesplatser för ungdomar som exempelvis ”lyckliga gatan” "
            "m.m.",
            "Arbeta med ANDTS-coachmetoden – utbildnings och nätverkskoncept för att förebygga "
            "problem med alkohol, narkotika, doping, tobak och spel",
            "Kommunens kommer genomföra antilangningskampanjer vid riskhelger",
        ]
    ],
    "tertial_reports": [],
}

PERIOD_2022_2023 = {
    "title": "Medborgarlöfte 2022–2023",
    "valid_from": "2022-01-01",
    "valid_to": "2023-12-31",
    "introduction": (
        "Medborgarlöftet är en del av polisens och kommunens samverkansöverenskommelse om "
        "lokalt trygghetskapande och brottsförebyggande arbete.\n\n"
        "En av grundpelarna i Polismyndighetens arbete är att polisen ska verka närmare "
        "medborgarna i kommunen och medborgarna ska kunna vara delaktiga i processer vid "
        "trygghetskapande och brottsförebyggande arbete. Katrineholms kommun har som mål i "
        "kommunplanen att det ska vara tryggt och säkert att leva och verka i kommunen. "
        "Tillsammans med polisen ska hela den kommunala organisationen arbeta mot brottslighet "
        "och droger samt vara kompromisslösa i kampen mot kriminalitet och ha nolltolerans mot "
        "hot och våld. Medborgarna, medarbetarna, trygghetsundersökningar och tillgänglig "
        "statistik har använts för att ta fram en lägesbild. Utifrån denna gemensamma lägesbild "
        "har medborgarlöftet formulerats."
    ),
    "citizen_experience": (
        "Utifrån trygghetsmätningar och dialoger ger Katrineholms medborgare en positiv bild av "
        "trygghetsläget i kommunen. Det är förhållandevis få platser som pekas ut som otrygga. "
        "Vi vet dock sedan tidigare att individer kan känna sig otrygga fastän individen lever "
        "i ett område med väldigt lite brottslighet och vice versa. Utifrån denna kunskap blir "
        "det därför helt centralt att arbeta med medborgarnas upplevda otrygghet. Trots det "
        "generella positiva läget visar trygghetsmätning och dialoger att medborgarna upplever "
        "otrygghet i delar av centrum, norr och nävertorp. Det är främst under dygnets mörka "
        "timmar som oro för att utsättas för brott finns och då främst för våldsbrott. Många "
        "människor har behov av att bli sedda, hörda och bekräftade. Särskilt ungdomar har ett "
        "sådant behov och i synnerhet när de tar steget in i vuxenlivet. Ungdomars \"häng\" i "
        "tätorten och framförallt i centrum kan skapa otrygghet och oro för både vuxna och "
        "andra ungdomar."
    ),
    "situation": (
        "Utöver de geografiska platser som kommuninvånarna upplever som otrygga har Polisen "
        "och Katrineholms kommun tillsammans identifierat följande fokusområden för det lokala "
        "brottsförebyggande arbetet:"
    ),
    "effects": (
        "Det övergripande målet med aktiviteterna i medborgarlöftet är att den upplevda "
        "tryggheten för kommuninvånarna ska öka och att utsattheten för brott minska i "
        "Katrineholm.\n\n"
        "Öka tryggheten på lång sikt:\n\n"
        "Polisen och kommunen har som mål att öka den generella känslan av trygghet hos "
        "medborgarna. Detta arbete är långsiktigt och kräver tid och uthållighet. "
        "Medborgarlöftet är en del i det långsiktiga arbetet där målet är att uppnå en generell "
        "förbättring avseende den upplevda tryggheten. målet kommer att följas upp i "
        "trygghetsmätningar och medborgardialoger.\n\n"
        "Medborgarlöftet kommer vara en del av det trygghetsskapande arbetet som bedrivs i "
        "kommunen."
    ),
    "followup_description": (
        "Uppföljning av aktiviteter kopplade till medborgarlöftet kommer ske i samband med "
        "ordinarie verksamhetsuppföljning och redovisas i Rådet för Trygghet och Säkerhet tre "
        "gånger per år. Arbetet med medborgarlöftet kommer återkopplas och redovisas löpande "
        "mot kommunens medborgare och sammanställas på kommunens respektive polisens "
        "webbplats."
    ),
    "focus_areas": [
        {
            "name": "Våld",
            "description": (
                "Våld är fortfarande ett av de största samhällsproblemen i Sverige och orsakar "
                "ett enormt fysiskt och psykiskt lidande. Våldet innebär också stora kostnader "
                "för samhället. I Katrineholm ser vi att våld är vanligt förekommande, både i "
                "skolan, hemmet och i det offentliga rummet."
            ),
        },
        {
            "name": "Droger",
            "description": (
                "Droger är ett samhällsproblem och användandet av alkohol och tobak är det "
                "vanligaste folkhälsoproblemet i Sverige. Det drabbar våra ungdomar och det "
                "drabbar boende i området både direkt och indirekt genom droghandel och "
                "störningar samt de grova våldsbrott som sker som en konsekvens av uppgörelser "
                "och konflikter inom dessa kretsar."
            ),
        },
        {
            "name": "Ungdomsbrottslighet",
            "description": (
                "Den lokala lägesbilden indikerar samma sak som den nationella "
                "samhällsutvecklingen. Vi upplever ett tuffare klimat bland ungdomar där våld "
                "och våldsbrott ökar. Detta märks framförallt i högstadieskolan och på "
                "gymnasiet. Mätningar visar att det är för lätt för ungdomar att få tillgång "
                "till droger vilket är en utveckling som måste brytas."
            ),
        },
    ],
    "signatories": [
        {
            "party": "police",
            "name": "Liselotte Jergard",
            "title": "Chef lokalpolisområde Katrineholm",
        },
        {
            "party": "municipality",
            "name": "Johan Söderberg (S)",
            "title": "Kommunstyrelsens ordförande",
        },
    ],
    "promises": [
        {
            "party": "joint",
            "text": (
                "sätta in åtgärder, både kortsiktiga och långsiktiga, för att öka tryggheten "
                "med särskilt fokus på stadsdelarna centrum, norr och Nävertorp.\n\n"
                "Några exempel på åtgärder som kan vara aktuella är patrullering av polis, "
                "åtgärder kring belysning eller växtlighet vid en fastighet eller "
                "övervakningskameror."
            ),
        },
    ],
    "tertial_reports": [],
}

PERIODS = [PERIOD_2018, PERIOD_2020, PERIOD_2022_2023]
