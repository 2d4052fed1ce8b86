"""publishing/limits.py: each platform's limits, hashtag parsing."""

import pytest

from publishing.limits import Content, HashtagError, content_errors, count_hashtags, normalize_hashtags


def content(title="A title", caption="A caption", hashtags=()):
    return Content(title=title, caption=caption, hashtags=tuple(hashtags))


@pytest.mark.parametrize(
    ("platform", "field", "ok", "too_long", "needle"),
    [
        ("youtube", "title", content(title="t" * 100), content(title="t" * 101), "limited to 100 characters"),
        ("youtube", "caption", content(caption="c" * 5000), content(caption="c" * 5001), "limited to 5,000"),
        ("instagram", "caption", content(caption="c" * 2200), content(caption="c" * 2201), "limited to 2,200"),
        ("tiktok", "caption", content(caption="c" * 2200), content(caption="c" * 2201), "limited to 2,200"),
    ],
)
def test_each_limit_is_inclusive_and_named(platform, field, ok, too_long, needle):
    assert content_errors(platform, ok) == {}
    errors = content_errors(platform, too_long)
    assert list(errors) == [field]
    assert needle in errors[field][0]


def test_youtube_description_is_what_the_caption_is_called():
    assert "YouTube descriptions" in content_errors("youtube", content(caption="c" * 5001))["caption"][0]


def test_titles_only_matter_on_youtube():
    assert content_errors("instagram", content(title="t" * 300)) == {}
    assert content_errors("tiktok", content(title="")) == {}
    assert content_errors("youtube", content(title="  ")) == {"title": ["YouTube needs a title."]}


def test_instagram_counts_hashtags_in_the_list_and_in_the_caption():
    thirty = [f"#tag{i}" for i in range(30)]
    assert content_errors("instagram", content(hashtags=thirty)) == {}
    errors = content_errors("instagram", content(caption="so good #extra", hashtags=thirty))
    assert errors == {"hashtags": ["Instagram allows at most 30 hashtags per post; this one has 31."]}
    # The same tag twice (any case) counts once.
    assert count_hashtags(content(caption="#Tag0 #tag0", hashtags=thirty)) == 30
    # TikTok and YouTube set no hashtag limit here.
    assert content_errors("tiktok", content(hashtags=[f"#t{i}" for i in range(50)])) == {}


def test_unknown_platforms_have_no_limits():
    assert content_errors("mastodon", content(title="t" * 1000)) == {}


def test_normalize_hashtags_accepts_lists_and_strings_and_deduplicates():
    assert normalize_hashtags("#a b,  #c #A") == ["#a", "#b", "#c"]
    assert normalize_hashtags(["a", "#b", "c d"]) == ["#a", "#b", "#c", "#d"]
    assert normalize_hashtags(None) == []
    assert normalize_hashtags("") == []
    assert normalize_hashtags(["#déjà_vu"]) == ["#déjà_vu"]


@pytest.mark.parametrize("bad", ["#", "#a-b", "hello!", ["#ok", 3], ["#" + "x" * 101]])
def test_bad_hashtags_are_refused(bad):
    with pytest.raises(HashtagError):
        normalize_hashtags(bad)
