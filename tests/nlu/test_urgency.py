"""UrgencyDetector: possible emergencies (nlu-labels.md "Urgent") and medical cues, in English and Spanish."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dm_bot.nlu.data import INTENTS_DIR
from dm_bot.nlu.urgency import UrgencyDetector


@pytest.fixture(scope="module")
def detector() -> UrgencyDetector:
    return UrgencyDetector.load()


URGENT_EN = [
    # skin turning white, grey, blue, purple, mottled or dusky after filler
    "my lip is turning white after filler",
    "the skin around my filler is turning grey",
    "part of my lip looks blue after lip filler, help",
    "my lip is turning purple",
    "there's a mottled lacy pattern where they injected",
    "my nose looks dusky after filler",
    "my lip is blanching after filler, is that bad?",
    "urgent - my lip is turning a weird color after filler",
    # severe or worsening pain after filler
    "severe pain in my lip since the filler yesterday",
    "the pain after my filler is getting worse and worse",
    "my cheek hurts so bad after filler",
    # vision changes or eye pain after an injection
    "my vision is blurry after my filler appointment",
    "I can't see well out of my left eye since my injection",
    "my eye hurts really bad after the injection",
    "I have double vision after botox",
    # trouble breathing, throat or tongue swelling
    "I'm having trouble breathing after my IV",
    "my throat feels like it's closing",
    "my tongue is swelling up after the injection",
    "I'm wheezing after the drip",
    # a spreading hot red area with fever or pus
    "the area is hot, red and spreading and I have a fever",
    "I have pus coming out of the injection site",
    "the red patch keeps getting bigger and it's warm",
    # blisters or burns after a laser or peel
    "I have blisters all over my face after laser",
    "I got burned during laser hair removal",
    "my face is burning and blistering after the CO2",
]
URGENT_ES = [
    "se me puso morado el labio",
    "mi labio se está poniendo blanco después del relleno",
    "se me está poniendo gris la piel donde me pusieron el relleno",
    "el dolor después del relleno es cada vez peor",
    "me duele muchísimo el labio",
    "veo borroso después del relleno",
    "me duele el ojo después de la inyección",
    "no puedo respirar",
    "se me está hinchando la lengua",
    "tengo la garganta cerrada después del suero",
    "la zona está roja, caliente y con pus, y tengo fiebre",
    "ampollas después del láser",
    "me quemó el láser, tengo ampollas en las piernas",
]
MISSPELT = [
    "my lip is turning purpel",
    "i cant breath after the iv",
    "my vision is blury since my filler",
    "I have blisetrs after the peel",
    "urgnet!!! my lip is turnin blu after filer",
    "trubble breething after the shot",
]
# Said another way: a simile, a sensation of about to faint, an eye that will not open, Spanish third person
DESCRIBED = [
    "my chin filler spot feels like someone is pressing a hot knife in it and its getting worse every hour",
    "lip looks like a grape now and hurts sm after the filler today",
    "her lip is literally black-ish in one spot after filler and she's crying from the pain",
    "after masseter botox i feel like im going to faint and my heart is racing",
    "i feel like i'm suffocating after the pellet insertion, i literally cant get air in",
    "the tear trough filler I got on Saturday, my eye is swollen shut",
    "mi hermana no ve bien de un ojo después del botox que se puso hoy",
    # a colour change beside something white that is not it; tenderness that stops a touch; sight said as ability
    "my cheek has pale patches and a few little whiteheads popping up since the voluma",
    "cant even touch my jaw where the filler went, getting worse by the hour",
    "is it normal that i'm not able to see properly out of my left eye since the tox",
    # breathing that is off, sight going dark at the edges or smeared, a spiderweb pattern, a temperature
    "my mom is breathing funny and her lips are swelling after the iv",
    "cheek filler this am and now my sight on the left is going dark around the edges",
    "since the tox my vision is smeared on one side",
    "lip looks like a purple spiderweb after the touch up",
    "the spot where they injected is red and hot and i'm running a temp",
    "she can't open her eyes all the way since the temple filler",
]


@pytest.mark.parametrize("text", URGENT_EN + URGENT_ES + MISSPELT + DESCRIBED)
def test_a_described_emergency_is_urgent_and_medical(detector: UrgencyDetector, text: str) -> None:
    assert detector.is_urgent(text)
    assert detector.has_medical_cue(text)


@pytest.mark.parametrize(
    "text",
    [
        "is bruising normal after filler",
        "I have a bruise after filler, is that normal",
        "my bruise is purple and yellow",
        "my lip looks blue and bruised",
        "mild swelling after lip filler",
        "my lips are still swollen 3 days later",
        "I have a small bump in my lip",
        "my forehead feels heavy after botox",
        "can I get botox while pregnant",
        "im breastfeeding, can I still get filler",
        "I'm on blood thinners, can I get filler",
        "I'm allergic to lidocaine",
        "I have a fever, can I still come in for botox?",
        "I get fever blisters, can I get lip filler?",
        "tengo un moretón después del relleno",
        "estoy embarazada, puedo hacerme botox?",
        "tomo anticoagulantes, puedo ponerme relleno?",
    ],
)
def test_ordinary_side_effects_and_contraindications_are_medical_not_urgent(
    detector: UrgencyDetector, text: str
) -> None:
    assert not detector.is_urgent(text)
    assert detector.has_medical_cue(text)


# Urgent means an emergency described as happening; a question about a risk is a medical_concern only.
@pytest.mark.parametrize(
    "text",
    [
        "what happens if it turns purple?",
        "can filler cause blindness?",
        "will my lips turn blue?",
        "do peels cause blisters?",
        "what are the risks of vascular occlusion",
        "qué pasa si se pone morado el labio?",
    ],
)
def test_a_question_about_a_risk_is_medical_not_urgent(detector: UrgencyDetector, text: str) -> None:
    assert not detector.is_urgent(text)
    assert detector.has_medical_cue(text)


@pytest.mark.parametrize(
    "text",
    [
        "no swelling at all, thanks!",
        "it's not purple, just a little red",
        "no blisters after my laser, it went great",
        "I don't have trouble breathing",
        "I'm not pregnant or breastfeeding",
        "no tengo fiebre ni ampollas",
        "sin ampollas, todo bien",
    ],
)
def test_a_negated_symptom_is_neither(detector: UrgencyDetector, text: str) -> None:
    assert not detector.is_urgent(text)
    assert not detector.has_medical_cue(text)


@pytest.mark.parametrize(
    "text",
    [
        "years ago my cheek went grey after filler at a med spa, it was fixed with hyaluronidase. safe to try again?",
        "I had a vascular occlusion back in 2021, they dissolved it and it resolved. can I get cheek filler?",
        "got a burn from ipl last year, it healed fine. would co2 be ok for me?",
        "my sister had blisters after a chemical peel months ago, all healed. should she avoid peels?",
        "hace dos años se me puso morado el labio despues del relleno, ya se quito. puedo ponerme otra vez?",
    ],
)
def test_a_past_episode_that_is_over_is_medical_not_urgent(detector: UrgencyDetector, text: str) -> None:
    assert not detector.is_urgent(text)
    assert detector.has_medical_cue(text)


@pytest.mark.parametrize(
    "text",
    [
        "I got filler a month ago and today my lip is turning white",
        "last year I had filler and now my nose tip looks grey and mottled",
        "my lip went blue after filler weeks ago and it never went away",
        "hace meses me puse relleno y ahora el labio se esta poniendo morado",
        "the pain in my cheek since the filler yesterday afternoon keeps getting worse every hour",
    ],
)
def test_an_emergency_now_is_urgent_whatever_happened_before(detector: UrgencyDetector, text: str) -> None:
    assert detector.is_urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "my injection spot is red and a bit warm, no fever though",
        "some red bumps since my microneedling, no fever or pus",
    ],
)
def test_a_negation_reaches_the_cue_word_in_its_own_clause(detector: UrgencyDetector, text: str) -> None:
    assert not detector.is_urgent(text)
    assert detector.has_medical_cue(text)


@pytest.mark.parametrize(
    "text",
    [
        "no, my lip is turning white",
        "not sure if it's normal but my lip is turning grey",
        "no pain but my vision is blurry",
    ],
)
def test_a_negation_elsewhere_does_not_hide_an_emergency(detector: UrgencyDetector, text: str) -> None:
    assert detector.is_urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "what works best for the dark circles under my eyes",
        "tengo ojeras muy oscuras, que me recomiendan para los ojos",
    ],
)
def test_dark_circles_under_the_eyes_are_a_goal_not_dim_sight(detector: UrgencyDetector, text: str) -> None:
    assert not detector.is_urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "hey how much is botox",
        "is morpheus8 painful",
        "does it hurt a lot?",
        "I'm scared it will hurt a lot",
        "Black Friday deals on lip filler?",
        "I have very pale skin, can I do laser?",
        "I'm on a tight budget",
        "can you bump my appointment",
        "cancel my appointment please",
        "we are selling SEO services",
        "IPL for redness, how much?",
        "pagué 350 dólares y no veo ningún cambio",
        "I can't see the prices on your page",
        "how long does swelling last after lip filler",
        "thank you so much!",
        "my face went white as a ghost when i saw my bill, why was i charged twice??",
        "lol my bf says i look like a blueberry in this purple hoodie, anyway when can i come in",
        "my jeans are suffocating me, how much is coolsculpting for the belly",
    ],
)
def test_ordinary_messages_are_neither(detector: UrgencyDetector, text: str) -> None:
    assert not detector.is_urgent(text)
    assert not detector.has_medical_cue(text)


@pytest.mark.parametrize(
    "text", ["", "   ", "😍😍😍", "안녕하세요", "\x00\x1f\x7f", "my lip is white " * 2000, "?!.,;:" * 100]
)
def test_odd_input_never_raises(detector: UrgencyDetector, text: str) -> None:
    assert detector.is_urgent(text) in (True, False)
    assert detector.has_medical_cue(text) in (True, False)


def test_loads_cues_from_a_given_path(tmp_path: Path) -> None:
    source = yaml.safe_load((INTENTS_DIR / "urgency.yaml").read_text(encoding="utf-8"))
    source["urgent"].append({"all": [["seizure", "seizing"]]})
    path = tmp_path / "urgency.yaml"
    path.write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    assert UrgencyDetector.load(path).is_urgent("my friend is having a seizure after her drip")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_any_text_never_raises(detector: UrgencyDetector, text: str) -> None:
    assert detector.is_urgent(text) in (True, False) and detector.has_medical_cue(text) in (True, False)


# -- the broader rule of nlu-labels.md: with or without a treatment, whoever it happened to ---------------------

URGENT_ANYONE = [
    # chest pain, fainting, hives spreading with swelling: with or without a treatment
    "chest pain after my testosterone pellet, like pressure on my chest",
    "me duele el pecho desde que me pusieron el suero",
    "sharp chest pain and my left arm feels numb",
    "i fainted after my botox and still feel dizzy",
    "passed out in the shower after my semaglutide",
    "se desmayó mi mamá después de la sueroterapia",
    "my boyfriend collapsed right after his shot",
    "hives all over and my lips are swelling up",
    "me salieron ronchas por todo el cuerpo y se me están hinchando los labios",
    # someone else, a treatment elsewhere, a product or a face area named instead of "filler"
    "my sister got her tear troughs done at another place and now under her eye is greyish",
    "theres a pale streak going up from my lip toward my nose after kysse",
    "my temple where the sculptra went is white and hurts",
    "after radiesse in my jaw im seeing flashing lights",
    "everything is blurry since the filler in my nose",
    "her lip hurts so bad after the filler",
    # written off, buried in another question
    "prob nothing but my chin is killing me since the filler and its worse every hour",
    "its probably nothing but the tip of my nose is dusky after filler",
    "how much to dissolve filler? my lip has gone grey since yesterday",
    "got my lips done sat and the corner is kinda bluish today, not like a bruise",
    # infection and burns, told without "I"
    "chin filler 5 days ago and now its red, swollen, hot and leaking yellow stuff",
    "tattoo removal session tuesday and now theres a huge blister bubble",
]

NOT_URGENT_LOOK_ALIKES = [
    "i cant breathe 😂😂 these lip results are insane how much",
    "LMAO i literally cannot breathe at this before and after",
    "the filter on your lip filler reel makes her lips look blue 💀",
    "i could talk about lips till im blue in the face 😂",
    "i almost passed out when i saw the price 😂",
    "best filler for pale lips?",
    "how much for chest hair laser removal",
    "chest laser hair removal hurt a lot but worth it",
    "chest pain runs in my family, can I still get semaglutide?",
    "had hives last year after a peel, all healed, can i do another",
    "my lips are a little swollen after filler, normal?",
    "el microneedling duele mucho?",
    "does filler make your lips turn blue if it goes wrong?",
    "im scared ill faint when i see the needle",
    # white spots are what "white" describes; reactions to results; the pain of a wait; an episode over
    "i get tiny white spots on my lips after filler, milia maybe?",
    "nearly passed out at how gorgeous those lips are, price?",
    "the pain of waiting 2 weeks for my tox to settle is unbearable lol",
    "my lip went kinda pale during the injection last time but came back pink in a minute",
    "de chiquita me desmayaba con las vacunas, el relleno duele?",
]


@pytest.mark.parametrize("text", URGENT_ANYONE)
def test_an_emergency_counts_whoever_it_happened_to_and_however_it_is_told(detector: UrgencyDetector,
                                                                         text: str) -> None:
    assert detector.is_urgent(text)


@pytest.mark.parametrize("text", NOT_URGENT_LOOK_ALIKES)
def test_figures_of_speech_treatment_goals_and_past_episodes_are_not_urgent(detector: UrgencyDetector,
                                                                            text: str) -> None:
    assert not detector.is_urgent(text)


def test_a_group_may_name_a_shared_word_list_and_an_unknown_one_names_the_file(tmp_path: Path) -> None:
    source = INTENTS_DIR / "urgency.yaml"
    broken = tmp_path / "urgency.yaml"
    broken.write_text(source.read_text(encoding="utf-8").replace("'@filler_areas'", "'@filler_area'", 1),
                      encoding="utf-8")
    with pytest.raises(ValueError, match=r"urgency.yaml: no word list 'filler_area'"):
        UrgencyDetector.load(broken)


# -- how people say it without the textbook word: emoji, pronouns, spellings, feelings ----------------------------

URGENT_UNTEXTBOOK = [
    # emoji standing for words
    "🫁😵‍💫 since my b12 shot, cant breathe right",
    # a colour said of what the sentence named before ("now theyre like purple")
    "got my lips done at a friends place yesterday and now theyre like grey and white",
    # spellings: a plural with z, a dropped g, an "'s"
    "blisterz all over my cheek after the co2",
    "lip is swellin and my throat is swellin up too",
    "my dad's vision's gone dim on one side since the botox",
    # the sender says a risk they asked about is theirs
    "can filler make your skin go white? asking bc mine is rn above my lip",
    # feelings, not symptom words
    "breathing feels like theres an elephant sitting on my chest since the iv",
    "my heart feels squeezed and im clammy, had pellets put in today",
    "lip is cold to the touch and kinda tight since the filler this morning",
    "its been 2 days and its unbearable in my cheek where the filler went",
    "everything looks smudgy out of my right eye since the forehead tox",
    "mom is holding her chest in your lobby saying it aches",
    "raised water bubbles on my face where the ipl was",
    "lost some of the vision in my left eye after the nose filler",
    "not me seeing double after my tox 💀 is that normal",
    # a condition with the treatment behind, not ahead
    "if my lip is grey after filler is that bad? got it done this morning",
    # Spanish: black, a net pattern, an asthma attack, a faint, a throat that tightens, hives that inflate
    "a mi prima le pusieron relleno en una casa y ahora lo tiene negro el labio",
    "la nariz con manchitas moradas como una red despues del relleno",
    "mi hija tiene asma y le dio un ataque fuerte aqui en la sala, no le funciona el inhalador",
    "se me fue el mundo y me cai al piso, hoy fue mi cita de relleno",
    "siento la garganta apretada desde el suero",
    "me salieron ronchas y los labios se me estan inflando",
    "mi abuelo no habla claro desde que salio de su sesion",
    # described, not named: lightning in the eye, wavy sight, a fever beside a hot red patch, worse by the day
    "i keep seeing little lightning bolts in my eye since the filler",
    "everything looks wavy out of my left eye since the temple filler",
    "the injection site is a hot red circle bigger than my palm now and i have a fever",
    "the filler spot hurts more today than yesterday, and more now than this morning",
    "cant brethe good and my tonge is swolen after the numbing cream",
    # second-language English, context-light follow-ups, slang spellings
    "my lips is become white color after the filler yesterday",
    "still cant see right out of it",
    "ouch the pain keeps gettin worser n worser since the filler",
    "i am faint two times today after the drip",
    # told clinically
    "pt s/p HA filler to the chin, now violaceous and reticulated",
    "SOB and stridor right after the IV, pt still in the chair",
    "angioedema of the tongue 10 min after the numbing cream",
    "she is syncopal in the car after her botox",
    "bullae on both cheeks 24h after the TCA peel",
    # an episode that is back, a negation undone, a negation about something else, a remedy not working
    "had hives once after a peel years ago but right now they are back and my lips are puffing up",
    "never had trouble breathing before but now i do, right after the shot",
    "its the colour of a bruise but its not a bruise and its freezing to the touch since the filler",
    "benadryl isnt working, the hives keep spreading and my lips are swollen",
    # metaphors: a corpse's colour, a hot iron, bubble wrap, a pinched straw, a vice, the lights going out
    "my top lip looks like a zombie's since the filler yesterday",
    "after the laser my underarms look like someone pressed a hot iron on them and the skin is coming off raw",
    "raised bubbles like bubble wrap on my cheeks after the ipl",
    "my throat is like a straw someone is pinching since the botox",
    "my chest feels like its in a vice since the coolsculpting",
    "the lights went out for a sec and i woke up on the floor, first mounjaro shot today",
    "im a creator and would love to feature you, also my lips look like grey putty since last night",
    # a cue that lasts is no joke; a treatment named after "after"; a diminutive; gasping
    "chest pain on and off all morning lol prob stress, anyway do you have emsculpt openings",
    "lowkey passed out after microneedling lol my bf had to catch me",
    "se me puso blanquito el labio despues del relleno",
    "call 911 my friend just had filler and is gasping",
]

NOT_URGENT_UNTEXTBOOK = [
    # the sender says the signs are absent
    "droopy brow after botox, kinda annoying but no pain and vision is fine",
    # an episode that is over, however the years are said
    "my aunt fainted at a spa like 15 yrs ago and now she's nervous, can she book a consult",
    "back in 2020 my lip went white after filler somewhere else, dissolved it, all good. can i get a top up?",
    "they saw some blanching and it went pink again right away, just checking in",
    # colours that are costumes, the weather or a pet's trouble
    "did blue lips and a white face for halloween lol, botox deals?",
    "our dog's tongue is swollen from a wasp lol, can i still come at 3",
    # reactions and reports
    "almost passed out when i told my husband what i spent lmao",
    "hypothetically what do you do if someone faints during an iv",
    "been reading about necrosis from filler, how often does it happen",
    "can't see the difference 3 weeks after botox, kinda annoyed",
    "the cold sores i get are a lot worse in winter, can i still get lip filler",
    # a condition with the treatment still ahead
    "if my cheek goes grey after the filler what do i do? asking before my appointment next week",
    "is chest pain a side effect of tirzepatide? asking before i start",
    # Spanish episodes that are over, reactions, emotion; a favourite colour; a nap
    "hace 4 anos mi mama se quedo ciega de un ojo por un relleno, eso pasa seguido?",
    "casi me desmayo cuando me dijeron que el relleno dura un año nomas jaja",
    "se me cerro la garganta de la emocion cuando me vi los labios 🥹",
    "purple is my fav color, is the purple light facial good for acne?",
    "passed out on the couch after my facial lol best nap ever",
    "my eyelid is a bit droopy after botox, vision is totally fine it just looks off",
    # expected, asked about, carried
    "the sun spots went dark like coffee grounds after my ipl, normal?",
    "got a lil blister from a cold sore, can i still get filler friday",
    "do you stock hyaluronidase and an epipen? first time getting filler",
    "i carry an epipen for bee stings, is that ok for the iv",
    "co2 day 3, oozing and crusting like you said to expect",
    "what's your vascular occlusion protocol for filler?",
    "mild swelling post cheek filler, no blanching, cap refill brisk",
    # better now, a glow, a blister from shoes, a comparison is no episode back
    "my face is on fire after that facial, glowing so much, thank you!!",
    "got a blister from my new heels walking over, do you have a bandaid",
    "my doctor said last month my chest pain was just anxiety and its gone, ok to get botox?",
    "do people ever pass out during iv therapy?",
    "my skin looks white and flaky after the peel, normal?",
    "i blacked out scrolling your feed for an hour lol, can i book a consult",
    "that before and after had me gasping, is morpheus8 painful",
]


@pytest.mark.parametrize("text", URGENT_UNTEXTBOOK)
def test_an_emergency_told_without_its_textbook_word_is_urgent(detector: UrgencyDetector, text: str) -> None:
    assert detector.is_urgent(text)


@pytest.mark.parametrize("text", NOT_URGENT_UNTEXTBOOK)
def test_an_all_clear_an_old_episode_a_costume_or_a_report_is_not_urgent(detector: UrgencyDetector,
                                                                        text: str) -> None:
    assert not detector.is_urgent(text)


def test_an_all_clear_rules_out_the_models_own_urgent_reading(detector: UrgencyDetector) -> None:
    signals = detector.signals("eyelid a bit droopy after tox, no pain, vision is fine")
    assert not signals.urgent and signals.ruled_out


def test_emoji_words_must_map_each_emoji_to_a_word(tmp_path: Path) -> None:
    source = INTENTS_DIR / "urgency.yaml"
    broken = tmp_path / "urgency.yaml"
    broken.write_text(source.read_text(encoding="utf-8").replace('"🫁": lungs', '"🫁": [lungs]', 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"urgency.yaml: 'emoji_words' must map each emoji to a word"):
        UrgencyDetector.load(broken)
