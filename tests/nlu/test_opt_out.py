"""The opt-out detector (dm_bot/nlu/opt_out.py over intents/opt_out.yaml): every form of "no more messages",
and the look-alikes kept out by their context."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dm_bot.nlu.opt_out import OptOutDetector, OptOutReading, default_detector


@pytest.fixture(scope="module")
def detector() -> OptOutDetector:
    return default_detector()


@pytest.mark.parametrize(
    "text",
    [
        # the bare command, however it is typed
        "STOP", "stop!!", "Stop 🛑", "STOPPP", "stop stop", "stop thanks", "stop pls", "unsubscribe",
        "unsubscribe me please", "opt out", "end", "baja por favor", "BAJA",
        # typos of the command words
        "sotp", "stpo pls", "unsubcribe", "unsusbcribe", "unsubscibe", "removeme", "stp msging me",
        # requests in a sentence
        "please don't message me again", "Remove me from your list", "stop texting me", "take me off your list",
        "I'd like to be removed from your messaging list", "no more messages please", "leave me alone",
        "quit messaging me", "who gave you my number?", "i never signed up for this", "delete my number",
        "how do i stop getting these", "i already said stop",
        # a command clause beside a statement, or ending a complaint
        "stop plz i moved away", "not interested, stop", "wrong number, please stop",
        "worst facial of my life and now daily texts?? remove me",
        # Spanish and Spanglish
        "no me escriban más", "dejen de mandarme promociones", "déjenme en paz", "ya no quiero recibir mensajes",
        "basta de mensajes", "ya stop con los mensajes please", "dame de baja", "bórrenme de la lista",
        # spelled out, formal, "from everything", and a past opt-out still being ignored
        "s t o p", "S.T.O.P", "Kindly cease all communication with me.", "remove me from everything",
        "i said stop but you keep texting me", "i unsubscribed but i still get texts",
        # a bare "end", "opting out", no need to keep on, chill with them, a polite "could you not", mute me
        "pls end texts", "opting out of all this", "got it done elsewhere, no need to keep texting me",
        "chill on the promos pls", "could u not text me anymore", "mute me from your list",
        "if u send one more promo im reporting this page", "no more botox promos thx",
        "mi hermana ya no quiere recibir sus promociones", "dejen de molestar porfa",
        # the sender's own words in quotes still count
        "i said 'stop' like 3 times",
        # a wrong number, "how did you get my number", a threat to report, the bot told to stop messaging
        "sorry wrong number", "numero equivocado, no soy maria", "how did u even get this number? delete it",
        "de donde sacaron mi numero", "ill report this page if you text me again", "stop it already!!",
        "make the bot stop from messaging me", "cancel my subscription to these promos", "ugh. take me off",
    ],
)
def test_every_form_of_stop_is_an_opt_out(detector: OptOutDetector, text: str) -> None:
    assert detector.read(text).opt_out


@pytest.mark.parametrize(
    "text",
    [
        "how do i unsubscribe from my membership?", "unsubscribe me from the monthly botox plan",
        "take me off the 3pm thursday slot", "remove me from saturdays appointment, ill rebook",
        "unsubscribe from alle rewards? how", "can i stop by tomorrow?", "never stop posting these 🙌",
        "i cant stop staring at these lips", "my kids never leave me alone so i need an early appt",
        "your story said reply STOP to opt out but i want to opt in", "i accidentally replied STOP, add me back",
        "stop calling me please, just text me the confirmation", "dont message me on insta, text me at 555 0100",
        "no more messages from me after this i promise, whats the address", "how do i stop bruising after filler",
        "ok ill stop bugging you lol, do you take carecredit", "enough said, book me",
        # an opt-out that never happened or is over
        "i never unsubscribed, why aren't i getting your texts anymore?",
        "i unsubscribed last month but changed my mind, want to book botox",
        "i said leave me alone yesterday but i was having a bad day lol, is the special still on?",
        # a membership in Spanish, a renewal, a correction, a notice's instruction
        "como me doy de baja del plan mensual?", "opt out of the auto renewal please",
        "stop, wrong time, i said 4pm not 2pm", "to stop this, click here to verify your page",
        "the automated texts are fine but can someone call me, stop the automated ones and have a nurse call",
        "wait stop im not cancelling, just moving it to 3", "pls stop charging my card twice",
    ],
)
def test_look_alikes_are_ruled_out_so_the_model_cannot_call_them_opt_outs(detector: OptOutDetector,
                                                                          text: str) -> None:
    reading = detector.read(text)
    assert not reading.opt_out and reading.ruled_out


@pytest.mark.parametrize(
    "text",
    ["STOP. is that really $9 a unit for botox??", "wait stop, is that per unit or per area?",
     "stop, that's amazing!!", "STOP these results are unreal 😍 how much for lips", "how much is botox",
     "the bot stopped answering", "i stopped taking ozempic last week", "do you do a massage with the facial?",
     "can you remove my old filler?", "end my membership at the end of the month",
     "stop! i'm so excited for my first lip filler tomorrow 🥹", "leave me alone? no way, im obsessed with this page",
     "we help med spas cut unsubscribes by 40%, open to a quick call?",
     # someone else's words quoted: a caption, an ad
     "the caption read 'unsubscribe from dull skin' lol how much is that facial",
     "your ad said \"opt out of aging\" and honestly im in, when can i come",
     # staying subscribed is no unsubscribe; "pretty sure" is no delight
     "ok im staying subscribed, whats the promo"],
)
def test_stop_as_surprise_or_delight_and_ordinary_words_are_not_opt_outs(detector: OptOutDetector,
                                                                         text: str) -> None:
    assert not detector.read(text).opt_out


def test_a_typo_is_corrected_only_towards_the_command_words(detector: OptOutDetector) -> None:
    assert detector.read("no more massages for me, i want a facial").opt_out is False  # "massage" is a word
    assert detector.read("no more mesages").opt_out


def test_a_pattern_with_a_group_glued_to_a_word_is_refused(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "intents" / "opt_out.yaml"
    broken = tmp_path / "opt_out.yaml"
    broken.write_text(source.read_text(encoding="utf-8").replace(
        '  - "unsub me"', '  - "unsub(scribe)? me"'), encoding="utf-8")
    with pytest.raises(ValueError, match="whole words"):
        OptOutDetector.load(broken)


def test_an_unknown_key_names_the_file(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "intents" / "opt_out.yaml"
    broken = tmp_path / "opt_out.yaml"
    broken.write_text(source.read_text(encoding="utf-8") + "\nrequets: [stop]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"opt_out.yaml: unknown key 'requets'"):
        OptOutDetector.load(broken)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_gets_a_reading_never_an_exception(detector: OptOutDetector, text: str) -> None:
    reading = detector.read(text)
    assert not (reading.opt_out and reading.ruled_out)


def test_a_pasted_wall_of_look_alikes_and_emoji_is_read_as_what_it_is(detector: OptOutDetector) -> None:
    text = ("stop by, take me off the 3pm slot, how do i stop bruising? " * 90)[:5000] + " 😂" * 1000
    assert detector.read(text) == OptOutReading(opt_out=False, ruled_out=True)


# -- opt-outs said indirectly, and their look-alikes ---------------------------------------------------------------

OPT_OUTS_AS_PEOPLE_WRITE_THEM = [
    # said indirectly
    "could you remove me from your texts? moved away, thanks",
    "quit texting me about the membership, not interested",
    "no more filler specials please im good",
    "keep texting me and im blocking + reporting",
    "blocked. reported.",
    "how can i make these texts stop",
    "ill pass on any future promos 🙏",
    "nah, no more of these pls",
    "i already replied STOP to the texts and now ur in my dms. stop everywhere",
    "saquen este numero de su lista por favor",
    "please forget you ever had my number",
    "lmao yall text more than my ex 😭 stop fr",
    # Spanish or blunt
    "PARAR",
    "bórrenme porfa, ya no quiero nada",
    "baja de la lista porfavor",
    "BAJA x fa",
    "este cel es de mi hermana, no le escriban mas",
    "no quiero q me vuelvan a contactar, gracias",
    "ill report you for spam if you text me again",
    "too many texts. i want off",
    "this is her daughter, please take my mom off your texting list",
    "who tf gave you my number",
    # formal, slang, second-language English
    "nvm stop",
    "take me of the list",
    "no mor txts",
    "please i no want receive the messages thank you",
    "please stop the sms to this number",
    "it says reply STOP to opt out so: STOP",
    "Please update your records: this number no longer belongs to Ana.",
    "This account is run by my assistant; please discontinue outreach.",
    "Writing for my mother: she asks that you no longer contact her.",
    "Our office represents Ms. Diaz, who requests that you cease all further contact.",
    "Please unsubscribe this email from the monthly newsletter.",
    "remove me from the alle reminder texts you keep sending",
    "i dont want any more ozempic or semaglutide ads",
    "I do not wish to be contacted about this or any other offer.",
    # threats, goodbyes, voice-to-text
    "los voy a bloquear si siguen mandando mensajes",
    "leaving a 1 star review and i never want to hear from you again",
    "um can you guys like not text me anymore thanks",
    "take me off the lip filler email blast",
    "stoo",
    "id rather not hear from you again",
    "can i talk to someone? actually no, just stop texting me",
]

LOOK_ALIKES_AS_PEOPLE_WRITE_THEM = [
    # a joke, a timing, a correction, someone else's stop
    "my old tattoo of a snake on my arm is fading, can you remove it? price?",
    "i unsubscribed from your texts by mistake, how do i get the deals again",
    "leave me alone 😂 jk, how much is a lip flip",
    "no dejen de mandarme las ofertas jaja",
    "stop sending me the wrong time in the reminders lol, is it 3 or 4?",
    "my husband needs to stop texting me at work lol. anyway any botox openings friday",
    "unsubscribe me from wrinkles 😩 what do you recommend",
    "should i unsubscribe from my sister lol she sends me all your reels, how much is a hydrafacial",
    "stop sending me pics of the menu lol just tell me the price of microneedling",
    "no me manden mensajes antes de las 5 porfa, pero si quiero la cita",
    "the bot is stuck, make it stop and get me a person",
    # another channel, a change of mind, wanting the deals back
    "no me manden mensajes, mejor llámenme, no escribo bien",
    "ya no me interesa el botox, me interesa mas el relleno, cuanto sale?",
    "no more emails please, texts only",
    "ya no me escriban a este numero, mi celular personal es 305 555 0100",
    "stop calling and just text, im at work",
    "did i get unsubscribed? i want to keep getting the deals",
    "my bank app said unsubscribe lol anyway how much is a hydrafacial",
    "stop sending me such good deals 😂 is the filler special still on",
    "please stop sending my receipts to my old email, new one coming",
    "ya no me mande la direccion, ya la tengo, donde me estaciono?",
    # a slot, a forwarding address, an opt-in, a laugh
    "ok you can take me off the cancellation list now, i got in!",
    "please send all future messages to my assistant at kim@example.com",
    "please remove my son from our family membership, he moved",
    "actually i want to opt in, how do i get your deals by text?",
    "im weak 😭 stop",
    "ok stop i need this, any openings saturday for lip filler",
    "the bot keeps looping, stop, let me talk to a person",
    "saw 'unsubscribe' at the bottom of your email, can i still get the $199 deal?",
    "i almost unsubscribed but this botox deal got me 😂 how do i claim it",
    "i no want filler anymore, i want botox only, how much",
    "can you take me off the 5:30 tomorrow, something came up",
    # negated, wanting them back, a day blocked off, meant for someone else, too-good deals
    "im not unsubscribing lol, any tox deals?",
    "no me quiero dar de baja, solo quiero menos mensajes",
    "STOP sending me reminders? no no i want the reminders, i just didnt get one",
    "block off saturday for me",
    "wrong person? i think this was meant for my sister, shes the one with the appointment",
    "lose my number? no, this is my new one, please update my file",
    "stop stop stop im screaming these before and afters",
    "remove my old appointment from the system, i rebooked",
    "no quiero mas mensajes de mi ex jaja, tienen promo de labios?",
    "block me off 2 hrs for lips saturday",
    "no stop, you guys are the best",
    "i dont want to message back and forth, can i just call someone?",
    "id rather not get texts on weekends, weekdays are fine",
]


@pytest.mark.parametrize("text", OPT_OUTS_AS_PEOPLE_WRITE_THEM)
def test_an_opt_out_however_it_is_said_is_read(detector: OptOutDetector, text: str) -> None:
    assert detector.read(text).opt_out


@pytest.mark.parametrize("text", LOOK_ALIKES_AS_PEOPLE_WRITE_THEM)
def test_a_look_alike_however_it_is_said_is_no_opt_out(detector: OptOutDetector, text: str) -> None:
    assert not detector.read(text).opt_out
