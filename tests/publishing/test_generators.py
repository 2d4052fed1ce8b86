"""Metadata generation: the offline backend, the OpenAI-compatible backend against a local server, test-prompt."""

import json
import re

import pytest

from publishing.generators import (
    DEFAULT_PROMPT,
    GenerationUnavailable,
    InvalidReply,
    OfflineGenerator,
    OpenAIChatGenerator,
    filename_words,
    parse_reply,
    render_prompt,
)
from publishing.models import AITemplate, ScheduledPost, Video
from tests.publishing.factories import Reply

GOOD = {
    "title": "Insane 1v4 Clutch",
    "caption": "Down to the wire 🔥",
    "hashtags": "#valorant #clutch #ace #fps #gaming #gamer #clips #highlights #fyp #viral #esports",
}


def chat_reply(content):
    return Reply(body={"choices": [{"message": {"role": "assistant", "content": content}}]})


# --- offline --------------------------------------------------------------------------


def test_offline_is_deterministic_and_uses_filename_and_game():
    prompt = render_prompt(DEFAULT_PROMPT, filename="valorant_clutch_ace_2024-05-01.mp4", game_context="Valorant")
    one = OfflineGenerator().generate(prompt=prompt, filename="valorant_clutch_ace_2024-05-01.mp4",
                                      game_context="Valorant")  # fmt: skip
    two = OfflineGenerator().generate(prompt=prompt, filename="valorant_clutch_ace_2024-05-01.mp4",
                                      game_context="Valorant")  # fmt: skip
    assert one == two
    assert "Clutch Ace" in one.title and "Valorant" in one.title
    assert "2024" not in one.title
    assert "#valorant" in one.hashtags and "#clutch" in one.hashtags
    assert 10 <= len(one.hashtags) <= 15
    assert len(one.title) <= 100 and len(one.caption) <= 2200


def test_offline_follows_what_the_template_asks():
    plain = "Write a professional title for {filename} ({game_context}). No fluff. Include #setdesk."
    prompt = render_prompt(plain, filename="apex_triple.mp4", game_context="Apex Legends")
    result = OfflineGenerator().generate(prompt=prompt, filename="apex_triple.mp4", game_context="Apex Legends")
    assert "🔥" not in result.caption and "#setdesk" in result.hashtags
    assert "#apexlegends" in result.hashtags
    emoji = OfflineGenerator().generate(
        prompt="Lots of emoji please for {filename}", filename="apex_triple.mp4", game_context="Apex Legends"
    )
    assert emoji != result


@pytest.mark.parametrize("filename", ["", "....mp4", "2024-05-01_123456.mp4", "x" * 300 + ".mp4", "日本語.mov"])
def test_offline_always_gives_valid_metadata(filename):
    result = OfflineGenerator().generate(prompt=DEFAULT_PROMPT, filename=filename, game_context="")
    assert result.title and len(result.title) <= 100 and 10 <= len(result.hashtags) <= 15


def test_filename_words():
    assert filename_words("valorant_ClutchAce-2024-05-01 final.mp4") == ["valorant", "Clutch", "Ace"]


def test_render_prompt_leaves_other_braces_alone():
    assert render_prompt('{filename} / {game_context} {"title": "..."}', filename="a.mp4", game_context="g") == (
        'a.mp4 / g {"title": "..."}'
    )


# --- parsing replies ------------------------------------------------------------------


def test_parse_reply_accepts_a_fenced_object_and_a_hashtag_list():
    result = parse_reply("```json\n" + json.dumps({**GOOD, "hashtags": GOOD["hashtags"].split()}) + "\n```")
    assert result.title == GOOD["title"] and len(result.hashtags) == 11


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("Sure! Here you go: a great title", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({**GOOD, "title": "t" * 101}), "title has 101 characters (limit 100)"),
        (json.dumps({**GOOD, "caption": "c" * 2201}), "caption has 2201 characters (limit 2200)"),
        (json.dumps({**GOOD, "hashtags": "#a #b #c"}), "3 hashtags (need 10–15)"),
        (json.dumps({**GOOD, "hashtags": " ".join(f"#t{i}" for i in range(16))}), "16 hashtags"),
        (json.dumps({**GOOD, "hashtags": 5}), "hashtags are missing"),
        (json.dumps({"caption": "x", "hashtags": GOOD["hashtags"]}), "title is missing"),
        ("[" * 50_000, "not JSON"),  # issue 9: RecursionError, a 500 on "test prompt"
        ('{"a": ' * 40 + "1" + "}" * 40, "not JSON"),
    ],
)
def test_parse_reply_rejects_bad_replies_clearly(content, needle):
    with pytest.raises(InvalidReply, match=re.escape(needle)):
        parse_reply(content)


# --- OpenAI-compatible backend against a local server ---------------------------------


def test_openai_backend_sends_a_chat_completion_and_validates_the_reply(http_server):
    server = http_server(lambda request: chat_reply(json.dumps(GOOD)))
    generator = OpenAIChatGenerator(base_url=f"{server.url}/v1/", api_key="sk-test", model="tiny", timeout=5)
    result = generator.generate(prompt="Describe clip.mp4", filename="clip.mp4", game_context="Valorant")
    assert result.title == GOOD["title"] and result.hashtags[0] == "#valorant"
    (received,) = server.received
    assert received.path == "/v1/chat/completions"
    assert received.headers["authorization"] == "Bearer sk-test"
    body = received.json()
    assert body["model"] == "tiny"
    assert body["messages"][-1] == {"role": "user", "content": "Describe clip.mp4"}


@pytest.mark.parametrize(
    ("reply", "error", "needle"),
    [
        (chat_reply("not json at all"), InvalidReply, "not JSON"),
        (chat_reply(json.dumps({**GOOD, "title": "t" * 150})), InvalidReply, "limit 100"),
        (Reply(body={"choices": []}), InvalidReply, "choices"),
        (Reply(status=500, body={"error": "boom"}), GenerationUnavailable, "HTTP 500"),
        (Reply(status=401, body={"error": "bad key"}), GenerationUnavailable, "HTTP 401"),
    ],
)
def test_openai_backend_errors(http_server, reply, error, needle):
    server = http_server(lambda request: reply)
    with pytest.raises(error, match=needle):
        OpenAIChatGenerator(base_url=server.url, api_key="k", model="m", timeout=5).generate(
            prompt="p", filename="f.mp4", game_context="g"
        )


def test_openai_backend_timeout(http_server):
    server = http_server(lambda request: server.release.wait(10) and None)
    with pytest.raises(GenerationUnavailable, match="timed out"):
        OpenAIChatGenerator(base_url=server.url, api_key="k", model="m", timeout=0.3).generate(
            prompt="p", filename="f.mp4", game_context="g"
        )


# --- test-prompt API ----------------------------------------------------------------------


@pytest.mark.django_db
def test_test_prompt_offline_uses_the_active_template_by_default(api_as):
    manager = api_as("social_manager")
    url = "/api/v1/publishing/test-prompt/"
    response = manager.post(url, {"filename": "rocket_league_ceiling_shot.mp4", "game_context": "Rocket League"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"title", "caption", "hashtags"} and 10 <= len(body["hashtags"]) <= 15
    AITemplate.objects.create(name="calm", prompt_text="professional, include #brand: {filename}", is_active=True)
    calm = manager.post(url, {"filename": "rocket_league_ceiling_shot.mp4", "game_context": "Rocket League"}).json()
    assert "#brand" in calm["hashtags"] and calm != body
    explicit = manager.post(url, {"prompt": "include #explicit {filename}", "filename": "a.mp4"}).json()
    assert "#explicit" in explicit["hashtags"]
    assert manager.post(url, {"game_context": "x"}).status_code == 400
    assert api_as("producer").post(url, {"filename": "a.mp4"}).status_code == 403


@pytest.mark.django_db
def test_test_prompt_with_the_llm_backend_maps_errors(api_as, http_server, settings):
    replies = iter([chat_reply(json.dumps(GOOD)), chat_reply("nope"), Reply(status=503, body={})])
    server = http_server(lambda request: next(replies))
    settings.LLM_BASE_URL, settings.LLM_API_KEY, settings.LLM_MODEL = server.url, "k", "m"
    manager = api_as("social_manager")
    url = "/api/v1/publishing/test-prompt/"
    ok = manager.post(url, {"prompt": "x {filename}", "filename": "a.mp4"})
    assert ok.status_code == 200 and ok.json()["title"] == GOOD["title"]
    bad = manager.post(url, {"prompt": "x {filename}", "filename": "a.mp4"})
    assert bad.status_code == 400
    assert "not JSON" in bad.json()["errors"]["prompt"][0]
    down = manager.post(url, {"prompt": "x {filename}", "filename": "a.mp4"})
    assert down.status_code == 503 and "HTTP 503" in down.json()["detail"]
    assert not Video.objects.exists() and not ScheduledPost.objects.exists()
