"""Words that carry no topic in a query, per UN language, dropped before any-word matching.

Short on purpose: function words and question words only. The published lists (stopwords-iso,
for example) also drop words such as "work", "help" or "white" that name what delegates look for
("domestic work", "help for victims"), so they are not used here. Chinese needs none: its
queries are matched by characters, not by words.
"""

STOP_WORDS = {
    "en": """a about above after again all also am an and any are as at be been being below
        between both but by can could did do does doing down during each few for from further
        had has have having he her here hers him his how i if in into is it its itself just me
        more most my no nor not now of off on once only or other our ours out over own same she
        should so some such than that the their theirs them then there these they this those
        through to too under until up very was we were what when where which while who whom why
        will with would you your yours examples example there's what's how's any""",
    "fr": """a à au aux avec ce ces cet cette comment dans de des du elle elles en est et être
        il ils je la le les leur leurs lui ma mais me même mes moi mon ne nos notre nous on ou
        où par pas pour qu que quel quelle quelles quels qui sa sans se ses si son sont sur ta
        te tes toi ton tu un une vos votre vous y d l c s n j m qu'est exemples exemple
        ai as avons avez ont avait avaient aura auront été étais était étions étaient sera
        seront suis es sommes êtes""",
    "es": """a al algo algunos ante como con contra cual cuales cuando de del desde donde el
        ella ellas ellos en entre era es esa esas ese eso esos esta estas este esto estos ha hay
        la las le les lo los más me mi mis muy no nos o para pero por qué que quien se ser si
        sin sobre son su sus también te tu un una uno unos y ya ejemplos ejemplo cómo dónde
        he has han había habían habrá fue fueron sido siendo está están estaba estaban estar
        soy eres somos""",
    "ru": """а без более бы был была были было быть в вам вас весь во вот все всего всех вы где
        да для до его ее ей ему если есть еще же за и из или им их к как какие какой когда ли
        между мы на над не него нее нет ни них но о об однако он она они оно от по под при про
        с со так также там то того тоже только том тот у уже чем что чтобы эта эти это этот я
        примеры пример кто кого кому каким какими каких какая какое который которая которое
        которые которых которым которыми можно нужно может могут свой свои своих своим своими
        себя""",
    "ar": """في من إلى على عن مع هذا هذه ذلك تلك التي الذي الذين ما ماذا كيف أين متى هل لا لم
        لن أن إن كان كانت هو هي هم نحن أنا أو ثم قد كل بعض عند بين حتى أي و ب ل ف""",
}
# Words a question about practices uses without naming its topic: every practice is some
# countries' response to trafficking ("how do countries identify victims", "the role of
# national committees"), so these tell practices apart no better than "the" does; nor do the
# verbs of a request ("getting the public to know about...", "payer pour obtenir un emploi").
SCAFFOLDING = {
    "en": """countries country ways role used using against combat combating fight fighting
        done get gets getting got know knows knowing""",
    "fr": """pays façons rôle lutter lutte contre combattre faire
        savoir connaître connaissent obtenir""",
    "es": """países país papel existen lucha luchar combatir hacer
        saber conocer conozcan obtener conseguir""",
    "ru": "страны странах стран роль борьба борьбе борьбы противодействие противодействии против",
    "ar": "الدول الدولة البلدان مكافحة لمكافحة ومكافحة",
}
ALL = frozenset(
    word for words in (*STOP_WORDS.values(), *SCAFFOLDING.values()) for word in words.split()
)


def is_stop(word: str) -> bool:
    return word.casefold() in ALL


_BY_LANGUAGE = {language: frozenset(words.split()) for language, words in STOP_WORDS.items()}


def stop_languages(word: str) -> list[str]:
    """The languages of which the word is a small word ("pour": French; "a": three)."""
    word = word.casefold()
    return [language for language, words in _BY_LANGUAGE.items() if word in words]
